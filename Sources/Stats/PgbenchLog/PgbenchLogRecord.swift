/// One transaction as pgbench's per-transaction log (`-l`) records it.
public struct PgbenchLogRecord: Sendable, Equatable {
    public enum Outcome: Sendable, Equatable {
        case completed(latencyMicroseconds: UInt64)
        /// Skipped by `-L` under `-R`: too late to start.
        case skipped
        /// Failed with a serialization or deadlock error after its last try (or any SQL error with
        /// `--continue-on-error`).
        case failed
    }

    public var clientID: Int
    /// The client's count of transactions so far, this one included, from 1 (skipped ones count too).
    public var transactionNumber: Int
    public var outcome: Outcome
    public var scriptIndex: Int
    /// When the transaction ended (for a skipped one: when it was skipped), in microseconds since the Unix epoch.
    public var endMicrosecondsSinceEpoch: UInt64
    /// With `-R`: how late the transaction started after its scheduled time.
    public var lagMicroseconds: UInt64?
    /// With `--max-tries` other than 1: how many times it was retried.
    public var retries: UInt64?

    public init(clientID: Int, transactionNumber: Int, outcome: Outcome, scriptIndex: Int,
                endMicrosecondsSinceEpoch: UInt64, lagMicroseconds: UInt64? = nil, retries: UInt64? = nil) {
        self.clientID = clientID
        self.transactionNumber = transactionNumber
        self.outcome = outcome
        self.scriptIndex = scriptIndex
        self.endMicrosecondsSinceEpoch = endMicrosecondsSinceEpoch
        self.lagMicroseconds = lagMicroseconds
        self.retries = retries
    }
}
