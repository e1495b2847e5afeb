// Summary statistics with HdrHistogram's definitions (Java's AbstractHistogram), so that numbers printed by
// pgswarm agree with what HistogramLogProcessor prints for the same .hlog.

extension LatencyHistogram {
    /// Highest value equivalent to the largest recorded value; 0 when empty.
    public var max: UInt64 {
        recordedCount == 0 ? 0 : highestEquivalentValue(maxRecordedValue)
    }

    /// Lowest value equivalent to the smallest recorded value; 0 when empty or when a zero was recorded.
    public var min: UInt64 {
        if recordedCount == 0 || slotCounts[0] > 0 { return 0 }
        return lowestEquivalentValue(minNonZeroRecordedValue)
    }

    /// Mean of the slot midpoints (median-equivalent values), weighted by count.
    public var mean: Double {
        guard recordedCount > 0 else { return 0 }
        var totalValue = 0.0
        forEachNonZeroSlot { value, count in
            totalValue += Double(medianEquivalentValue(value)) * Double(count)
        }
        return totalValue / Double(recordedCount)
    }

    /// Population standard deviation of the slot midpoints.
    public var stdDeviation: Double {
        guard recordedCount > 0 else { return 0 }
        let mean = self.mean
        var deviationSquaredTotal = 0.0
        forEachNonZeroSlot { value, count in
            let deviation = Double(medianEquivalentValue(value)) - mean
            deviationSquaredTotal += deviation * deviation * Double(count)
        }
        return (deviationSquaredTotal / Double(recordedCount)).squareRoot()
    }

    /// The value at or below which `percentile` percent (0...100) of the recorded values fall.
    ///
    /// Returns the highest value equivalent to that slot (the lowest for percentile 0), as HdrHistogram does.
    public func valueAtPercentile(_ percentile: Double) -> UInt64 {
        guard recordedCount > 0 else { return 0 }
        // One ulp below the request keeps 99.9 from rounding up into the next slot.
        let requested = Swift.min(Swift.max(percentile.nextDown, 0), 100)
        let countAtPercentile = Swift.max(1, saturatingCount((requested * Double(recordedCount) / 100).rounded(.up)))
        var runningCount: UInt64 = 0
        for index in 0..<usedSlotCount {
            runningCount &+= slotCounts[index]
            if runningCount >= countAtPercentile {
                let value = valueFromIndex(index)
                return percentile == 0 ? lowestEquivalentValue(value) : highestEquivalentValue(value)
            }
        }
        return max
    }

    /// The percentage (0...100) of recorded values at or below `value` (counting its whole slot).
    public func percentileAtOrBelow(_ value: UInt64) -> Double {
        guard totalCount > 0 else { return 100 }
        let clamped = Swift.min(value, highestTrackableValue)
        let lastIndex = Swift.min(countsIndex(for: clamped), usedSlotCount - 1)
        var countAtOrBelow: UInt64 = 0
        if lastIndex >= 0 {
            for index in 0...lastIndex { countAtOrBelow &+= slotCounts[index] }
        }
        return 100 * Double(countAtOrBelow) / Double(totalCount)
    }

    /// Calls `body` with the lowest value and the count of each non-empty slot, in value order.
    func forEachNonZeroSlot(_ body: (UInt64, UInt64) -> Void) {
        for index in 0..<usedSlotCount where slotCounts[index] != 0 {
            body(valueFromIndex(index), slotCounts[index])
        }
    }

    private func saturatingCount(_ value: Double) -> UInt64 {
        value >= 18_446_744_073_709_551_615.0 ? .max : UInt64(value)
    }
}
