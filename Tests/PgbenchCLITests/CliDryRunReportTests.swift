import Testing
import Workload

@testable import Engine
@testable import Connection
@testable import PgbenchCLI
@testable import PoolerChecks

@Suite("CLI: --dry-run report")
struct CliDryRunReportTests {
    private let connection: ConnectionSettings = {
        var settings = ConnectionSettings(endpoint: .tcp(host: "::1", port: 6432), user: "u", database: "d")
        settings.password = "secret"
        return settings
    }()

    @Test func runLines() throws {
        var configuration = RunConfiguration(connection: connection)
        configuration.clients = 4
        configuration.threads = 2
        configuration.limit = .duration(seconds: 30)
        configuration.rate = 250.5
        configuration.latencyLimitMicroseconds = 5_000
        configuration.progressInterval = 0.5
        configuration.maxTries = Int.max
        configuration.randomSeed = 7
        configuration.noVacuum = true
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .extended)
        let lines = DryRunReport.lines(configuration: configuration, plan: plan)
        for expected in [
            "server: [::1]:6432", "password: given", "scripts: <builtin: select only>@1", "query mode: simple",
            "clients: 4", "threads: 2", "duration: 30 s", "rate: 250.5 tps", "latency limit: 5 ms",
            "progress: every 0.5 s", "max tries: unlimited", "random seed: 7", "vacuum: none",
            "scale: from pgbench_branches", "results: pgswarm-results/<UTC timestamp>",
        ] {
            #expect(lines.contains(expected), "missing \(expected) in \(lines)")
        }
    }

    @Test("the pooler behaviours a run adds are listed, and only those asked for")
    func poolerLines() throws {
        var configuration = RunConfiguration(connection: connection)
        var checks = PoolerCheckOptions()
        #expect(DryRunReport.poolerLines(configuration, checks).isEmpty)
        checks.connectStorm = 500
        checks.stormRate = 250
        checks.idleConnections = 40
        checks.idleInTransaction = true
        configuration.cancelFraction = 0.25
        configuration.cancelDelayMicroseconds = 2_000
        configuration.cancelDelaySpreadMicroseconds = 48_000
        configuration.cancelClosesImmediately = true
        configuration.scramCache = true
        #expect(DryRunReport.poolerLines(configuration, checks) == [
            "connect storm: 500 connections, 250/s",
            "idle connections: 40, in an open transaction",
            "cancels: 0.25 of transactions, after 2-50 ms, connection closed at once",
            "SCRAM salted passwords: cached across logins",
        ])
    }

    @Test func customScriptsUseScaleOne() throws {
        var configuration = RunConfiguration(connection: connection)
        let custom = ScriptSource(name: "mine.sql", text: "SELECT 1;\n", weight: 2)
        let plan = try Plan.compile(sources: [custom], mode: .simple)
        #expect(DryRunReport.lines(configuration: configuration, plan: plan).contains("scale: 1"))
        configuration.scale = 9
        #expect(DryRunReport.lines(configuration: configuration, plan: plan).contains("scale: 9"))
        #expect(DryRunReport.lines(configuration: configuration, plan: plan).contains("scripts: mine.sql@2"))
    }

    @Test func initLines() throws {
        let options = try InitOptions(scale: "3", partitions: "4", partitionMethod: "hash")
        let lines = DryRunReport.lines(connection: connection, initOptions: options)
        #expect(lines.contains("scale: 3"))
        #expect(lines.contains("partitions: 4 (hash)"))
        #expect(lines.contains("init steps: dtgvp"))
    }
}
