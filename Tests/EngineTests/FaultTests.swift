import Foundation
import LocalCluster
import Engine
import Stats
import Testing
import Workload
import TestSupport

#if canImport(Glibc)
import Glibc
#endif
@testable import Connection
@testable import PgbenchCLI
@testable import PoolerChecks

/// Runs that survive a server that stops answering or restarts, against clusters of their own (these tests
/// stop or freeze their server, which would disturb the shared one).
@Suite("Faults during a run", .serialized)
struct FaultTests {
    static func initialisedCluster() async throws -> (LocalPostgres, ConnectionSettings) {
        let pg = try LocalPostgres.start()
        let settings = ConnectionSettings(endpoint: .tcp(host: pg.host, port: pg.port), user: pg.superuser,
                                          database: "postgres")
        var options = InitOptions()
        options.scale = 1
        try await PgbenchInit.run(connection: settings, options: options, print: { _ in })
        return (pg, settings)
    }

    /// The postmaster and its direct children (the backends and auxiliary processes).
    static func clusterProcesses(_ pg: LocalPostgres) -> [pid_t] {
        guard let postmaster = pg.postmasterPID() else { return [] }
        var pids = [pid_t(postmaster)]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")")
            else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 2, Int32(fields[1]) == postmaster { pids.append(pid) }
        }
        return pids
    }

    @Test("an immediate server restart mid-run: no crash, every interval kept, clients reconnect and go on")
    func serverRestartMidRun() async throws {
        let (pg, settings) = try await Self.initialisedCluster()
        defer { pg.stop() }
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .prepared)
        var configuration = RunRig.configuration(settings, clients: 4, limit: .duration(seconds: 6))
        configuration.progressInterval = 0.5
        let run = Task { try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in }) }
        try await Task.sleep(for: .seconds(1.5))
        try pg.restart()  // pg_ctl stop -m immediate, then start and wait until it accepts connections
        let outcome = try await run.value

        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.lostConnections ?? 0 >= 4)
        #expect(!outcome.summary.errorsBySQLState.isEmpty)
        let log = try HlogReader.read(path: outcome.outputDirectory + "/latency.hlog")
        let intervals = log.intervals(tag: nil)
        #expect(intervals.count >= 11)
        #expect(log.merged(tag: nil).totalCount == outcome.summary.transactions)
        // Transactions completed in the last two seconds: the clients came back after the restart.
        let late = intervals.filter { $0.start >= 4.0 }.map(\.histogram.totalCount).reduce(0, +)
        #expect(late > 0)
    }

    @Test("--reconnect=never: a restart ends the run early, with its results written")
    func reconnectNeverStopsTheRun() async throws {
        let (pg, settings) = try await Self.initialisedCluster()
        defer { pg.stop() }
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .prepared)
        var configuration = RunRig.configuration(settings, clients: 4, limit: .duration(seconds: 20))
        configuration.reconnect = false
        let started = Date()
        let run = Task { try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in }) }
        try await Task.sleep(for: .seconds(1.5))
        try pg.restart()
        let outcome = try await run.value
        #expect(Date().timeIntervalSince(started) < 12)
        #expect(outcome.abortedClients >= 1)
        #expect(outcome.summary.transactions > 0)
        #expect(FileManager.default.fileExists(atPath: outcome.outputDirectory + "/summary.json"))
    }

    @Test("--connect-storm against a server with too few slots: each connect timed, refusals counted as 53300")
    func connectionStormCountsRefusals() async throws {
        var options = LocalPostgres.Options()
        options.maxConnections = 20
        let pg = try LocalPostgres.start(options: options)
        defer { pg.stop() }
        let settings = ConnectionSettings(endpoint: .tcp(host: pg.host, port: pg.port), user: pg.superuser,
                                          database: "postgres")
        try pg.psql("CREATE ROLE storm LOGIN")
        var stormSettings = settings
        stormSettings.user = "storm"
        let plan = try Plan.compile(sources: [ScriptSource(name: "one.sql", text: "SELECT 1;\n")], mode: .prepared)
        var configuration = RunRig.configuration(stormSettings, clients: 1, limit: .transactionsPerClient(5))
        var checks = PoolerCheckOptions()
        checks.connectStorm = 40
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, companions: checks.companions,
                                              print: lines.append)
        let storm = try #require(outcome.summary.storm)
        #expect(storm.attempted == 40)
        #expect(storm.connected + storm.failures.values.reduce(0, +) == 40)
        // 20 slots less the 3 reserved for superusers, less the run's own admin connection.
        #expect(storm.connected >= 10 && storm.connected <= 17, "\(storm)")
        #expect((storm.failures["53300"] ?? 0) >= 23, "\(storm.failures)")
        #expect(storm.connectMicroseconds.count == UInt64(storm.connected))
        #expect(lines.text.contains("connection storm failures: 53300"))
        #expect(outcome.summary.transactions == 5)
    }

    @Test("a 1 s server stall at a fixed rate shows in latency p99, while service time stays short")
    func stallShowsInLatencyNotServiceTime() async throws {
        let (pg, settings) = try await Self.initialisedCluster()
        defer { pg.stop() }
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .prepared)
        var configuration = RunRig.configuration(settings, clients: 4, limit: .duration(seconds: 10))
        configuration.rate = 400
        configuration.progressInterval = 1
        let run = Task { try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in }) }
        try await Task.sleep(for: .seconds(4))
        let frozen = Self.clusterProcesses(pg)
        #expect(frozen.count > 1)
        for pid in frozen { kill(pid, SIGSTOP) }
        try await Task.sleep(for: .seconds(1))
        for pid in frozen { kill(pid, SIGCONT) }
        let outcome = try await run.value

        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        let latencyP99 = outcome.summary.latencyMicroseconds.p99
        let serviceP99 = outcome.summary.serviceMicroseconds?.p99 ?? .infinity
        // About 10% of the transactions were due during the stall: measured from their intended start, they waited.
        #expect(latencyP99 > 300_000, "latency p99 \(latencyP99) µs")
        #expect(outcome.summary.latencyMicroseconds.max > 800_000)
        // Only the few transactions in flight when the server froze were served slowly.
        #expect(serviceP99 < latencyP99 / 4, "service p99 \(serviceP99) µs against latency p99 \(latencyP99) µs")
        let lagP99 = outcome.summary.lagMicroseconds?.p99 ?? 0
        #expect(lagP99 > 200_000, "schedule lag p99 \(lagP99) µs")
    }
}
