/// One `--aggregate-interval` line of pgbench's log: what one thread's transactions did in one interval.
///
/// pgbench 15 writes every field on every line, in this order:
/// `interval_start num_transactions sum_latency sum_latency_2 min_latency max_latency sum_lag sum_lag_2 min_lag
/// max_lag skipped retried retries serialization_failures deadlock_failures` (latencies and lags in microseconds;
/// the lag fields are 0 without `-R`, min and max 0 for an interval with no transaction).
public struct PgbenchLogAggregate: Sendable, Equatable {
    /// Seconds since the Unix epoch at the interval's start.
    public var startSecondsSinceEpoch: UInt64
    public var transactions: UInt64 = 0
    public var latencySum: Double = 0
    public var latencySumOfSquares: Double = 0
    public var latencyMin: Double = 0
    public var latencyMax: Double = 0
    public var lagSum: Double = 0
    public var lagSumOfSquares: Double = 0
    public var lagMin: Double = 0
    public var lagMax: Double = 0
    public var skipped: UInt64 = 0
    /// Transactions retried at least once, and the retries in all.
    public var retried: UInt64 = 0
    public var retries: UInt64 = 0
    public var serializationFailures: UInt64 = 0
    public var deadlockFailures: UInt64 = 0

    public init(startSecondsSinceEpoch: UInt64) {
        self.startSecondsSinceEpoch = startSecondsSinceEpoch
    }

    /// Counts one transaction in. Latency and lag figures cover completed transactions only, as pgbench's do;
    /// `failure` names what a failed one failed with ("40001", "40P01"; anything else counts as neither column).
    public mutating func add(_ record: PgbenchLogRecord, failure sqlState: String? = nil) {
        switch record.outcome {
        case .skipped:
            skipped += 1
            return
        case .failed:
            if sqlState == "40001" { serializationFailures += 1 } else if sqlState == "40P01" { deadlockFailures += 1 }
        case .completed(let latency):
            let value = Double(latency)
            latencyMin = transactions == 0 ? value : min(latencyMin, value)
            latencyMax = transactions == 0 ? value : max(latencyMax, value)
            latencySum += value
            latencySumOfSquares += value * value
            if let lag = record.lagMicroseconds.map({ Double($0) }) {
                lagMin = transactions == 0 ? lag : min(lagMin, lag)
                lagMax = transactions == 0 ? lag : max(lagMax, lag)
                lagSum += lag
                lagSumOfSquares += lag * lag
            }
            transactions += 1
        }
        if let count = record.retries, count > 0 {
            retried += 1
            retries += count
        }
    }
}
