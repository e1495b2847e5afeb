import Connection
import DirectIO

/// `--io`: which driver the run's clients use.
public enum IODriverRequest: String, Sendable {
    /// direct when no TLS is in use, else nio.
    case auto
    case direct
    case nio
}

/// Picks the clients' driver once per run, after the first (admin) connection has shown whether TLS is in use.
///
/// The direct driver speaks plain TCP and Unix sockets only. With sslmode=prefer it still sends SSLRequest, as
/// libpq would, and goes on in plain text on the server's "N"; a server that offers TLS sends a prefer run to NIO.
enum ClientDriverChoice {
    static func choose(_ request: IODriverRequest, settings: ConnectionSettings, adminUsedTLS: Bool)
        throws(PgswarmError) -> ClientDriver
    {
        let isTCP = if case .tcp = settings.endpoint { true } else { false }
        let tls = adminUsedTLS || (isTCP && settings.sslMode.requiresTLS)
        switch request {
        case .nio:
            return .nio
        case .auto where tls:
            return .nio
        case .direct where tls:
            throw PgswarmError(.usage, "--io direct speaks plain TCP and Unix sockets only, and this run uses TLS "
                + "(sslmode=\(settings.sslMode.rawValue)); use --io nio or --io auto")
        case .auto, .direct:
            return .direct(try DirectEndpoint(settings: settings))
        }
    }
}
