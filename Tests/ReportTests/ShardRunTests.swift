import Foundation
import Stats
import Testing

@testable import Report

/// Two local processes run the shards of one benchmark at the same start time; merge combines them.
@Suite("sharded runs and merge", .serialized)
struct ShardRunTests {
    @Test("shards split the clients with distinct ids, start together, and merge exactly")
    func shardsAndMerge() throws {
        let runs = try RealRuns.shared()
        try runs.server.psql(
            "DROP TABLE IF EXISTS shard_clients; CREATE TABLE shard_clients (client int)",
            database: runs.database)
        let directory = TemporaryDirectory.make("pgswarm-shards")
        let script = directory + "/insert.sql"
        try "INSERT INTO shard_clients VALUES (:client_id);\n".write(toFile: script, atomically: true, encoding: .utf8)
        let startAt = (Date().timeIntervalSince1970 + 3).rounded()
        let shards = try (0..<2).map { index in
            try PgswarmBinary.Running(
                [
                    "run", "-c", "5", "-j", "1", "-T", "2", "-P", "0.5", "-n", "-f", script, "--shard", "\(index)/2",
                    "--start-at", String(Int(startAt)), "--out", directory + "/shard-\(index)",
                ] + runs.connectionArguments
            )
        }
        let outcomes = shards.map { $0.finish(timeout: 30) }
        for outcome in outcomes { #expect(outcome.status == 0, "\(outcome.standardError)") }

        let results = try (0..<2).map { try ResultDirectory.load(directory + "/shard-\($0)") }
        #expect(results.map(\.summary.clients) == [3, 2])
        for result in results {
            // Each waited for the start time, and did not start much after it.
            let start = try #require(result.hlog.startTime).timeIntervalSince1970
            #expect(start >= startAt - 0.01 && start < startAt + 1, "started at \(start), asked for \(startAt)")
        }
        let clients = try runs.server.psql(
            "SELECT string_agg(DISTINCT client::text, ',' ORDER BY client::text) "
                + "FROM shard_clients", database: runs.database)
        #expect(clients.trimmingCharacters(in: .whitespacesAndNewlines) == "0,1,2,3,4")

        let merged = directory + "/merged"
        let outcome = try PgswarmBinary.run([
            "merge", directory + "/shard-0", directory + "/shard-1", "--out", merged,
            "--report",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let result = try ResultDirectory.load(merged)
        let transactions = results.map(\.summary.transactions).reduce(0, +)
        #expect(result.summary.transactions == transactions)
        #expect(result.summary.clients == 5)
        #expect(abs(result.summary.tps - results.map(\.summary.tps).reduce(0, +)) < 1e-6)
        #expect(result.hlog.merged(tag: nil).totalCount == transactions)
        let rows = try runs.server.psql("SELECT count(*) FROM shard_clients", database: runs.database)
        // Every counted transaction inserted a row; a transaction in flight at the deadline may have committed
        // without being counted (at most one per client).
        let inserted = try #require(UInt64(rows.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(inserted >= transactions && inserted <= transactions + 5, "\(inserted) rows, \(transactions) counted")
        #expect(result.summary.latencyMicroseconds == LatencySummary(nanoseconds: result.hlog.merged(tag: nil)))
        #expect(FileManager.default.fileExists(atPath: merged + "/report.html"))
    }

    @Test("shards of different workloads are refused")
    func refusesMixedWorkloads() throws {
        let runs = try RealRuns.shared()
        let directory = TemporaryDirectory.make("pgswarm-shards")
        try SyntheticResults.write(SyntheticResults.run(), to: directory + "/synthetic")
        let outcome = try PgswarmBinary.run(["merge", runs.base, directory + "/synthetic", "--out", directory + "/m"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.contains("ran different workloads"))
        let compare = try PgswarmBinary.run(["compare", runs.base, directory + "/synthetic"])
        #expect(compare.status == 2)
        #expect(compare.standardError.contains("--force"))
        let forced = try PgswarmBinary.run(["compare", runs.base, directory + "/synthetic", "--force"])
        #expect(forced.status == 0)
        #expect(forced.standardOutput.contains("warning: "))
    }
}
