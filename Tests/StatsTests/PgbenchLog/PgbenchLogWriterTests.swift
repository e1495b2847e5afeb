import Foundation
import Testing

@testable import Stats

@Suite struct PgbenchLogWriterTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("pgbench_log-\(UUID().uuidString)").path
    }

    static func record(client: Int, number: Int, atMicroseconds end: UInt64, latency: UInt64 = 1000)
        -> PgbenchLogRecord
    {
        PgbenchLogRecord(clientID: client, transactionNumber: number, outcome: .completed(latencyMicroseconds: latency),
                         scriptIndex: 0, endMicrosecondsSinceEpoch: end)
    }

    @Test("file names follow pgbench's: PREFIX.PID for the first thread, PREFIX.PID.N for the others")
    func names() {
        let settings = PgbenchLogWriter.Settings(prefix: "run")
        #expect(settings.path(processID: 4242, thread: 0) == "run.4242")
        #expect(settings.path(processID: 4242, thread: 2) == "run.4242.2")
    }

    @Test("a line per transaction, buffered across many and all written at close")
    func perTransaction() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PgbenchLogWriter(settings: .init(), path: path, startMicrosecondsSinceEpoch: 0, seed: 1)
        for number in 1...5000 {
            writer.record(Self.record(client: number % 3, number: number, atMicroseconds: 1_700_000_000_000_000))
        }
        writer.close()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5000)
        #expect(lines[0] == "1 1 1000 0 1700000000 0")
    }

    @Test("--sampling-rate keeps about that fraction")
    func sampling() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try PgbenchLogWriter(settings: .init(samplingRate: 0.25), path: path,
                                          startMicrosecondsSinceEpoch: 0, seed: 42)
        for number in 1...20_000 {
            writer.record(Self.record(client: 0, number: number, atMicroseconds: 1_700_000_000_000_000))
        }
        writer.close()
        let count = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count
        #expect((4_500...5_500).contains(count), "\(count) of 20,000 kept")
    }

    @Test("aggregate intervals: one line each, empty ones included, the last one at close")
    func aggregates() throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let start: UInt64 = 1_700_000_000_000_000
        let writer = try PgbenchLogWriter(settings: .init(aggregateIntervalSeconds: 1), path: path,
                                          startMicrosecondsSinceEpoch: start + 300_000, seed: 1)
        writer.record(Self.record(client: 0, number: 1, atMicroseconds: start + 400_000, latency: 100))
        writer.record(Self.record(client: 0, number: 2, atMicroseconds: start + 900_000, latency: 300))
        // Nothing during the second after; then one transaction in the third.
        writer.record(Self.record(client: 0, number: 3, atMicroseconds: start + 2_100_000, latency: 200))
        writer.close()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines == [
            "1700000000 2 400 100000 100 300 0 0 0 0 0 0 0 0 0",
            "1700000001 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
            "1700000002 1 200 40000 200 200 0 0 0 0 0 0 0 0 0",
        ])
    }
}
