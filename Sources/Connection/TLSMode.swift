extension ConnectionSettings {
    /// libpq's `sslmode`: whether to ask for TLS, whether to insist on it, and how much of the server's
    /// certificate to check.
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        /// Plain text; no SSLRequest is sent.
        case disable
        /// Plain text. (libpq would retry over TLS when the server refuses plain text; pgswarm does not.)
        case allow
        /// TLS when the server is willing, else plain text; the certificate is not checked.
        case prefer
        /// TLS or fail; the certificate is not checked unless a root certificate file exists (then as verify-ca).
        case require
        /// TLS or fail; the certificate must chain to the root certificate(s).
        case verifyCA = "verify-ca"
        /// As verify-ca, and the certificate must name the host connected to.
        case verifyFull = "verify-full"

        /// Whether an SSLRequest is sent on a TCP connection.
        public var requestsTLS: Bool {
            switch self {
            case .disable, .allow: false
            case .prefer, .require, .verifyCA, .verifyFull: true
            }
        }

        /// Whether a server that refuses TLS fails the connection.
        public var requiresTLS: Bool {
            switch self {
            case .disable, .allow, .prefer: false
            case .require, .verifyCA, .verifyFull: true
            }
        }
    }

    /// The name sent in the TLS handshake's SNI extension: the host name, unless it is an IP address (SNI cannot
    /// carry one), the connection is over a Unix socket, or `sslsni=0`.
    public var sslServerName: String? {
        guard sslSNI, case .tcp(let host, _) = endpoint, !Self.isIPAddress(host) else { return nil }
        return host
    }

    package static func isIPAddress(_ host: String) -> Bool {
        // An IPv6 literal always holds a colon; an IPv4 one is four decimal parts.
        if host.contains(":") { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in !part.isEmpty && part.allSatisfy(\.isNumber) }
    }
}
