/// What one event loop recorded during one interval: a histogram per series plus counters.
///
/// Snapshots from all loops are merged by the collector (off the event loops) into the interval's totals.
public struct IntervalSnapshot: Sendable, Equatable {
    /// Fixed at plan time, e.g. ["latency", "connect", "script:tpcb-like", "service", "lag"].
    public let seriesNames: [String]
    /// Indexed like `seriesNames`.
    public internal(set) var histograms: [LatencyHistogram]
    /// Failed transactions attributed to each series (per-script failures), indexed like `seriesNames`.
    public internal(set) var failuresBySeries: [UInt64]
    public var counters: IntervalCounters

    /// An empty snapshot: the starting value when merging loops' snapshots.
    public init(seriesNames: [String]) {
        self.seriesNames = seriesNames
        self.histograms = seriesNames.map { _ in LatencyHistogram() }
        self.failuresBySeries = [UInt64](repeating: 0, count: seriesNames.count)
        self.counters = IntervalCounters()
    }

    init(seriesNames: [String], histograms: [LatencyHistogram], failuresBySeries: [UInt64], counters: IntervalCounters)
    {
        self.seriesNames = seriesNames
        self.histograms = histograms
        self.failuresBySeries = failuresBySeries
        self.counters = counters
    }

    public func histogram(named name: String) -> LatencyHistogram? {
        seriesNames.firstIndex(of: name).map { histograms[$0] }
    }

    /// Adds another loop's snapshot of the same plan (same series, in the same order).
    public mutating func merge(_ other: IntervalSnapshot) {
        precondition(seriesNames == other.seriesNames, "merging snapshots of different series")
        for series in histograms.indices {
            histograms[series].add(other.histograms[series])
            failuresBySeries[series] &+= other.failuresBySeries[series]
        }
        counters.add(other.counters)
    }

    public func merged(with other: IntervalSnapshot) -> IntervalSnapshot {
        var result = self
        result.merge(other)
        return result
    }
}
