import Foundation
import LocalCluster
import Engine
import Stats
import Testing
import Workload
@testable import Connection
@testable import PgbenchCLI
@testable import PoolerChecks
import TestSupport

/// End-to-end runs against a real PostgreSQL: init, then each built-in workload in each query mode.
@Suite("Benchmark runs against a real server", .serialized)
struct BenchmarkRunTests {
    @Test("init creates pgbench's tables with pgbench's row counts")
    func initCreatesTables() async throws {
        _ = try await RunRig.initialisedDatabase()
        let pg = try await TestPostgres.shared()
        let counts = try pg.psql(
            "SELECT (SELECT count(*) FROM pgbench_branches), (SELECT count(*) FROM pgbench_tellers), "
                + "(SELECT count(*) FROM pgbench_accounts), (SELECT sum(abalance) FROM pgbench_accounts)",
            database: "engine_tests"
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(counts == "1|10|100000|0")
    }

    @Test("each built-in script runs in each query mode, and the summary agrees with the hlog",
          arguments: [QueryMode.simple, .extended, .prepared])
    func builtinScriptsRun(mode: QueryMode) async throws {
        let settings = try await RunRig.initialisedDatabase()
        for source in [BuiltinScript.tpcbLike, BuiltinScript.simpleUpdate, BuiltinScript.selectOnly] {
            let plan = try Plan.compile(sources: [source], mode: mode)
            var configuration = RunRig.configuration(settings, clients: 3, limit: .transactionsPerClient(50))
            configuration.mode = mode
            let lines = LineCollector()
            let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
            #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
            #expect(outcome.summary.transactions == 150)
            #expect(outcome.summary.failedTransactions == 0)
            #expect(outcome.summary.latencyMicroseconds.count == 150)
            let log = try HlogReader.read(path: outcome.outputDirectory + "/latency.hlog")
            #expect(log.merged(tag: nil).totalCount == 150)
            #expect(log.merged(tag: "connect").totalCount == 3)
            #expect(lines.text.contains("number of transactions actually processed: 150/150"))
            let summary = try RunSummary.read(from: outcome.outputDirectory + "/summary.json")
            #expect(summary.transactions == 150)
        }
    }

    @Test("a duration run stops on time and records every interval")
    func durationRun() async throws {
        let settings = try await RunRig.initialisedDatabase()
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .prepared)
        var configuration = RunRig.configuration(settings, clients: 4, limit: .duration(seconds: 2))
        configuration.progressInterval = 0.5
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
        #expect(outcome.summary.transactions > 100)
        #expect(outcome.summary.durationSeconds >= 2 && outcome.summary.durationSeconds < 4)
        #expect(lines.text.contains("progress: "))
        let log = try HlogReader.read(path: outcome.outputDirectory + "/latency.hlog")
        // Four half-second intervals, or three when a loaded machine wakes the interval loop late (the last then
        // takes the rest): either way every transaction is in the log.
        #expect(log.intervals(tag: nil).count >= 3)
        #expect(log.merged(tag: nil).totalCount == outcome.summary.transactions)
    }

    @Test("the PyPI hdrhistogram reader decodes latency.hlog, and its untagged total equals the transactions")
    func pythonReadsTheRunHlog() async throws {
        let settings = try await RunRig.initialisedDatabase()
        let plan = try Plan.compile(sources: [BuiltinScript.tpcbLike], mode: .extended)
        var configuration = RunRig.configuration(settings, clients: 4, limit: .duration(seconds: 1.5))
        configuration.progressInterval = 0.5
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../StatsTests/decode_hlog.py").standardized.path
        let output = try Subprocess.check(["/usr/bin/env", "python3", script, outcome.summary.hlogFile!])
        let untagged = output.split(separator: "\n").filter { $0.hasPrefix("LINE - ") }
            .compactMap { UInt64($0.split(separator: " ")[2]) }
        #expect(untagged.count >= 3)
        #expect(untagged.reduce(0, +) == outcome.summary.transactions)
        #expect(outcome.summary.transactions > 0)
    }

    @Test("serialization failures are retried with --max-tries, and counted as failures without it")
    func serializationFailuresRetry() async throws {
        let settings = try await RunRig.initialisedDatabase()
        let pg = try await TestPostgres.shared()
        try pg.psql("DROP TABLE IF EXISTS retry_counter; CREATE TABLE retry_counter (id int PRIMARY KEY, n int); "
                    + "INSERT INTO retry_counter VALUES (1, 0)", database: "engine_tests")
        let script = ScriptSource(name: "contended.sql", text: """
            BEGIN ISOLATION LEVEL REPEATABLE READ;
            SELECT n FROM retry_counter WHERE id = 1;
            SELECT pg_sleep(0.002);
            UPDATE retry_counter SET n = n + 1 WHERE id = 1;
            END;
            """)
        let plan = try Plan.compile(sources: [script], mode: .prepared)
        var configuration = RunRig.configuration(settings, clients: 4, limit: .transactionsPerClient(15))
        configuration.maxTries = 0
        let retried = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
        #expect(retried.abortedClients == 0, "\(retried.abortMessages)")
        #expect(retried.summary.transactions == 60)
        #expect(retried.summary.failedTransactions == 0)
        #expect((retried.summary.retries ?? 0) > 0)
        let counted = try pg.psql("SELECT n FROM retry_counter", database: "engine_tests")
        #expect(counted.trimmingCharacters(in: .whitespacesAndNewlines) == "60")

        configuration.maxTries = 1
        configuration.outputDirectory = RunRig.temporaryDirectory()
        let failing = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
        #expect(failing.abortedClients == 0, "\(failing.abortMessages)")
        #expect(failing.summary.failedTransactions > 0)
        #expect(failing.summary.transactions + failing.summary.failedTransactions == 60)
        #expect(failing.summary.errorsBySQLState["40001"] == failing.summary.failedTransactions)
    }

    @Test("-C opens a connection per transaction, each timed in the connect histogram")
    func connectPerTransaction() async throws {
        let settings = try await RunRig.initialisedDatabase()
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .prepared)
        var configuration = RunRig.configuration(settings, clients: 2, limit: .transactionsPerClient(20))
        configuration.connectPerTransaction = true
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
        #expect(outcome.summary.transactions == 40)
        #expect(outcome.summary.connectMicroseconds?.count == 40)
        #expect(lines.text.contains("(including reconnection times)"))
    }

    @Test("-R holds the asked rate and records schedule lag and service time; -r reports each command")
    func rateAndPerCommandReport() async throws {
        let settings = try await RunRig.initialisedDatabase()
        let plan = try Plan.compile(sources: [BuiltinScript.tpcbLike], mode: .prepared)
        var configuration = RunRig.configuration(settings, clients: 4, limit: .duration(seconds: 2))
        configuration.rate = 200
        configuration.latencyLimitMicroseconds = 50_000
        configuration.reportPerCommand = true
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
        let tps = Double(outcome.summary.transactions) / 2
        #expect(tps > 140 && tps < 260, "tps \(tps) for a rate of 200")
        #expect(outcome.summary.lagMicroseconds != nil)
        #expect(outcome.summary.serviceMicroseconds?.count == outcome.summary.transactions)
        #expect(outcome.summary.skippedTransactions != nil)
        #expect(lines.text.contains("rate limit schedule lag"))
        #expect(lines.text.contains("UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2"))
        let log = try HlogReader.read(path: outcome.outputDirectory + "/latency.hlog")
        #expect(log.merged(tag: "service").totalCount == outcome.summary.transactions)
    }

    @Test("--idle-connections holds connections idle in transaction through the run, all alive at the end")
    func idleHorde() async throws {
        let settings = try await RunRig.initialisedDatabase()
        let pg = try await TestPostgres.shared()
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .prepared)
        var configuration = RunRig.configuration(settings, clients: 2, limit: .duration(seconds: 2))
        var checks = PoolerCheckOptions()
        checks.idleConnections = 25
        checks.idleInTransaction = true
        let lines = LineCollector()
        let run = Task {
            try await Benchmark.run(configuration: configuration, plan: plan, companions: checks.companions,
                                    print: lines.append)
        }
        try await Task.sleep(for: .seconds(1.5))
        let idle = try pg.psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'engine_tests' "
                               + "AND state = 'idle in transaction'", database: "engine_tests")
        let outcome = try await run.value
        #expect(Int(idle.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 25)
        #expect(outcome.summary.idleConnectionsOpened == 25)
        #expect(outcome.summary.idleConnectionsAlive == 25)
        #expect(outcome.summary.transactions > 0)
        #expect(lines.text.contains("idle connections: 25/25 opened, 25 still alive at the end"))
    }

    @Test("--cancel-fraction cancels running queries with CancelRequest: counted, timed, not aborting")
    func cancelsHitRunningQueries() async throws {
        let settings = try await RunRig.initialisedDatabase()
        let plan = try Plan.compile(sources: [ScriptSource(name: "slow.sql", text: "SELECT pg_sleep(0.2);\n")],
                                    mode: .extended)
        var configuration = RunRig.configuration(settings, clients: 2, limit: .transactionsPerClient(6))
        configuration.cancelFraction = 1
        configuration.cancelDelayMicroseconds = 10_000
        let lines = LineCollector()
        let started = Date()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
        let cancels = try #require(outcome.summary.cancels)
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        // Each transaction either had its own cancel sent, or was cancelled first by its predecessor's late one.
        #expect(cancels.sent + cancels.misdirected == 12, "\(cancels)")
        #expect(cancels.cancelled >= 6, "\(cancels)")
        // Every 57014 is accounted for: the cancel's own transaction, or a later one it arrived too late for.
        #expect(outcome.summary.errorsBySQLState["57014"] == cancels.cancelled + cancels.misdirected)
        // Straight to PostgreSQL every cancel reaches the connection that asked for it: no wrong victims.
        #expect(cancels.wrongVictim == 0)
        #expect(cancels.cancelled + cancels.late + (cancels.lost ?? 0) == cancels.sent, "\(cancels)")
        #expect(cancels.timeToCancelMicroseconds.count == cancels.cancelled)
        #expect(cancels.timeToCancelMicroseconds.p50 < 150_000)
        // Twelve 200 ms sleeps on two clients would take 1.2 s; cancelled after 10 ms they take far less.
        #expect(Date().timeIntervalSince(started) < 1.2)
        #expect(lines.text.contains("cancels: \(cancels.sent) sent, \(cancels.cancelled) cancelled a query (57014)"))
    }

    @Test("fairness: per-client transaction counts add up to the run's, with the longest stall and no one starved")
    func fairnessFigures() async throws {
        let settings = try await RunRig.initialisedDatabase()
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .prepared)
        let lines = LineCollector()
        let configuration = RunRig.configuration(settings, clients: 6, limit: .transactionsPerClient(40))
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
        let fairness = try #require(outcome.summary.fairness)
        #expect(fairness.clients == 6)
        // -t: every client runs exactly its 40.
        #expect(fairness.minTransactions == 40 && fairness.maxTransactions == 40)
        #expect(abs(fairness.jainIndex - 1) < 1e-9)
        #expect(fairness.starvedClients == 0)
        #expect(fairness.longestStallMicroseconds > 0)
        #expect((0..<6).contains(fairness.longestStallClient))
        #expect(lines.text.contains("fairness: transactions per client 40..40 (Jain index 1.000), 0 starved"))
    }

    @Test("connect phases: trust takes one round trip, SCRAM three with its client CPU timed; --scram-cache works")
    func connectPhasesAndScramCache() async throws {
        let pg = try await TestPostgres.shared()
        let plan = try Plan.compile(sources: [ScriptSource(name: "one.sql", text: "SELECT 1;\n")], mode: .simple)
        var trust = ConnectionSettings(endpoint: .tcp(host: pg.host, port: pg.port), user: pg.superuser,
                                       database: "postgres")
        trust.sslMode = .disable
        var configuration = RunRig.configuration(trust, clients: 2, limit: .transactionsPerClient(10))
        configuration.connectPerTransaction = true
        let lines = LineCollector()
        var outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
        var phases = try #require(outcome.summary.connectPhases)
        #expect(phases.authenticationRoundTrips == 1)
        #expect(phases.transportMicroseconds.count == 20 && phases.authenticationMicroseconds.count == 20)
        #expect(phases.scramClientMicroseconds == nil)
        #expect(lines.text.contains("connect phases (p50): transport"))

        var scram = trust
        scram.user = pg.scramUser.user
        scram.password = pg.scramUser.password
        configuration.connection = scram
        for cached in [false, true] {
            configuration.scramCache = cached
            configuration.outputDirectory = RunRig.temporaryDirectory()
            outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
            phases = try #require(outcome.summary.connectPhases)
            #expect(outcome.summary.transactions == 20)
            #expect(phases.authenticationRoundTrips == 3)
            #expect(phases.scramCache == cached)
            let client = try #require(phases.scramClientMicroseconds)
            #expect(client.count == 20)
            if cached {
                // Every login after the first finds the salted password: the median proof costs next to nothing,
                // while the first login still paid the whole computation.
                #expect(client.p50 * 10 < client.max, "\(client)")
            } else {
                #expect(client.p50 * 3 > client.max, "\(client)")
            }
        }
    }

    @Test("an unreachable server is one clear PgswarmError naming host and port")
    func unreachableServer() async throws {
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .simple)
        let settings = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: 1), user: "postgres",
                                          database: "postgres")
        var configuration = RunConfiguration(connection: settings)
        configuration.outputDirectory = RunRig.temporaryDirectory()
        await #expect {
            _ = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
        } throws: { error in
            guard let error = error as? PgswarmError else { return false }
            return error.kind == .connection && error.message.contains("127.0.0.1:1")
        }
    }
}
