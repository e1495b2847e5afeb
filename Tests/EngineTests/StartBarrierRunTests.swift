import Foundation
import LocalCluster
import Engine
import Stats
import Testing
import Workload
@testable import Connection
import TestSupport

/// `--start-clients together` (the default, pgbench's way): every client connects before any transaction starts,
/// tps counts from then, and connections still open at the end of a duration run close only after every client is
/// done. Against a real server, in a database of its own.
@Suite("Clients start together", .serialized)
struct StartBarrierRunTests {
    static func database() async throws -> (LocalPostgres, ConnectionSettings) {
        let pg = try await TestPostgres.shared()
        try barrierDatabaseOnce.run {
            try pg.psql("DROP DATABASE IF EXISTS barrier_tests")
            try pg.psql("CREATE DATABASE barrier_tests")
            try pg.psql("CREATE TABLE seen (client int, connections int)", database: "barrier_tests")
        }
        try pg.psql("TRUNCATE seen", database: "barrier_tests")
        let settings = ConnectionSettings(endpoint: .tcp(host: pg.host, port: pg.port), user: pg.superuser,
                                          database: "barrier_tests")
        return (pg, settings)
    }

    /// Each transaction writes down how many of the run's clients were connected when it began, then lasts half a
    /// second, so that no client finishes (and disconnects) while another one's first transaction is starting.
    static let countingScript = ScriptSource(name: "seen.sql", text: """
        INSERT INTO seen SELECT :client_id, count(*) FROM pg_stat_activity
          WHERE datname = 'barrier_tests' AND backend_type = 'client backend' AND pid <> pg_backend_pid()
            AND application_name = 'pgswarm';
        SELECT pg_sleep(0.5);
        """)
    static let selectOne = ScriptSource(name: "one.sql", text: "SELECT 1;\n")

    static func configuration(_ settings: ConnectionSettings, clients: Int, limit: RunConfiguration.Limit)
        -> RunConfiguration
    {
        var configuration = RunRig.configuration(settings, clients: clients, limit: limit)
        configuration.connection.applicationName = "pgswarm"
        return configuration
    }

    @Test("no client starts a transaction before all are connected; tps leaves the connecting out")
    func firstTransactionsWaitForEveryone() async throws {
        let (pg, settings) = try await Self.database()
        let plan = try Plan.compile(sources: [Self.countingScript], mode: .simple)
        let clients = 24
        let lines = LineCollector()
        let outcome = try await Benchmark.run(
            configuration: Self.configuration(settings, clients: clients, limit: .transactionsPerClient(1)),
            plan: plan, print: lines.append)
        #expect(outcome.summary.transactions == UInt64(clients))
        // The first transaction of every client saw the other 23 connected (and perhaps the run's own admin
        // connection, also "pgswarm").
        let seen = try pg.psql("SELECT min(connections), count(*) FROM seen", database: "barrier_tests")
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").compactMap { Int($0) }
        #expect(seen.count == 2 && seen[0] >= clients - 1 && seen[1] == clients, "\(seen)")
        let summary = outcome.summary
        let connecting = try #require(summary.initialConnectionSeconds)
        #expect(connecting > 0 && connecting < summary.durationSeconds)
        let expectedTPS = Double(summary.transactions) / (summary.durationSeconds - connecting)
        #expect(abs(summary.tps - expectedTPS) < 1e-6 * expectedTPS)
        #expect(lines.text.contains(String(format: "initial connection time = %.3f ms", connecting * 1000)))
    }

    @Test("with --start-clients each there is no barrier: no initial_connection_s, the old tps")
    func eachStartsAlone() async throws {
        let (_, settings) = try await Self.database()
        let plan = try Plan.compile(sources: [Self.countingScript], mode: .simple)
        var configuration = Self.configuration(settings, clients: 6, limit: .transactionsPerClient(2))
        configuration.clientsStartTogether = false
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
        #expect(outcome.summary.transactions == 12)
        #expect(outcome.summary.initialConnectionSeconds == nil)
    }

    @Test("clients refused at login count in: the others start, the run ends on time")
    func refusedClientsDoNotHoldTheOthers() async throws {
        let (pg, settings) = try await Self.database()
        // A role's connection limit holds for anyone but superusers.
        try barrierRoleOnce.run {
            try pg.psql("DROP ROLE IF EXISTS barrier_limited")
            try pg.psql("CREATE ROLE barrier_limited LOGIN CONNECTION LIMIT 4")
        }
        var limited = settings
        limited.user = "barrier_limited"
        let plan = try Plan.compile(sources: [Self.selectOne], mode: .prepared)
        var configuration = Self.configuration(limited, clients: 7, limit: .duration(seconds: 2))
        configuration.reconnect = false
        let started = Date()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(outcome.abortedClients == 3, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions > 0)
    }

    @Test("connections kept to the end of a duration run are closed before the run returns")
    func heldConnectionsClose() async throws {
        let (pg, settings) = try await Self.database()
        let plan = try Plan.compile(sources: [Self.selectOne], mode: .prepared)
        let outcome = try await Benchmark.run(
            configuration: Self.configuration(settings, clients: 8, limit: .duration(seconds: 1)),
            plan: plan, print: { _ in })
        #expect(outcome.summary.transactions > 0)
        // Each got its Terminate: the backends go away (they exit after the run returned, so poll briefly).
        var remaining = ""
        for _ in 0..<50 {
            remaining = try pg.psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'barrier_tests' "
                                    + "AND application_name = 'pgswarm'").trimmingCharacters(in: .whitespacesAndNewlines)
            if remaining == "0" { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        #expect(remaining == "0")
    }

    @Test("through PgBouncer in session mode, clients waiting for a server get one at the end: the run ends on time")
    func sessionPoolingWaitersFinish() async throws {
        let (pg, settings) = try await Self.database()
        var options = LocalPgBouncer.Options(poolMode: .session)
        options.defaultPoolSize = 2
        let bouncer = try LocalPgBouncer.start(backend: pg, options: options)
        defer { bouncer.stop() }
        var pooled = settings
        pooled.endpoint = .tcp(host: bouncer.host, port: bouncer.port)
        pooled.sslMode = .disable
        let plan = try Plan.compile(sources: [ScriptSource(name: "nap.sql", text: "SELECT pg_sleep(0.05);\n")],
                                    mode: .simple)
        let started = Date()
        let outcome = try await Benchmark.run(
            configuration: Self.configuration(pooled, clients: 4, limit: .duration(seconds: 2)),
            plan: plan, print: { _ in })
        // Two clients hold the two servers for the whole run; the other two wait in PgBouncer's queue with a
        // transaction each. At the end the holders' connections must close (not wait for everyone, the waiters
        // being part of everyone), so that the waiters' transactions run: no 5 s grace, no forced stop.
        #expect(Date().timeIntervalSince(started) < 4)
        let fairness = try #require(outcome.summary.fairness)
        #expect(fairness.minTransactions == 1, "\(fairness)")
        #expect(outcome.summary.failedTransactions == 0)
    }

    @Test("clients still connecting at the end hold the others back, and the summary says so")
    func connectingAtTheEndIsReported() async throws {
        let (_, settings) = try await Self.database()
        // A connection setup that outlasts the run: no client is ready before the deadline.
        var configuration = Self.configuration(settings, clients: 3, limit: .duration(seconds: 1))
        configuration.connectionSetupSQL = ["SELECT pg_sleep(2)"]
        configuration.progressInterval = 0.5
        let plan = try Plan.compile(sources: [Self.selectOne], mode: .simple)
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
        #expect(outcome.summary.transactions == 0)
        // While they connect, -P prints lines of their own shape instead of pgbench's progress lines.
        #expect(lines.text.contains("connecting: 0.5 s, "), "\(lines.text)")
        #expect(!lines.text.contains("progress: 0.5 s"), "\(lines.text)")
        #expect(outcome.summary.clientsConnectingAtStop == 3)
        #expect(lines.text.contains("the run ended before every client was connected: 3 of 3 were still connecting"),
                "\(lines.text)")
    }
}

/// Runs its body once per test process (the suite's setup, shared by its tests).
private final class RunOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func run(_ body: () throws -> Void) throws {
        try lock.withLock {
            if done { return }
            try body()
            done = true
        }
    }
}

private let barrierDatabaseOnce = RunOnce()
private let barrierRoleOnce = RunOnce()
