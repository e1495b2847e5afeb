/// Where a connect's time goes: the transport (TCP, and TLS when used), authentication (StartupMessage to
/// AuthenticationOk, over every round trip the method needs), and the wait for the first ReadyForQuery (a backend
/// starting, or a pooler finding a server connection). SCRAM's client-side computation is reported apart: it is CPU
/// on the client, not waiting.
public struct ConnectPhasesSummary: Codable, Sendable, Equatable {
    public var transportMicroseconds: LatencySummary
    public var authenticationMicroseconds: LatencySummary
    public var readyMicroseconds: LatencySummary
    /// Messages the client sent per login: 1 for trust, 2 for password and md5, 3 for SCRAM.
    public var authenticationRoundTrips: Double
    /// SCRAM logins only: the client's time computing its proof.
    public var scramClientMicroseconds: LatencySummary?
    /// Whether salted passwords were cached across logins (`--scram-cache`).
    public var scramCache: Bool

    enum CodingKeys: String, CodingKey {
        case transportMicroseconds = "transport_us"
        case authenticationMicroseconds = "authentication_us"
        case readyMicroseconds = "ready_us"
        case authenticationRoundTrips = "authentication_round_trips"
        case scramClientMicroseconds = "scram_client_us"
        case scramCache = "scram_cache"
    }

    public init(transportMicroseconds: LatencySummary, authenticationMicroseconds: LatencySummary,
                readyMicroseconds: LatencySummary, authenticationRoundTrips: Double,
                scramClientMicroseconds: LatencySummary?, scramCache: Bool)
    {
        self.transportMicroseconds = transportMicroseconds
        self.authenticationMicroseconds = authenticationMicroseconds
        self.readyMicroseconds = readyMicroseconds
        self.authenticationRoundTrips = authenticationRoundTrips
        self.scramClientMicroseconds = scramClientMicroseconds
        self.scramCache = scramCache
    }
}
