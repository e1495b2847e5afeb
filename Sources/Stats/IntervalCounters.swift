/// The plain counts of one interval on one event loop (everything that is not a latency).
public struct IntervalCounters: Sendable, Equatable, Codable {
    /// Completed transactions (failed ones excluded).
    public var transactions: UInt64 = 0
    public var failedTransactions: UInt64 = 0
    /// Transactions re-run after a serialization failure or deadlock.
    public var retries: UInt64 = 0
    /// Scheduled transactions dropped because they were already too late to start (rate with a latency limit).
    public var skippedTransactions: UInt64 = 0
    /// Connections established (startup and authentication done).
    public var connections: UInt64 = 0
    public var connectionFailures: UInt64 = 0
    /// Errors by SQLSTATE (five characters, or a pgswarm pseudo-state for client-side failures).
    public var errorsBySQLState: [String: UInt64] = [:]

    public init() {}

    public mutating func add(_ other: IntervalCounters) {
        transactions &+= other.transactions
        failedTransactions &+= other.failedTransactions
        retries &+= other.retries
        skippedTransactions &+= other.skippedTransactions
        connections &+= other.connections
        connectionFailures &+= other.connectionFailures
        errorsBySQLState.merge(other.errorsBySQLState, uniquingKeysWith: &+)
    }
}
