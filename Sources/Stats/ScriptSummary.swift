/// One workload script's share of a run.
public struct ScriptSummary: Codable, Sendable, Equatable {
    public var name: String
    public var transactions: UInt64
    public var failed: UInt64
    public var latencyMicroseconds: LatencySummary

    enum CodingKeys: String, CodingKey {
        case name
        case transactions
        case failed
        case latencyMicroseconds = "latency_us"
    }

    public init(name: String, transactions: UInt64, failed: UInt64, latencyMicroseconds: LatencySummary) {
        self.name = name
        self.transactions = transactions
        self.failed = failed
        self.latencyMicroseconds = latencyMicroseconds
    }
}
