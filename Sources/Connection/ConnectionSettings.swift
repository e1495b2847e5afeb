/// Where and as whom to connect: resolved from the command line, a postgresql:// URI, libpq's environment
/// variables (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD) and ~/.pgpass, in libpq's order of precedence.
public struct ConnectionSettings: Sendable, Equatable {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// A Unix-domain socket: the directory given as host (libpq's convention) joined with `.s.PGSQL.<port>`.
        case unixSocket(path: String)
    }

    /// Which protocol version the StartupMessage asks for.
    public enum ProtocolRequest: String, Sendable, Equatable, CaseIterable {
        /// 3.0, as libpq does by default.
        case v3_0 = "3.0"
        /// 3.2 (PostgreSQL 18); a server that refuses it fails the connection.
        case v3_2 = "3.2"
        /// 3.2, and on an outright refusal (a pooler's "bad packet header") reconnect at 3.0.
        case auto
    }

    public var endpoint: Endpoint
    public var user: String
    public var database: String
    public var password: String?
    public var applicationName: String = "pgswarm"
    public var protocolRequest: ProtocolRequest = .v3_0
    /// `sslmode`: libpq's default, prefer (TLS when the server offers it, as pgbench would use).
    public var sslMode: SSLMode = .prefer
    /// `sslrootcert`: a PEM file of trusted root certificates, or "system" for the system's trust store; nil means
    /// libpq's default, ~/.postgresql/root.crt when it exists.
    public var sslRootCert: String?
    /// `sslsni`: whether to send the host name in the handshake (see `sslServerName`).
    public var sslSNI: Bool = true
    /// Whether the host was given explicitly (option, URI or PGHOST); when not, `pgswarm run` may start a
    /// throwaway server if nothing answers at the default place.
    public var hostWasGiven: Bool = false

    public init(endpoint: Endpoint, user: String, database: String, password: String? = nil) {
        self.endpoint = endpoint
        self.user = user
        self.database = database
        self.password = password
    }

    /// "127.0.0.1:5432" or "/var/run/postgresql/.s.PGSQL.5432", for messages.
    public var endpointDescription: String {
        switch endpoint {
        case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .unixSocket(let path): return path
        }
    }
}
