/// Which protocol version a connection asks for.
public enum ProtocolVersionRequest: Hashable, Sendable {
    /// Ask for 3.0, what every server and pooler speaks (libpq 18's default too).
    case v3_0
    /// Ask for 3.2; a server that refuses it outright fails the connection.
    case v3_2
    /// Ask for 3.2; when a server or pooler refuses it outright, reconnect and ask for 3.0.
    case auto

    /// The version put in the first StartupMessage.
    public var initialVersion: ProtocolVersion {
        self == .v3_0 ? .v3_0 : .v3_2
    }
}

/// What a connection logs in with.
public struct StartupConfiguration: Sendable {
    public var user: String
    /// Nil means the server's default, a database named like the user.
    public var database: String?
    /// Needed for cleartext, MD5 and SCRAM; a server asking for one without it fails the login.
    public var password: String?
    /// Further StartupMessage parameters (application_name, options, `_pq_.` protocol options...).
    public var parameters: [(String, String)]
    public var protocolVersion: ProtocolVersionRequest
    /// Shares SCRAM's PBKDF2 work between connections of the same role.
    public var saltedPasswordCache: (any SCRAMSaltedPasswordCache)?

    public init(
        user: String,
        database: String? = nil,
        password: String? = nil,
        parameters: [(String, String)] = [],
        protocolVersion: ProtocolVersionRequest = .v3_0,
        saltedPasswordCache: (any SCRAMSaltedPasswordCache)? = nil
    ) {
        self.user = user
        self.database = database
        self.password = password
        self.parameters = parameters
        self.protocolVersion = protocolVersion
        self.saltedPasswordCache = saltedPasswordCache
    }
}
