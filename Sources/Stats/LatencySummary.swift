/// The usual statistics of one latency series, in microseconds, as summary.json carries them.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: UInt64
    public var min: Double
    public var mean: Double
    public var stddev: Double
    public var p50: Double
    public var p90: Double
    public var p95: Double
    public var p99: Double
    public var p999: Double
    public var max: Double

    public init(
        count: UInt64,
        min: Double,
        mean: Double,
        stddev: Double,
        p50: Double,
        p90: Double,
        p95: Double,
        p99: Double,
        p999: Double,
        max: Double
    ) {
        self.count = count
        self.min = min
        self.mean = mean
        self.stddev = stddev
        self.p50 = p50
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.p999 = p999
        self.max = max
    }

    /// Summarises a nanosecond histogram.
    public init(nanoseconds histogram: LatencyHistogram) {
        func microseconds(_ value: UInt64) -> Double { Double(value) / 1_000 }
        self.init(
            count: histogram.totalCount,
            min: microseconds(histogram.min),
            mean: histogram.mean / 1_000,
            stddev: histogram.stdDeviation / 1_000,
            p50: microseconds(histogram.valueAtPercentile(50)),
            p90: microseconds(histogram.valueAtPercentile(90)),
            p95: microseconds(histogram.valueAtPercentile(95)),
            p99: microseconds(histogram.valueAtPercentile(99)),
            p999: microseconds(histogram.valueAtPercentile(99.9)),
            max: microseconds(histogram.max)
        )
    }
}
