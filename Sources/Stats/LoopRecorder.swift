/// What the engine records on one event loop. Confined to that loop: no locks, not thread-safe by design.
///
/// Samples go into the current histograms; once per interval the collector asks the loop for `takeSnapshot()`,
/// which hands over the filled histograms and puts the spare (empty) ones in their place. Passing a snapshot back
/// through `recycle(_:)` makes its storage the next spare, so a steady run allocates nothing at all.
public final class LoopRecorder {
    public let seriesNames: [String]
    private(set) var histograms: [LatencyHistogram]
    private var spareHistograms: [LatencyHistogram]?
    private var failuresBySeries: [UInt64]

    public var transactions: UInt64 = 0
    public var failedTransactions: UInt64 = 0
    public var retries: UInt64 = 0
    public var skippedTransactions: UInt64 = 0
    public var connections: UInt64 = 0
    public var connectionFailures: UInt64 = 0
    private var errorsBySQLState: [String: UInt64] = [:]

    public init(seriesNames: [String]) {
        self.seriesNames = seriesNames
        self.histograms = Self.emptyHistograms(count: seriesNames.count)
        self.spareHistograms = Self.emptyHistograms(count: seriesNames.count)
        self.failuresBySeries = [UInt64](repeating: 0, count: seriesNames.count)
    }

    private static func emptyHistograms(count: Int) -> [LatencyHistogram] {
        (0..<count).map { _ in LatencyHistogram() }
    }

    /// The index of a series name; look it up once at plan time, never per sample.
    public func seriesIndex(named name: String) -> Int? {
        seriesNames.firstIndex(of: name)
    }

    /// Records one sample. O(1), no allocation, no dictionary: `series` is an index into `seriesNames`.
    public func record(series: Int, nanoseconds: UInt64) {
        histograms[series].record(nanoseconds)
    }

    /// Counts a failed transaction, optionally against a series (its script) and a SQLSTATE.
    /// The error path may allocate (a dictionary entry per new SQLSTATE); the success path never does.
    public func recordFailure(series: Int? = nil, sqlState: String? = nil) {
        failedTransactions &+= 1
        if let series { failuresBySeries[series] &+= 1 }
        if let sqlState { recordError(sqlState: sqlState) }
    }

    /// Counts an error by SQLSTATE without counting a failed transaction (e.g. a failed connection attempt).
    public func recordError(sqlState: String) {
        errorsBySQLState[sqlState, default: 0] &+= 1
    }

    /// Hands over everything recorded since the last snapshot and starts the next interval empty.
    public func takeSnapshot() -> IntervalSnapshot {
        let filled = histograms
        histograms = spareHistograms ?? Self.emptyHistograms(count: seriesNames.count)
        spareHistograms = nil

        var counters = IntervalCounters()
        counters.transactions = transactions
        counters.failedTransactions = failedTransactions
        counters.retries = retries
        counters.skippedTransactions = skippedTransactions
        counters.connections = connections
        counters.connectionFailures = connectionFailures
        counters.errorsBySQLState = errorsBySQLState
        let snapshot = IntervalSnapshot(
            seriesNames: seriesNames,
            histograms: filled,
            failuresBySeries: failuresBySeries,
            counters: counters
        )

        transactions = 0
        failedTransactions = 0
        retries = 0
        skippedTransactions = 0
        connections = 0
        connectionFailures = 0
        errorsBySQLState.removeAll(keepingCapacity: true)
        for series in failuresBySeries.indices { failuresBySeries[series] = 0 }
        return snapshot
    }

    /// Gives a snapshot's histogram storage back to be the next spare (after the collector has merged it).
    public func recycle(_ snapshot: consuming IntervalSnapshot) {
        guard spareHistograms == nil, snapshot.seriesNames == seriesNames else { return }
        var histograms = snapshot.histograms
        snapshot = IntervalSnapshot(seriesNames: [])
        for series in histograms.indices { histograms[series].reset() }
        spareHistograms = histograms
    }
}
