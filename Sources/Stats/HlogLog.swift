import Foundation

/// One line of an interval log: one series (tag) over one interval.
public struct HlogInterval: Sendable, Equatable {
    /// nil for the untagged main series (overall latency).
    public var tag: String?
    /// Seconds since the log's base time.
    public var start: Double
    /// Seconds.
    public var length: Double
    /// The interval's maximum as written in the line (milliseconds for nanosecond histograms).
    public var maxMs: Double
    public var histogram: LatencyHistogram

    public init(tag: String?, start: Double, length: Double, maxMs: Double, histogram: LatencyHistogram) {
        self.tag = tag
        self.start = start
        self.length = length
        self.maxMs = maxMs
        self.histogram = histogram
    }
}

/// A whole interval log as read from a file.
public struct HlogLog: Sendable, Equatable {
    public var startTime: Date?
    /// Seconds since the epoch that interval starts are relative to; nil when the log has no BaseTime line.
    public var baseTime: Double?
    /// Header comments other than the version, StartTime and BaseTime lines, without `#[` and `]`.
    public var comments: [String]
    public var intervals: [HlogInterval]

    public init(startTime: Date?, baseTime: Double?, comments: [String], intervals: [HlogInterval]) {
        self.startTime = startTime
        self.baseTime = baseTime
        self.comments = comments
        self.intervals = intervals
    }

    /// The tags in order of first appearance; nil stands for the untagged series.
    public var tags: [String?] {
        var seen: [String?] = []
        for interval in intervals where !seen.contains(interval.tag) {
            seen.append(interval.tag)
        }
        return seen
    }

    public func intervals(tag: String?) -> [HlogInterval] {
        intervals.filter { $0.tag == tag }
    }

    /// All intervals of one series added together (in the standard layout, so differently shaped inputs merge).
    public func merged(tag: String?) -> LatencyHistogram {
        var total = LatencyHistogram()
        for interval in intervals where interval.tag == tag {
            total.add(interval.histogram)
        }
        return total
    }
}
