/// The connection settings as given on the command line, before libpq's defaults fill the gaps.
public struct ConnectionOptions: Sendable, Equatable {
    /// `-h`: a host name, an IP address, or a socket directory (starts with `/`).
    public var host: String?
    /// `-p`, as typed: checked by the resolver with libpq's messages.
    public var port: String?
    /// `-U`.
    public var user: String?
    /// The database argument: a name, a `postgresql://` URI or a `keyword=value` connection string.
    public var database: String?
    /// `--application-name`.
    public var applicationName: String?
    /// `--protocol-version`; nil leaves it to the connection string's `max_protocol_version`, else 3.0.
    public var protocolRequest: ConnectionSettings.ProtocolRequest?
    /// `--sslmode`, as typed: checked by the resolver; a connection string's sslmode overrides it.
    public var sslMode: String?
    /// `--sslrootcert`.
    public var sslRootCert: String?

    public init(
        host: String? = nil,
        port: String? = nil,
        user: String? = nil,
        database: String? = nil,
        applicationName: String? = nil,
        protocolRequest: ConnectionSettings.ProtocolRequest? = nil,
        sslMode: String? = nil,
        sslRootCert: String? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.applicationName = applicationName
        self.protocolRequest = protocolRequest
        self.sslMode = sslMode
        self.sslRootCert = sslRootCert
    }
}
