import Foundation

/// The percentile distribution text (`.hgrm`) in Java HdrHistogram's layout, which the plotters read.
public enum PercentileDistribution {
    /// One row per percentile step, `ticksPerHalfDistance` steps in each half of the remaining distance to 100%.
    /// Values are divided by `unitRatio` (1e6 turns nanoseconds into milliseconds).
    public static func text(
        _ histogram: LatencyHistogram,
        ticksPerHalfDistance: Int = 5,
        unitRatio: Double = 1_000_000
    ) -> String {
        let digits = histogram.significantDigits
        var output =
            JavaNumberFormat.pad("Value", to: 12) + " " + JavaNumberFormat.pad("Percentile", to: 14) + " "
            + JavaNumberFormat.pad("TotalCount", to: 10) + " " + JavaNumberFormat.pad("1/(1-Percentile)", to: 14)
            + "\n\n"
        for row in rows(histogram, ticksPerHalfDistance: ticksPerHalfDistance) {
            let fraction = row.percentile / 100
            output += JavaNumberFormat.fixed(Double(row.value) / unitRatio, decimals: digits, width: 12) + " "
            output += JavaNumberFormat.fixed(fraction, decimals: 12, width: 2) + " "
            output += JavaNumberFormat.integer(row.totalCount, width: 10)
            if row.percentile != 100 {
                output += " " + JavaNumberFormat.fixed(1 / (1 - fraction), decimals: 2, width: 14)
            }
            output += "\n"
        }
        let mean = JavaNumberFormat.fixed(histogram.mean / unitRatio, decimals: digits, width: 12)
        let deviation = JavaNumberFormat.fixed(histogram.stdDeviation / unitRatio, decimals: digits, width: 12)
        let max = JavaNumberFormat.fixed(Double(histogram.max) / unitRatio, decimals: digits, width: 12)
        output += "#[Mean    = \(mean), StdDeviation   = \(deviation)]\n"
        output += "#[Max     = \(max), Total count    = \(JavaNumberFormat.integer(histogram.totalCount, width: 12))]\n"
        output +=
            "#[Buckets = \(JavaNumberFormat.integer(histogram.bucketCount, width: 12)), "
            + "SubBuckets     = \(JavaNumberFormat.integer(histogram.subBucketCount, width: 12))]\n"
        return output
    }

    public struct Row: Equatable, Sendable {
        /// Highest value equivalent to the slot where the percentile level was reached.
        public var value: UInt64
        /// The percentile level iterated to (0...100), not the exact percentile of `value`.
        public var percentile: Double
        public var totalCount: UInt64
    }

    /// The rows of Java's PercentileIterator: a step is reported at the first non-empty slot whose cumulative
    /// percentile reaches the step's level; a final row at 100% follows the last recorded value.
    public static func rows(_ histogram: LatencyHistogram, ticksPerHalfDistance: Int = 5) -> [Row] {
        let total = histogram.totalCount
        guard total > 0, ticksPerHalfDistance > 0 else { return [] }
        let slotCount = histogram.usedSlotCount
        var rows: [Row] = []
        var index = 0
        var countToIndex: UInt64 = 0
        var slotCounted = false
        var level = 0.0
        var reachedLastRow = false
        // Each row either advances a level or ends; levels grow geometrically, so this bound is generous.
        for _ in 0..<(slotCount + 64 * ticksPerHalfDistance + 2) {
            if countToIndex >= total {
                if reachedLastRow { break }
                level = 100
                reachedLastRow = true
            }
            var emitted = false
            while index < slotCount {
                let count = histogram.slotCounts[index]
                if !slotCounted {
                    countToIndex &+= count
                    slotCounted = true
                }
                if count != 0 && 100 * Double(countToIndex) / Double(total) >= level {
                    let value = histogram.highestEquivalentValue(histogram.valueFromIndex(index))
                    rows.append(Row(value: value, percentile: level, totalCount: countToIndex))
                    level = nextLevel(after: level, ticksPerHalfDistance: ticksPerHalfDistance)
                    emitted = true
                    break
                }
                index += 1
                slotCounted = false
            }
            if !emitted { break }
        }
        return rows
    }

    /// Java's step: a fixed number of ticks per half-distance to 100%, halving the tick each time a half is crossed.
    static func nextLevel(after level: Double, ticksPerHalfDistance: Int) -> Double {
        guard level < 100 else { return level }
        let halvings = javaLong(Foundation.log(100 / (100 - level)) / Foundation.log(2.0))
        guard halvings < 60 else { return 100 }
        let ticks = Int64(ticksPerHalfDistance) * javaLong(Foundation.pow(2, Double(halvings + 1)))
        return level + 100 / Double(ticks)
    }

    /// Java's (long) cast: truncates, saturates, NaN becomes 0.
    private static func javaLong(_ value: Double) -> Int64 {
        if value.isNaN { return 0 }
        if value >= 9.223372036854775807e18 { return .max }
        if value <= -9.223372036854775808e18 { return .min }
        return Int64(value)
    }
}
