import Foundation
import Report
import Stats

/// Results directories made in memory: interval histograms drawn from a known latency distribution.
enum SyntheticResults {
    /// A deterministic generator so that the tests' samples are the same on every run.
    struct Generator {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }

    /// A run of `intervals` one-second intervals with `perInterval` transactions whose latency is `latencyMs`
    /// times a random factor in 1 ± `noise`.
    static func run(
        path: String = "/synthetic/run",
        intervals: Int = 20,
        perInterval: Int = 200,
        latencyMs: Double = 2,
        noise: Double = 0.2,
        seed: UInt64 = 1,
        script: String = "bench.sql",
        startTime: Date = Date(timeIntervalSince1970: 1_700_000_000),
        tags: [String] = ["connect", "script.bench.sql"]
    ) -> ResultDirectory {
        var generator = Generator(state: seed)
        var log = HlogLog(startTime: startTime, baseTime: startTime.timeIntervalSince1970, comments: [], intervals: [])
        var total = LatencyHistogram()
        for index in 0..<intervals {
            var histogram = LatencyHistogram()
            for _ in 0..<perInterval {
                let factor = 1 + noise * (2 * generator.next() - 1)
                histogram.record(UInt64(latencyMs * factor * 1e6))
            }
            total.add(histogram)
            log.intervals.append(
                HlogInterval(
                    tag: nil, start: Double(index), length: 1,
                    maxMs: Double(histogram.max) / 1e6, histogram: histogram))
            for tag in tags {
                var tagged = LatencyHistogram()
                if tag == "connect" {
                    if index == 0 { tagged.record(1_000_000, count: 4) }
                } else {
                    tagged.add(histogram)
                }
                log.intervals.append(
                    HlogInterval(
                        tag: tag, start: Double(index), length: 1,
                        maxMs: Double(tagged.max) / 1e6, histogram: tagged))
            }
        }
        let summary = RunSummary(
            pgswarmVersion: "0.1.0", mode: "simple", commandLine: "pgswarm run -f \(script) -c 4 -T \(intervals)",
            startedAt: startTime, durationSeconds: Double(intervals), clients: 4, threads: 2,
            transactions: total.totalCount, failedTransactions: 0, tps: Double(total.totalCount) / Double(intervals),
            interrupted: false, latencyMicroseconds: LatencySummary(nanoseconds: total),
            scripts: [
                ScriptSummary(
                    name: script, transactions: total.totalCount, failed: 0,
                    latencyMicroseconds: LatencySummary(nanoseconds: total))
            ],
            hlogFile: "latency.hlog"
        )
        return ResultDirectory(path: path, summary: summary, hlog: log, hlogPath: path + "/latency.hlog")
    }

    /// Writes a synthetic run to disk as `pgswarm run` would.
    static func write(_ run: ResultDirectory, to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let writer = try HlogWriter(path: directory + "/latency.hlog", startTime: run.hlog.startTime!)
        for interval in run.hlog.intervals {
            try writer.writeInterval(
                tag: interval.tag, start: interval.start, length: interval.length,
                histogram: interval.histogram)
        }
        try writer.close()
        try run.summary.write(to: directory + "/summary.json")
    }
}
