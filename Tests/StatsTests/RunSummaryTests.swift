import Foundation
import Testing

@testable import Stats

struct RunSummaryTests {
    static func sample() -> RunSummary {
        var latency = LatencyHistogram()
        for value in 1...1000 as ClosedRange<UInt64> { latency.record(value * 1_000) }
        return RunSummary(
            pgswarmVersion: "0.1.0",
            mode: "rate",
            commandLine: "pgswarm run --rate 500 -c 10",
            serverVersion: "15.8",
            protocolVersion: "3.0",
            startedAt: Date(timeIntervalSince1970: 1_764_036_000),
            durationSeconds: 10,
            clients: 10,
            threads: 2,
            rate: 500,
            transactions: 4_990,
            failedTransactions: 10,
            tps: 499,
            interrupted: false,
            errorsBySQLState: ["40001": 10],
            latencyMicroseconds: LatencySummary(nanoseconds: latency),
            scripts: [
                ScriptSummary(
                    name: "tpcb-like",
                    transactions: 4_990,
                    failed: 10,
                    latencyMicroseconds: LatencySummary(nanoseconds: latency)
                )
            ],
            hlogFile: "latency.hlog"
        )
    }

    @Test func latencySummaryIsInMicroseconds() {
        let summary = Self.sample().latencyMicroseconds
        #expect(summary.count == 1000)
        #expect(summary.min == 1)
        #expect(summary.p50 == 500.223)
        #expect(summary.p99 == 990.207)
        #expect(summary.max == 1000.447)
        #expect(abs(summary.mean - 500.5) < 0.2)
    }

    @Test func writesSnakeCaseSortedPrettyJSON() throws {
        let text = String(decoding: try Self.sample().jsonData(), as: UTF8.self)
        #expect(text.contains("\"failed_transactions\" : 10"))
        #expect(text.contains("\"started_at\" : \"2025-11-25T02:00:00Z\""))
        #expect(text.contains("\"errors_by_sqlstate\" : {\n    \"40001\" : 10\n  }"))
        #expect(text.contains("\"latency_us\" : {"))
        #expect(text.contains("\"duration_s\" : 10"))
        #expect(!text.contains("tps_including_connect"))  // absent optionals are left out
        let keys = text.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(keys == keys.sorted())
        #expect(keys.first == "clients" && keys.last == "transactions")
    }

    @Test func roundTripsThroughAFile() throws {
        let directory = try TestResources.temporaryDirectory()
        let path = directory.appendingPathComponent("summary.json").path
        let summary = Self.sample()
        try summary.write(to: path)
        #expect(try RunSummary.read(from: path) == summary)
    }
}
