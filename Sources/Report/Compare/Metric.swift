import Stats

/// A figure `compare` reports and thresholds name: throughput or a transaction-latency percentile.
public enum Metric: String, CaseIterable, Sendable, Codable {
    case tps
    case p50
    case p90
    case p99
    case p999 = "p99.9"
    case max

    /// Names accepted in thresholds, besides the raw value: p999 for p99.9, throughput for tps.
    public init?(name: String) {
        switch name.lowercased() {
        case "tps", "throughput": self = .tps
        case "p50", "median": self = .p50
        case "p90": self = .p90
        case "p99": self = .p99
        case "p99.9", "p999": self = .p999
        case "max", "p100": self = .max
        default: return nil
        }
    }

    /// Throughput is better higher; latencies are better lower.
    public var higherIsBetter: Bool { self == .tps }

    public var unit: String { self == .tps ? "tps" : "ms" }

    /// The percentile a latency metric reads (nil for throughput).
    public var percentile: Double? {
        switch self {
        case .tps: return nil
        case .p50: return 50
        case .p90: return 90
        case .p99: return 99
        case .p999: return 99.9
        case .max: return 100
        }
    }

    /// The metric's value for a histogram of nanoseconds, in milliseconds.
    func milliseconds(of histogram: LatencyHistogram) -> Double {
        guard let percentile else { return 0 }
        let nanoseconds = percentile == 100 ? histogram.max : histogram.valueAtPercentile(percentile)
        return Double(nanoseconds) / 1e6
    }
}
