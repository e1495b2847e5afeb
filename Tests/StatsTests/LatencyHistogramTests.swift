import Testing

@testable import Stats

struct LatencyHistogramTests {
    @Test func standardLayoutMatchesHdrHistogram() {
        let histogram = LatencyHistogram()
        #expect(histogram.lowestDiscernibleValue == 1)
        #expect(histogram.highestTrackableValue == 3_600_000_000_000)
        #expect(histogram.significantDigits == 3)
        #expect(histogram.subBucketCount == 2048)
        // 2048 << 31 is the first power-of-two bucket end above one hour.
        #expect(histogram.bucketCount == 32)
        #expect(histogram.counts.count == 33 * 1024)
    }

    @Test func indexingIsExactBelowTheFirstBucketAndRelativeAbove() {
        let histogram = LatencyHistogram()
        for value: UInt64 in [0, 1, 2, 1000, 2047] {
            #expect(histogram.lowestEquivalentValue(value) == value)
            #expect(histogram.highestEquivalentValue(value) == value)
        }
        #expect(histogram.lowestEquivalentValue(2049) == 2048)
        #expect(histogram.highestEquivalentValue(2048) == 2049)
        #expect(histogram.sizeOfEquivalentValueRange(1_000_000) == 512)
        // Three significant digits: every slot is narrower than 1/1000 of its values.
        var value: UInt64 = 1
        while value < histogram.highestTrackableValue {
            let width = histogram.sizeOfEquivalentValueRange(value)
            #expect(width == 1 || Double(width) / Double(histogram.lowestEquivalentValue(value)) < 0.001)
            let index = histogram.countsIndex(for: value)
            #expect(histogram.valueFromIndex(index) == histogram.lowestEquivalentValue(value))
            value = value * 3 / 2 + 1
        }
    }

    @Test func recordClampsOutliersToTheHighestTrackableValue() {
        var histogram = LatencyHistogram()
        histogram.record(.max)
        histogram.record(7_200_000_000_000)
        #expect(histogram.totalCount == 2)
        #expect(histogram.max == histogram.highestEquivalentValue(3_600_000_000_000))
        #expect(histogram.max >= 3_600_000_000_000)
    }

    @Test func statisticsOfASimpleDistribution() {
        var histogram = LatencyHistogram()
        for value in 1...1000 as ClosedRange<UInt64> { histogram.record(value) }
        #expect(histogram.totalCount == 1000)
        #expect(histogram.min == 1)
        #expect(histogram.max == 1000)
        #expect(histogram.valueAtPercentile(50) == 500)
        #expect(histogram.valueAtPercentile(99) == 990)
        #expect(histogram.valueAtPercentile(100) == 1000)
        #expect(histogram.valueAtPercentile(0) == 1)
        #expect(histogram.mean == 500.5)
        #expect(abs(histogram.stdDeviation - 288.6749902572095) < 1e-9)
    }

    @Test func percentileAtOrBelowCountsWholeSlots() {
        var histogram = LatencyHistogram()
        for value in 1...1000 as ClosedRange<UInt64> { histogram.record(value) }
        #expect(histogram.percentileAtOrBelow(0) == 0)
        #expect(histogram.percentileAtOrBelow(250) == 25)
        #expect(histogram.percentileAtOrBelow(1000) == 100)
        #expect(histogram.percentileAtOrBelow(.max) == 100)
        #expect(LatencyHistogram().percentileAtOrBelow(5) == 100)
    }

    @Test func emptyHistogramReportsZeros() {
        let histogram = LatencyHistogram()
        #expect(histogram.totalCount == 0)
        #expect(histogram.min == 0 && histogram.max == 0)
        #expect(histogram.mean == 0 && histogram.stdDeviation == 0)
        #expect(histogram.valueAtPercentile(99) == 0)
    }

    @Test func addMergesCountsAndExtremes() {
        var a = LatencyHistogram()
        var b = LatencyHistogram()
        a.record(10)
        a.record(1_000_000)
        b.record(5)
        b.record(50_000_000, count: 3)
        a.add(b)
        #expect(a.totalCount == 6)
        #expect(a.min == 5)
        #expect(a.max == a.highestEquivalentValue(50_000_000))
        #expect(a.counts[a.countsIndex(for: 50_000_000)] == 3)
    }

    @Test func addAcrossLayoutsRecordsByValue() {
        var coarse = LatencyHistogram(
            lowestDiscernibleValue: 1000,
            highestTrackableValue: 60_000_000_000,
            significantDigits: 2
        )
        coarse.record(12_345_678, count: 5)
        var standard = LatencyHistogram()
        standard.add(coarse)
        #expect(standard.totalCount == 5)
        #expect(standard.lowestEquivalentValue(standard.max) <= 12_345_678)
        #expect(standard.max >= coarse.lowestEquivalentValue(12_345_678))

        // A smaller layout with the same indexing adds slot by slot.
        var small = LatencyHistogram(
            lowestDiscernibleValue: 1,
            highestTrackableValue: 3_600_000_000,
            significantDigits: 3
        )
        small.record(2000, count: 3)
        standard.add(small)
        #expect(standard.totalCount == 8)
        #expect(standard.counts[2000] == 3)
    }

    /// Storage starts empty and grows by whole buckets, only as far as the largest value needs.
    @Test func storageGrowsLazilyToTheLargestValue() {
        var histogram = LatencyHistogram()
        #expect(histogram.allocatedSlotCount == 0)
        #expect(histogram.counts.count == histogram.slotCount)
        #expect(histogram == LatencyHistogram())
        histogram.record(5_000_000)  // 5 ms
        let afterMilliseconds = histogram.allocatedSlotCount
        #expect(afterMilliseconds > histogram.countsIndex(for: 5_000_000))
        #expect(afterMilliseconds < histogram.slotCount / 2)
        histogram.record(4_000_000)
        #expect(histogram.allocatedSlotCount == afterMilliseconds)
        histogram.record(UInt64.max)  // clamped to one hour: the last slot
        #expect(histogram.allocatedSlotCount == histogram.slotCount)
        #expect(histogram.totalCount == 3)
        #expect(histogram.max == histogram.highestEquivalentValue(histogram.highestTrackableValue))
    }

    /// Equality ignores how much storage each side happens to have allocated.
    @Test func equalityIgnoresAllocatedStorage() {
        var small = LatencyHistogram()
        var large = LatencyHistogram()
        large.record(3_000_000_000_000)
        large.reset()
        #expect(small.allocatedSlotCount == 0 && large.allocatedSlotCount == large.slotCount)
        #expect(small == large)
        small.record(1234)
        large.record(1234)
        #expect(small == large)
        large.record(1_000_000_000)
        #expect(small != large)
        small.record(1_000_000_000)
        #expect(small == large)
        var sum = LatencyHistogram()
        sum.add(large)
        #expect(sum == large)
    }

    @Test func resetEmptiesWithoutReallocating() {
        var histogram = LatencyHistogram()
        for value in stride(from: UInt64(1), to: 3_000_000_000_000, by: 7_777_777_777) { histogram.record(value) }
        let storageBefore = histogram.counts.withUnsafeBufferPointer { $0.baseAddress }
        histogram.reset()
        let storageAfter = histogram.slotCounts.withUnsafeBufferPointer { $0.baseAddress }
        #expect(storageBefore == storageAfter)
        #expect(histogram.totalCount == 0)
        #expect(histogram.counts.allSatisfy { $0 == 0 })
        #expect(histogram == LatencyHistogram())
        histogram.record(42)
        #expect(histogram.min == 42 && histogram.max == 42 && histogram.totalCount == 1)
    }
}
