import Engine
import Foundation
import LocalCluster
import Stats
import Testing
import Workload
@testable import Connection
@testable import PgbenchCLI
@testable import PoolerChecks
import TestSupport

/// `--pooler-stats`: PgBouncer's admin console polled during a run that queues clients.
@Suite("pooler stats", .serialized)
struct ProbePoolerStatsTests {
    @Test("a run of eight sleeping clients over a pool of two: pooler-stats.csv and the worst wait in summary.json")
    func poolerStats() async throws {
        let backend = try await TestPostgres.shared()
        var options = LocalPgBouncer.Options(poolMode: .transaction)
        options.defaultPoolSize = 2
        let bouncer = try LocalPgBouncer.start(backend: backend, options: options)
        defer { bouncer.stop() }
        let plan = try Plan.compile(sources: [ScriptSource(name: "sleep.sql", text: "SELECT pg_sleep(0.05);\n")],
                                    mode: .simple)
        var configuration = RunConfiguration(connection: ProbeTarget.settings(of: bouncer))
        configuration.clients = 8
        configuration.threads = 2
        configuration.limit = .duration(seconds: 3)
        configuration.progressInterval = 0.5
        configuration.noVacuum = true
        configuration.scale = 1
        configuration.outputDirectory = RunRig.temporaryDirectory()
        var checks = PoolerCheckOptions()
        checks.probes.poolerStats = true
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, companions: checks.companions,
                                              print: { _ in })
        let stats = try #require(outcome.summary.probes?["pooler-stats"])
        let report = Probes.describe("pooler-stats", stats).joined(separator: "\n")
        print(report)
        #expect(report.hasPrefix("pooler stats: \(stats.rounds)/\(stats.rounds) polls answered; max cl_waiting = "))
        // About six polls at 0.5 s; fewer when the machine is busy (the whole test suite at once).
        #expect(stats.rounds >= 2, "\(report)")
        #expect(stats.failures.isEmpty, "\(report)")
        // Eight clients, two server connections: six wait at almost any moment.
        #expect((stats.counters["max_cl_waiting"] ?? 0) >= 2, "\(report)")
        #expect((stats.counters["max_maxwait_us"] ?? 0) > 0, "\(report)")
        #expect(stats.counters["max_sv_active"] == 2, "\(report)")
        let csv = try String(contentsOfFile: outcome.outputDirectory + "/pooler-stats.csv", encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.first.map(String.init) == "elapsed_s,database,user,cl_active,cl_waiting,sv_active,sv_idle,"
            + "maxwait_us,avg_wait_us,total_wait_us")
        #expect(lines.count >= 3, "\(csv)")
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 10 },
                "\(csv)")
        #expect(lines.dropFirst().contains { $0.contains(",postgres,") }, "\(csv)")
    }

    @Test("--pooler-stats needs HOST:PORT")
    func badAddress() throws {
        let connection = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: 6432), user: "u", database: "d")
        var options = PgbenchOptions()
        options.poolerStats = "localhost"
        #expect(throws: PgswarmError.self) { try options.makePoolerChecks(connection: connection) }
        options.poolerStats = "127.0.0.1:6433"
        let checks = try options.makePoolerChecks(connection: connection)
        #expect(checks.probes.poolerStats)
        #expect(checks.probes.poolerStatsAddress == "127.0.0.1:6433")
    }
}
