import Foundation
import LocalCluster
import NIOPosix
import Stats
import Testing

@testable import Engine
@testable import Workload
@testable import Connection
@testable import PgbenchCLI
@testable import PoolerChecks
import TestSupport

/// Issue 7's behaviours against PgBouncer: the session-state-leak probe (direct, transaction and session pooling),
/// cancels through the pooler, a spec's `[pooler]` table, and the shipped Workloads/pooler specs.
@Suite("Pooler stress through PgBouncer", .serialized)
struct PoolerStressTests {
    static let selectOne = ScriptSource(name: "one", text: "SELECT 1;\n")

    /// The tests' database directly, or through the shared bouncer of a pool mode.
    static func settings(poolMode: LocalPgBouncer.PoolMode?) async throws -> ConnectionSettings {
        guard let poolMode else { return try await RunRig.initialisedDatabase() }
        return try await RunRig.bouncerSettings(poolMode: poolMode)
    }

    /// A run of `seconds` on two threads with the state-leak probe beside its clients.
    static func leakRun(_ settings: ConnectionSettings, seconds: Double = 1.5) async throws
        -> (Benchmark.Outcome, String)
    {
        let plan = try Plan.compile(sources: [selectOne], mode: .simple)
        var configuration = RunRig.configuration(settings, clients: 2, limit: .duration(seconds: seconds))
        var checks = PoolerCheckOptions()
        checks.stateLeakCheck = true
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, companions: checks.companions,
                                              print: lines.append)
        return (outcome, lines.text)
    }

    // MARK: State leak

    @Test("state-leak probe against PostgreSQL directly: many checks, no leaks")
    func stateLeakDirect() async throws {
        let (outcome, report) = try await Self.leakRun(try await Self.settings(poolMode: nil))
        let leak = try #require(outcome.summary.stateLeak, "\(report)")
        #expect(leak.checks >= 5, "\(leak)")
        #expect(leak.sets >= 5, "\(leak)")
        #expect(leak.leaks == 0, "\(leak)")
        #expect(leak.example == nil)
        #expect(leak.errors == 0, "\(report)")
        #expect(report.contains("state leak check: \(leak.checks) checks, 0 leaks; \(leak.sets) SETs made"))
        // The summary file carries it too.
        let json = try String(contentsOfFile: outcome.outputDirectory + "/summary.json", encoding: .utf8)
        #expect(json.contains("\"state_leak\""))
    }

    @Test("state-leak probe through PgBouncer transaction pooling: a session SET reaches other clients")
    func stateLeakTransactionPooling() async throws {
        let (outcome, report) = try await Self.leakRun(try await Self.settings(poolMode: .transaction))
        let leak = try #require(outcome.summary.stateLeak, "\(report)")
        #expect(leak.checks >= 5, "\(leak)")
        // PgBouncer 1.18 runs server_reset_query (DISCARD ALL) only in session mode: the SET stays on the server
        // connection and the next client linked to it reads another client's marker.
        #expect(leak.leaks > 0, "\(leak)")
        #expect(leak.example?.hasPrefix("client-") == true, "\(leak)")
        #expect(leak.errors == 0, "\(report)")
        #expect(report.contains("\(leak.leaks) leaks (a session SET of another connection was visible"))
        #expect(outcome.summary.failedTransactions == 0)
    }

    @Test("state-leak probe through PgBouncer session pooling: no leaks")
    func stateLeakSessionPooling() async throws {
        let (outcome, report) = try await Self.leakRun(try await Self.settings(poolMode: .session))
        let leak = try #require(outcome.summary.stateLeak, "\(report)")
        #expect(leak.checks >= 5, "\(leak)")
        #expect(leak.leaks == 0, "\(leak)")
        #expect(leak.errors == 0, "\(report)")
    }

    @Test("without --state-leak-check there is no probe and no state_leak in summary.json")
    func noProbeUnlessAsked() async throws {
        let settings = try await Self.settings(poolMode: nil)
        let plan = try Plan.compile(sources: [Self.selectOne], mode: .simple)
        let configuration = RunRig.configuration(settings, clients: 1, limit: .transactionsPerClient(5))
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
        #expect(outcome.summary.stateLeak == nil)
        let json = try String(contentsOfFile: outcome.outputDirectory + "/summary.json", encoding: .utf8)
        #expect(!json.contains("state_leak"))
    }

    @Test("a pooler that goes away mid-run: the run ends on time with its results, the probe's failures counted")
    func stateLeakProbeSurvivesADeadPooler() async throws {
        _ = try await RunRig.initialisedDatabase()
        // A bouncer of its own: stopping the shared one would take the other tests with it.
        let bouncer = try LocalPgBouncer.start(backend: try await TestPostgres.shared(),
                                               options: .init(poolMode: .transaction))
        defer { bouncer.stop() }
        var settings = ConnectionSettings(endpoint: .tcp(host: bouncer.host, port: bouncer.port),
                                          user: bouncer.backend.superuser, database: "engine_tests")
        settings.sslMode = .disable
        let stopper = Task {
            try? await Task.sleep(for: .milliseconds(700))
            bouncer.stop()
        }
        let started = Date()
        let (outcome, report) = try await Self.leakRun(settings, seconds: 2)
        await stopper.value
        // The 2 s run, and at most the probe's grace besides: nothing waits on the dead pooler.
        #expect(Date().timeIntervalSince(started) < 8, "\(report)")
        let leak = try #require(outcome.summary.stateLeak, "\(report)")
        #expect(leak.checks > 0, "\(leak)")
        #expect(leak.errors > 0, "\(leak)")
        #expect(report.contains("state leak probe error: "), "\(report)")
        #expect((outcome.summary.lostConnections ?? 0) > 0, "\(report)")
    }

    @Test("a -t run whose pooler dies for good: the clients give up reconnecting and the run ends with its results")
    func transactionCountRunAgainstADeadPooler() async throws {
        _ = try await RunRig.initialisedDatabase()
        let bouncer = try LocalPgBouncer.start(backend: try await TestPostgres.shared(),
                                               options: .init(poolMode: .transaction))
        defer { bouncer.stop() }
        var settings = ConnectionSettings(endpoint: .tcp(host: bouncer.host, port: bouncer.port),
                                          user: bouncer.backend.superuser, database: "engine_tests")
        settings.sslMode = .disable
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .simple)
        var configuration = RunRig.configuration(settings, clients: 4,
                                                             limit: .transactionsPerClient(10_000_000))
        configuration.reconnectGiveUpSeconds = 1
        let stopper = Task {
            try? await Task.sleep(for: .milliseconds(500))
            bouncer.stop()
        }
        let started = Date()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
        await stopper.value
        // Ten million transactions a client would take hours: the run ended because every client gave up.
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(outcome.abortedClients == 4)
        #expect(outcome.abortMessages.allSatisfy { $0.contains("could not reconnect") && $0.contains("giving up") },
                "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions > 0)
        #expect((outcome.summary.lostConnections ?? 0) >= 4)
    }

    @Test("a pooler that accepts connections and never answers: finish() returns in bounded time and says so")
    func stateLeakProbeSurvivesASilentPooler() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        // Accepts TCP connections and never writes a byte: every login waits for ever.
        let silent = try await ServerBootstrap(group: group)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { silent.close(promise: nil) }
        var settings = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: silent.localAddress!.port!),
                                          user: "u", database: "d")
        settings.sslMode = .disable
        let probe = StateLeakProbe.start(settings: settings, group: group)
        try await Task.sleep(for: .milliseconds(200))
        let started = ContinuousClock.now
        let outcome = await probe.finish()
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(outcome.checks == 0 && outcome.sets == 0)
        #expect(outcome.errors == StateLeakProbe.setters + StateLeakProbe.checkers, "\(outcome)")
        #expect(outcome.firstError?.contains("probe connections got no answer") == true, "\(outcome)")
    }

    // MARK: Cancels

    @Test("--cancel-fraction through PgBouncer: cancels are forwarded, counted and the run completes",
          arguments: [LocalPgBouncer.PoolMode.transaction, .session])
    func cancelsThroughPgBouncer(poolMode: LocalPgBouncer.PoolMode) async throws {
        let settings = try await Self.settings(poolMode: poolMode)
        let plan = try Plan.compile(sources: [ScriptSource(name: "sleep", text: "SELECT pg_sleep(0.05);\n")],
                                    mode: .simple)
        var configuration = RunRig.configuration(settings, clients: 3, limit: .transactionsPerClient(12))
        configuration.cancelFraction = 0.5
        configuration.cancelDelayMicroseconds = 10_000
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        let cancels = try #require(outcome.summary.cancels, "\(lines.text)")
        #expect(cancels.sent > 0, "\(cancels)")
        // PgBouncer answers the CancelRequest by forwarding it to the server connection the client is linked to;
        // 10 ms into a 50 ms sleep, that is the one running the sleep.
        #expect(cancels.cancelled > 0, "\(cancels)\n\(lines.text)")
        let cancelledBySQLState = outcome.summary.errorsBySQLState["57014"] ?? 0
        #expect(cancelledBySQLState == cancels.cancelled + cancels.misdirected + (cancels.wrongVictim ?? 0),
                "\(outcome.summary.errorsBySQLState)")
        #expect(outcome.summary.lostConnections == 0)
        #expect(cancels.cancelled + cancels.late == cancels.sent, "\(cancels)")
        #expect(outcome.summary.transactions + outcome.summary.failedTransactions == 36)
        let saved = try RunSummary.read(from: outcome.outputDirectory + "/summary.json")
        #expect(saved.cancels == cancels)
    }

    // MARK: Specs

    @Test("a spec's [pooler] table runs through PgBouncer: storm, idle horde, cancels and leak probe")
    func specWithPoolerTable() async throws {
        let settings = try await Self.settings(poolMode: .transaction)
        let spec = try WorkloadSpec.parse(
            """
            [pooler]
            connect_storm = 20
            storm_rate = 400
            idle_connections = 5
            cancel_fraction = 0.3
            cancel_delay = "10ms"
            state_leak_check = true

            [[script]]
            sql = "SELECT pg_sleep(0.03)"

            [[phase]]
            duration = "1.5s"
            clients = 2
            """,
            path: "pooler.toml"
        )
        var options = PgbenchOptions()
        options.jobs = "1"
        options.noVacuum = true
        options.outputDirectory = RunRig.temporaryDirectory()
        let (configuration, checks, plan) = try options.makeSpecRun(spec: spec, connection: settings)
        #expect(checks.connectStorm == 20 && checks.stormRate == 400)
        #expect(checks.idleConnections == 5 && !checks.idleInTransaction)
        #expect(configuration.cancelFraction == 0.3 && configuration.cancelDelayMicroseconds == 10_000)
        #expect(checks.stateLeakCheck)
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, companions: checks.companions,
                                              print: lines.append)
        let summary = outcome.summary
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(summary.storm?.attempted == 20 && summary.storm?.connected == 20, "\(lines.text)")
        #expect(summary.idleConnectionsOpened == 5 && summary.idleConnectionsAlive == 5, "\(lines.text)")
        #expect((summary.cancels?.sent ?? 0) > 0, "\(lines.text)")
        #expect((summary.stateLeak?.checks ?? 0) > 0, "\(lines.text)")
        #expect(summary.transactions > 0)
    }

    // MARK: Workloads/pooler

    static let poolerWorkloads = RunRig.workloads.appendingPathComponent("pooler")
    static let poolerFiles = [
        "cancels.toml", "churn.toml", "idle-horde.toml", "prepared-transaction-pooling.toml", "state-leak.toml",
        "storm.toml",
    ]

    @Test("pgswarm check accepts every Workloads/pooler spec")
    func shippedPoolerSpecsAreValid() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.poolerWorkloads.path)
            .filter { $0.hasSuffix(".toml") }.sorted()
        #expect(Set(Self.poolerFiles).isSubset(of: names), "\(names)")
        // Every spec there, these and the probes' own.
        for name in names {
            let outcome = try PgswarmProcess.run(["check", Self.poolerWorkloads.appendingPathComponent(name).path])
            #expect(outcome.status == 0, "\(name): \(outcome.standardError)")
            #expect(outcome.lines.last?.hasPrefix("ok: ") == true, "\(name): \(outcome.standardOutput)")
        }
        let storm = try PgswarmProcess.run(["check", Self.poolerWorkloads.appendingPathComponent("storm.toml").path])
        #expect(storm.lines.contains("pooler: connect storm 150 at once"))
        let leak = try PgswarmProcess.run(["check", Self.poolerWorkloads.appendingPathComponent("state-leak.toml").path])
        #expect(leak.lines.contains("pooler: state-leak check"))
    }

    /// A shipped pooler spec, shortened to `seconds` with its clients capped, run through a bouncer.
    static func runShipped(_ name: String, poolMode: LocalPgBouncer.PoolMode, seconds: Double = 1.5,
                           adjust: (inout PgbenchOptions) -> Void = { _ in }) async throws
        -> (Benchmark.Outcome, String)
    {
        let settings = try await Self.settings(poolMode: poolMode)
        var spec = try WorkloadSpec.load(path: Self.poolerWorkloads.appendingPathComponent(name).path)
        spec.phases = spec.phases.map { phase in
            var short = phase
            short.durationSeconds = seconds
            return short
        }
        var options = PgbenchOptions()
        options.jobs = "1"
        options.noVacuum = true
        options.outputDirectory = RunRig.temporaryDirectory()
        adjust(&options)
        let (configuration, checks, plan) = try options.makeSpecRun(spec: spec, connection: settings)
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, companions: checks.companions,
                                              print: lines.append)
        return (outcome, lines.text)
    }

    @Test("Workloads/pooler/state-leak.toml through transaction pooling reports leaks")
    func shippedStateLeak() async throws {
        let (outcome, report) = try await Self.runShipped("state-leak.toml", poolMode: .transaction)
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect((outcome.summary.stateLeak?.leaks ?? 0) > 0, "\(report)")
    }

    @Test("Workloads/pooler/churn.toml through transaction pooling: a connect per transaction, no failures")
    func shippedChurn() async throws {
        let (outcome, report) = try await Self.runShipped("churn.toml", poolMode: .transaction)
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.failedTransactions == 0, "\(report)")
        #expect(outcome.summary.transactions > 20, "\(report)")
        // One connection per transaction (and one per client for the last, unfinished one at most).
        let connects = outcome.summary.connectMicroseconds?.count ?? 0
        #expect(connects >= outcome.summary.transactions, "\(report)")
    }

    @Test("Workloads/pooler/cancels.toml through session pooling: cancels counted as 57014")
    func shippedCancels() async throws {
        let (outcome, report) = try await Self.runShipped("cancels.toml", poolMode: .session)
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        let cancels = try #require(outcome.summary.cancels, "\(report)")
        #expect(cancels.sent > 0 && cancels.cancelled > 0, "\(report)")
        #expect((outcome.summary.errorsBySQLState["57014"] ?? 0) > 0, "\(report)")
    }

    @Test("Workloads/pooler/prepared-transaction-pooling.toml through transaction pooling: 26000/42P05 counted")
    func shippedPreparedTransactionPooling() async throws {
        let (outcome, report) = try await Self.runShipped("prepared-transaction-pooling.toml", poolMode: .transaction) {
            $0.continueOnError = true
        }
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        let errors = outcome.summary.errorsBySQLState
        #expect(outcome.summary.failedTransactions > 0, "\(report)")
        #expect(!errors.isEmpty && Set(errors.keys).isSubset(of: ["26000", "42P05"]), "\(errors)")
    }
}

/// How a spec's `[pooler]` values and the command line's options combine, without a server.
@Suite("[pooler] and the command line")
struct PoolerSpecOptionTests {
    static let settings = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: 6432), user: "u", database: "d")
    static let spec = """
        [pooler]
        connect_storm = 100
        storm_rate = 50
        idle_connections = 10
        idle_in_transaction = true
        cancel_fraction = 0.2
        cancel_delay = "5ms"
        state_leak_check = true

        [[script]]
        sql = "SELECT 1"
        """

    @Test func specValuesBecomeTheRunsOptions() throws {
        let spec = try WorkloadSpec.parse(Self.spec, path: "p.toml")
        let (configuration, checks, _) = try PgbenchOptions().makeSpecRun(spec: spec, connection: Self.settings)
        #expect(checks.connectStorm == 100)
        #expect(checks.stormRate == 50)
        #expect(checks.idleConnections == 10)
        #expect(checks.idleInTransaction)
        #expect(configuration.cancelFraction == 0.2)
        #expect(configuration.cancelDelayMicroseconds == 5000)
        #expect(checks.stateLeakCheck)
    }

    @Test func commandLineOptionsWin() throws {
        let spec = try WorkloadSpec.parse(Self.spec, path: "p.toml")
        var options = PgbenchOptions()
        options.connectStorm = "7"
        options.stormRate = "3"
        options.idleConnections = "0"
        options.cancelFraction = "0.5"
        options.cancelDelay = "2"
        let (configuration, checks, _) = try options.makeSpecRun(spec: spec, connection: Self.settings)
        #expect(checks.connectStorm == 7)
        #expect(checks.stormRate == 3)
        #expect(checks.idleConnections == 0)
        #expect(configuration.cancelFraction == 0.5)
        #expect(configuration.cancelDelayMicroseconds == 2000)
        // Flags can only add: the spec's true stays.
        #expect(checks.stateLeakCheck)
    }

    @Test func stateLeakCheckIsAnOptionOfTheCommandLine() throws {
        let outcome = try PgswarmProcess.run(["run", "--state-leak-check", "-c", "2", "--dry-run", "bench"],
                                             environment: ["PGHOST": "/nonexistent-socket-dir"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.lines.contains("database: bench"))
    }

    @Test func dryRunShowsTheSpecsPoolerBehaviours() throws {
        let directory = PoolerStressTests.poolerWorkloads
        func dryRun(_ name: String, _ extra: [String] = []) throws -> [String] {
            let outcome = try PgswarmProcess.run(["run", directory.appendingPathComponent(name).path, "--dry-run"]
                                                     + extra,
                                                 environment: ["PGHOST": "/nonexistent-socket-dir"])
            #expect(outcome.status == 0, "\(name): \(outcome.standardError)")
            return outcome.lines
        }
        #expect(try dryRun("storm.toml").contains(
            "connect storm: 150 connections, as fast as accepted, 64 connects under way per thread"))
        #expect(try dryRun("storm.toml", ["--connect-storm", "20", "--storm-rate", "5"])
                    .contains("connect storm: 20 connections, 5/s"))
        #expect(try dryRun("idle-horde.toml").contains("idle connections: 100"))
        #expect(try dryRun("cancels.toml")
                    .contains("cancels: 0.2 of transactions, after 5 ms, connection closed by the server (as libpq)"))
        #expect(try dryRun("state-leak.toml").contains("state leak check: on"))
        #expect(try !dryRun("churn.toml").contains { $0.hasPrefix("state leak check") || $0.hasPrefix("cancels:") })
    }

    @Test func withoutPoolerTableNothingChanges() throws {
        let spec = try WorkloadSpec.parse("[[script]]\nsql = \"SELECT 1\"\n", path: "p.toml")
        var options = PgbenchOptions()
        options.stateLeakCheck = true
        let (configuration, checks, _) = try options.makeSpecRun(spec: spec, connection: Self.settings)
        #expect(checks.connectStorm == 0 && checks.idleConnections == 0)
        #expect(configuration.cancelFraction == 0)
        #expect(checks.stateLeakCheck)
    }
}
