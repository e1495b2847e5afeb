import Foundation
import LocalCluster
import Engine
import Stats
import Testing
import Workload
import TestSupport

/// pgbench script features that need the engine's cooperation (results into variables, pipelines, sleeps,
/// conditionals, compound statements), run against the real server and checked by what they wrote.
@Suite("Script features through the engine", .serialized)
struct ScriptFeaturesRunTests {
    static func run(_ text: String, mode: QueryMode, clients: Int = 2, transactions: Int = 5,
                    table: String) async throws -> (Benchmark.Outcome, String)
    {
        let settings = try await RunRig.initialisedDatabase()
        let pg = try await TestPostgres.shared()
        try pg.psql("DROP TABLE IF EXISTS \(table); CREATE TABLE \(table) (client int, a bigint, b text)",
                    database: "engine_tests")
        let plan = try Plan.compile(sources: [ScriptSource(name: "features.sql", text: text)], mode: mode)
        var configuration = RunConfiguration(connection: settings)
        configuration.clients = clients
        configuration.threads = 2
        configuration.limit = .transactionsPerClient(transactions)
        configuration.mode = mode
        configuration.noVacuum = true
        configuration.outputDirectory = RunRig.temporaryDirectory()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
        let rows = try pg.psql("SELECT client, a, b FROM \(table) ORDER BY client, a, b", database: "engine_tests")
        return (outcome, rows.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("\\gset and \\aset carry a query's results into later commands", arguments: QueryMode.allCases)
    func gsetAndAset(mode: QueryMode) async throws {
        let (outcome, rows) = try await Self.run("""
            SELECT 40 + 2 AS answer, 100 + :client_id::int AS tag \\gset
            SELECT 7 AS seven \\aset p_
            INSERT INTO features_gset VALUES (:client_id::int, :answer::int + :p_seven::int, :tag);
            """, mode: mode, transactions: 1, table: "features_gset")
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(rows == "0|49|100\n1|49|101")
    }

    @Test("a pipeline runs every command, and \\syncpipeline splits it", arguments: [QueryMode.extended, .prepared])
    func pipelines(mode: QueryMode) async throws {
        let (outcome, rows) = try await Self.run("""
            \\set v random(1, 1000)
            \\startpipeline
            INSERT INTO features_pipe VALUES (:client_id, 1, 'p');
            INSERT INTO features_pipe VALUES (:client_id, 2, 'p');
            \\syncpipeline
            INSERT INTO features_pipe VALUES (:client_id, 3, 'p');
            SELECT :v AS last \\gset
            \\endpipeline
            INSERT INTO features_pipe VALUES (:client_id, 1000 + :last, 'after');
            """, mode: mode, clients: 1, transactions: 3, table: "features_pipe")
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions == 3)
        let lines = rows.split(separator: "\n")
        #expect(lines.count == 12)
        #expect(lines.filter { $0.hasSuffix("|p") }.count == 9)
        #expect(lines.filter { $0.hasSuffix("|after") }.count == 3)
    }

    @Test("\\if, \\sleep and compound statements", arguments: [QueryMode.simple])
    func conditionalsSleepAndCompound(mode: QueryMode) async throws {
        let started = Date()
        let (outcome, rows) = try await Self.run("""
            \\if :client_id = 0
            INSERT INTO features_if VALUES (:client_id, 10, 'zero') \\; INSERT INTO features_if VALUES (:client_id, 11, 'zero');
            \\elif :client_id = 1
            \\sleep 50 ms
            INSERT INTO features_if VALUES (:client_id, 20, 'one');
            \\else
            INSERT INTO features_if VALUES (:client_id, 30, 'other');
            \\endif
            """, mode: mode, clients: 3, transactions: 2, table: "features_if")
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(rows == "0|10|zero\n0|10|zero\n0|11|zero\n0|11|zero\n1|20|one\n1|20|one\n2|30|other\n2|30|other")
        #expect(Date().timeIntervalSince(started) >= 0.1)
    }

    @Test("a non-retryable SQL error aborts the client as pgbench does, or is counted with --continue-on-error")
    func errorsAbortOrContinue() async throws {
        let script = "SELECT 1 / (:client_id::int - :client_id::int);\n"
        let (aborted, _) = try await Self.run(script, mode: .prepared, transactions: 3, table: "features_err")
        #expect(aborted.abortedClients == 2, "\(aborted.abortMessages) \(aborted.summary.errorsBySQLState)")
        #expect(aborted.summary.errorsBySQLState["22012"] == 2)

        let settings = try await RunRig.initialisedDatabase()
        let plan = try Plan.compile(sources: [ScriptSource(name: "err.sql", text: script)], mode: .prepared)
        var configuration = RunConfiguration(connection: settings)
        configuration.clients = 2
        configuration.limit = .transactionsPerClient(3)
        configuration.continueOnError = true
        configuration.noVacuum = true
        configuration.outputDirectory = RunRig.temporaryDirectory()
        let continued = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
        #expect(continued.abortedClients == 0)
        #expect(continued.summary.failedTransactions == 6)
        #expect(continued.summary.errorsBySQLState["22012"] == 6)
        #expect(continued.summary.latencyMicroseconds.count == 0)
    }
}
