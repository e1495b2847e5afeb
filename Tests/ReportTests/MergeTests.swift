import Foundation
import Stats
import Testing

@testable import Report

@Suite("merge")
struct MergeTests {
    @Test("shards' intervals are aligned by absolute time and add exactly; the summary sums and recomputes")
    func mergesShards() throws {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        // The second shard started 2.02 s later: its interval 0 is the first shard's interval 2.
        var first = SyntheticResults.run(
            path: "/s/0", intervals: 6, perInterval: 100, latencyMs: 2, seed: 1,
            startTime: start)
        first = ResultDirectory(
            path: first.path,
            summary: {
                var summary = first.summary
                summary.failedPerInterval = [0, 0, 3, 0, 0, 1]
                return summary
            }(), hlog: first.hlog, hlogPath: first.hlogPath)
        let second = SyntheticResults.run(
            path: "/s/1", intervals: 6, perInterval: 50, latencyMs: 4, seed: 2,
            startTime: start.addingTimeInterval(2.02))
        let merged = try ResultMerger.merge([first, second], commandLine: "pgswarm merge /s/0 /s/1 --out m")
        let untagged = merged.intervals.filter { $0.tag == nil }
        #expect(untagged.map(\.start) == [0, 1, 2, 3, 4, 5, 6, 7])
        #expect(untagged.map(\.histogram.totalCount) == [100, 100, 150, 150, 150, 150, 50, 50])
        var expected = first.hlog.intervals(tag: nil)[2].histogram
        expected.add(second.hlog.intervals(tag: nil)[0].histogram)
        #expect(untagged[2].histogram == expected)

        let summary = merged.summary
        #expect(summary.transactions == 900)
        #expect(summary.tps == first.summary.tps + second.summary.tps)
        #expect(summary.clients == 8)
        var all = first.hlog.merged(tag: nil)
        all.add(second.hlog.merged(tag: nil))
        #expect(summary.latencyMicroseconds == LatencySummary(nanoseconds: all))
        #expect(summary.latencyMicroseconds.p99 > 3000)  // the slower shard shows in the tail
        #expect(summary.scripts.first?.transactions == 900)
        #expect(summary.scripts.first?.latencyMicroseconds == LatencySummary(nanoseconds: all))
        #expect(summary.connectMicroseconds?.count == 8)
        #expect(summary.mergedCommandLines == [first.summary.commandLine, second.summary.commandLine])
        #expect(abs(summary.durationSeconds - 8.02) < 1e-6)
        // The second shard recorded no failures per interval (an older version): the first one's land in place.
        #expect(summary.failedPerInterval == [0, 0, 3, 0, 0, 1, 0, 0])
    }

    @Test("merged results written to disk read back, and the hlog holds every tag")
    func writesAndReadsBack() throws {
        let directory = TemporaryDirectory.make()
        let runs = (0..<3).map { SyntheticResults.run(path: "/s/\($0)", intervals: 4, seed: UInt64($0 + 1)) }
        let merged = try ResultMerger.merge(runs, commandLine: "pgswarm merge")
        try ResultMerger.write(merged, to: directory + "/m", comment: "test")
        let back = try ResultDirectory.load(directory + "/m")
        #expect(back.summary.transactions == 3 * 4 * 200)
        #expect(back.hlog.tags == [nil, "connect", "script.bench.sql"])
        #expect(back.hlog.merged(tag: nil).totalCount == 2400)
        // A merged result compares with a single run of the same workload.
        let comparison = try Comparison.compare(base: [runs[0]], new: [back])
        #expect(comparison.warnings.isEmpty)
    }

    @Test("the state-leak counts add up, and the driver is named once when the shards agree")
    func mergesStateLeakAndDriver() throws {
        var runs = (0..<2).map { SyntheticResults.run(path: "/s/\($0)", intervals: 3, seed: UInt64($0 + 1)) }
        for index in runs.indices {
            var summary = runs[index].summary
            summary.stateLeak = StateLeakSummary(checks: 10 * (index + 1), leaks: index, example: index == 1 ? "client-3" : nil,
                                                 sets: 5, errors: 0)
            summary.ioDriver = "direct"
            runs[index] = ResultDirectory(path: runs[index].path, summary: summary, hlog: runs[index].hlog,
                                          hlogPath: runs[index].hlogPath)
        }
        let merged = try ResultMerger.merge(runs, commandLine: "pgswarm merge").summary
        #expect(merged.stateLeak == StateLeakSummary(checks: 30, leaks: 1, example: "client-3", sets: 10, errors: 0))
        #expect(merged.ioDriver == "direct")
        #expect(merged.tlsHandshakeMicroseconds == nil)  // no Tag=tls in these runs
    }

    @Test("shards of different workloads are not merged")
    func refusesDifferentWorkloads() {
        let first = SyntheticResults.run(path: "/s/0")
        let second = SyntheticResults.run(path: "/s/1", script: "other.sql")
        #expect(throws: ReportError.self) { try ResultMerger.merge([first, second], commandLine: "") }
    }
}
