import Foundation
import NIOSSL

/// What the connector does about TLS on one connection, worked out from the settings once per run.
package struct TLSPlan: Sendable {
    /// Shared by every connection with the same settings: building one loads the root certificates.
    package let context: NIOSSLContext
    /// Whether a server that answers "N" fails the connection.
    package let required: Bool
    /// For SNI, and for the name check of verify-full (nil with an IP address: the certificate must then name the
    /// address connected to).
    package let serverHostname: String?
    /// The host as given (name or address), which verify-full checks the certificate against.
    package let host: String
    /// For messages: "sslmode=verify-ca, root certificate /path".
    package let summary: String
}

/// The NIOSSLContexts of this process, one per distinct verification setup. With `-C` every transaction opens a
/// connection; loading the trust store each time would dominate the connect time being measured.
package enum TLSClientContexts {
    private struct Key: Hashable {
        var verification: String
        var rootCertificate: String?
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var contexts: [Key: NIOSSLContext] = [:]

    /// libpq's default root certificate file.
    package static func defaultRootCertificatePath() -> String? {
        let home = ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        return home.map { $0 + "/.postgresql/root.crt" }
    }

    /// The last plan made, for the settings it was made from: a run connects many times with the same settings,
    /// and working a plan out looks at files.
    nonisolated(unsafe) private static var lastPlan: (settings: ConnectionSettings, plan: TLSPlan)?

    /// The plan for a TCP connection with these settings, or nil when no SSLRequest is to be sent.
    /// Throws a one-line `PgswarmError` when the root certificates are missing or unreadable.
    package static func plan(for settings: ConnectionSettings) throws(PgswarmError) -> TLSPlan? {
        guard settings.sslMode.requestsTLS, case .tcp = settings.endpoint else { return nil }
        if let last = lock.withLock({ lastPlan }), last.settings == settings { return last.plan }
        let plan = try makePlan(for: settings)
        lock.withLock { lastPlan = (settings, plan) }
        return plan
    }

    private static func makePlan(for settings: ConnectionSettings) throws(PgswarmError) -> TLSPlan {
        guard case .tcp(let host, _) = settings.endpoint else { preconditionFailure("TLS plans are for TCP only") }
        let explicitRoot = settings.sslRootCert.flatMap { $0.isEmpty ? nil : $0 }
        let root: String?
        if let explicitRoot {
            root = explicitRoot
        } else if let fallback = defaultRootCertificatePath(), FileManager.default.fileExists(atPath: fallback) {
            root = fallback
        } else {
            root = nil
        }

        var configuration = TLSConfiguration.makeClientConfiguration()
        var hostname = settings.sslServerName
        let verification: String
        switch settings.sslMode {
        case .disable, .allow, .prefer:
            configuration.certificateVerification = .none
            verification = "none"
        case .require where root == nil:
            configuration.certificateVerification = .none
            verification = "none"
        case .require, .verifyCA:
            configuration.certificateVerification = .noHostnameVerification
            verification = "chain"
        case .verifyFull:
            configuration.certificateVerification = .fullVerification
            verification = "chain+name"
            // libpq checks the host name whether or not SNI is sent.
            if !ConnectionSettings.isIPAddress(host) { hostname = host }
        }
        if verification != "none" {
            guard let root else {
                throw PgswarmError(
                    .connection,
                    "sslmode=\(settings.sslMode.rawValue) needs a root certificate file: set sslrootcert (or "
                        + "--sslrootcert, PGSSLROOTCERT) to a PEM file, or to \"system\" for the system's roots, "
                        + "or put one at ~/.postgresql/root.crt"
                )
            }
            if root == "system" {
                configuration.trustRoots = .default
            } else {
                guard FileManager.default.isReadableFile(atPath: root) else {
                    throw PgswarmError(.connection, "root certificate file \"\(root)\" does not exist or cannot be read")
                }
                configuration.trustRoots = .file(root)
            }
        }
        let key = Key(verification: verification, rootCertificate: verification == "none" ? nil : root)
        let context = try cachedContext(key: key, configuration: configuration)
        var summary = "sslmode=\(settings.sslMode.rawValue)"
        if verification != "none", let root { summary += ", root certificate \"\(root)\"" }
        return TLSPlan(context: context, required: settings.sslMode.requiresTLS, serverHostname: hostname,
                       host: host, summary: summary)
    }

    private static func cachedContext(key: Key, configuration: TLSConfiguration) throws(PgswarmError)
        -> NIOSSLContext
    {
        if let cached = lock.withLock({ contexts[key] }) { return cached }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw PgswarmError(
                .connection,
                "cannot set up TLS with root certificate \"\(key.rootCertificate ?? "none")\": \(error)"
            )
        }
        // Two loops may race to build the same context; either is fine, the first stored wins.
        return lock.withLock {
            if let existing = contexts[key] { return existing }
            contexts[key] = context
            return context
        }
    }
}
