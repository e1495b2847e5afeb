import Testing

@testable import Stats

struct LoopRecorderTests {
    static let series = ["latency", "connect", "script:tpcb-like", "service", "lag"]

    @Test func snapshotsSplitSamplesExactlyBetweenIntervals() {
        let recorder = LoopRecorder(seriesNames: Self.series)
        let latency = recorder.seriesIndex(named: "latency")!
        let script = recorder.seriesIndex(named: "script:tpcb-like")!
        for value in 1...1_000 as ClosedRange<UInt64> {
            recorder.record(series: latency, nanoseconds: value * 1_000)
            recorder.record(series: script, nanoseconds: value * 1_000)
            recorder.transactions += 1
        }
        recorder.recordFailure(series: script, sqlState: "40001")
        recorder.retries += 2
        let first = recorder.takeSnapshot()

        for value in 1...10 as ClosedRange<UInt64> { recorder.record(series: latency, nanoseconds: value) }
        recorder.transactions += 10
        recorder.connections += 3
        let second = recorder.takeSnapshot()

        #expect(first.histograms[latency].totalCount == 1_000)
        #expect(first.histogram(named: "script:tpcb-like")?.totalCount == 1_000)
        #expect(first.histograms[latency].max == 1_000_447)  // 1 ms in a 512 ns wide slot
        #expect(first.counters.transactions == 1_000)
        #expect(first.counters.failedTransactions == 1)
        #expect(first.counters.retries == 2)
        #expect(first.counters.errorsBySQLState == ["40001": 1])
        #expect(first.failuresBySeries[script] == 1)

        #expect(second.histograms[latency].totalCount == 10)
        #expect(second.histograms[latency].max == 10)
        #expect(second.histograms[script].totalCount == 0)
        #expect(second.counters.transactions == 10)
        #expect(second.counters.connections == 3)
        #expect(second.counters.failedTransactions == 0)
        #expect(second.counters.errorsBySQLState.isEmpty)
        #expect(second.failuresBySeries == [0, 0, 0, 0, 0])
    }

    @Test func millionSamplesAreAllCounted() {
        let recorder = LoopRecorder(seriesNames: Self.series)
        var expected = LatencyHistogram()
        var generator = SeededGenerator(state: 1)
        var merged = IntervalSnapshot(seriesNames: Self.series)
        for interval in 0..<4 {
            for _ in 0..<250_000 {
                let value = generator.next() % 5_000_000_000
                recorder.record(series: 0, nanoseconds: value)
                expected.record(value)
            }
            let snapshot = recorder.takeSnapshot()
            #expect(snapshot.histograms[0].totalCount == 250_000, "interval \(interval)")
            merged.merge(snapshot)
            recorder.recycle(snapshot)
        }
        #expect(merged.histograms[0].totalCount == 1_000_000)
        #expect(merged.histograms[0] == expected)
        #expect(merged.histograms[1].totalCount == 0)
    }

    /// The only heap object `record` touches is each series' counts buffer: once it reaches the largest value, it
    /// must never be copied or regrown.
    @Test func recordKeepsTheSameStorage() {
        let recorder = LoopRecorder(seriesNames: Self.series)
        func storage() -> [UnsafePointer<UInt64>?] {
            recorder.histograms.map { $0.slotCounts.withUnsafeBufferPointer { $0.baseAddress } }
        }
        for series in Self.series.indices { recorder.record(series: series, nanoseconds: .max) }
        let before = storage()
        var generator = SeededGenerator(state: 3)
        for sample in 0..<1_000_000 {
            recorder.record(series: sample % Self.series.count, nanoseconds: generator.next() >> (sample % 64))
        }
        #expect(storage() == before)
        #expect(recorder.histograms.reduce(0) { $0 + $1.totalCount } == 1_000_000 + UInt64(Self.series.count))
    }

    /// A series that never records holds no slot storage, in the current and in the spare set.
    @Test func seriesThatNeverRecordAllocateNothing() {
        let recorder = LoopRecorder(seriesNames: Self.series)
        recorder.record(series: 0, nanoseconds: 2_000_000)
        #expect(recorder.histograms[0].allocatedSlotCount > 0)
        #expect(recorder.histograms.dropFirst().allSatisfy { $0.allocatedSlotCount == 0 })
        let snapshot = recorder.takeSnapshot()
        recorder.recycle(snapshot)
        #expect(recorder.histograms.allSatisfy { $0.allocatedSlotCount == 0 })
        _ = recorder.takeSnapshot()  // the recycled set becomes current: its used series keeps its storage
        #expect(recorder.histograms[0].allocatedSlotCount > 0 && recorder.histograms[0].totalCount == 0)
        #expect(recorder.histograms.dropFirst().allSatisfy { $0.allocatedSlotCount == 0 })
    }

    @Test func recycledStorageIsReusedAndEmpty() {
        let recorder = LoopRecorder(seriesNames: ["latency"])
        recorder.record(series: 0, nanoseconds: 123)
        let first = recorder.takeSnapshot()
        let firstStorage = first.histograms[0].slotCounts.withUnsafeBufferPointer { $0.baseAddress }
        recorder.recycle(consume first)
        recorder.record(series: 0, nanoseconds: 456)
        _ = recorder.takeSnapshot()  // hands out the spare made before the first recycle
        let third = recorder.takeSnapshot()  // now the recycled storage
        let thirdStorage = third.histograms[0].slotCounts.withUnsafeBufferPointer { $0.baseAddress }
        #expect(third.histograms[0].totalCount == 0)
        #expect(firstStorage == thirdStorage)
    }

    @Test func snapshotsFromSeveralLoopsMerge() {
        let loops = (0..<3).map { _ in LoopRecorder(seriesNames: Self.series) }
        for (number, loop) in loops.enumerated() {
            loop.record(series: 1, nanoseconds: UInt64(number + 1) * 1_000_000)
            loop.transactions += UInt64(number + 1)
            loop.recordError(sqlState: "57014")
        }
        let total = loops.map { $0.takeSnapshot() }.reduce(IntervalSnapshot(seriesNames: Self.series)) {
            $0.merged(with: $1)
        }
        #expect(total.counters.transactions == 6)
        #expect(total.counters.errorsBySQLState == ["57014": 3])
        #expect(total.histograms[1].totalCount == 3)
        #expect(total.histograms[1].min == total.histograms[1].lowestEquivalentValue(1_000_000))
    }
}
