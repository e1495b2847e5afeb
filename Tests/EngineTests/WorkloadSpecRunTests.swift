import Foundation
import LocalCluster
import Stats
import Testing

@testable import Engine
@testable import Workload
@testable import Connection
@testable import PgbenchCLI
import TestSupport

/// `pgswarm run workload.toml` and `pgswarm check`: how a spec becomes the run's configuration and plan, and what
/// the executable says about good and bad specs without a server.
@Suite("Workload specs: configuration and CLI")
struct WorkloadSpecRunTests {
    static let workloads = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Workloads")
    static let settings = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: 5432), user: "u", database: "d")

    static func spec(_ name: String) throws -> WorkloadSpec {
        try WorkloadSpec.load(path: workloads.appendingPathComponent(name).path)
    }

    @Test func phasesBecomeTheRunsShape() throws {
        let spec = try Self.spec("every-feature.toml")
        var options = PgbenchOptions()
        options.randomSeed = "7"
        let (configuration, _, plan) = try options.makeSpecRun(spec: spec, connection: Self.settings)
        #expect(configuration.phases.map(\.name) == ["warmup", "ramp", "steady"])
        #expect(configuration.phases.map(\.kind) == [.warmup, .ramp, .steady])
        #expect(configuration.phases[1].clientsFrom == 2 && configuration.phases[1].clientsTo == 6)
        #expect(configuration.phases[1].rateFrom == 100 && configuration.phases[1].rateTo == 400)
        #expect(configuration.phases[0].rateFrom == nil)
        #expect(configuration.clients == 6)
        #expect(configuration.threads == 2)
        #expect(configuration.limit == .duration(seconds: 7.5))
        #expect(configuration.mode == .prepared)
        #expect(configuration.scale == 1)
        #expect(configuration.setupSQL == spec.setupSQL)
        #expect(configuration.teardownSQL == spec.teardownSQL)
        #expect(configuration.connectionSetupSQL == spec.connectionSetupSQL)
        #expect(plan.scripts.map(\.name) == spec.scripts.map(\.name))
        #expect(plan.randomSeed == 7)
    }

    @Test func commandLineStillApplies() throws {
        let spec = try Self.spec("read-heavy.toml")
        var options = PgbenchOptions()
        options.jobs = "3"
        options.queryMode = "extended"
        options.scale = "5"
        options.progress = "2"
        options.outputDirectory = "/tmp/out"
        let (configuration, _, plan) = try options.makeSpecRun(spec: spec, connection: Self.settings)
        #expect(configuration.threads == 3)
        #expect(configuration.mode == .extended)
        #expect(plan.scripts.allSatisfy { $0.mode == .extended })
        #expect(configuration.scale == 5)
        #expect(configuration.progressInterval == 2)
        #expect(configuration.outputDirectory == "/tmp/out")
    }

    @Test func phasesRefuseTheOptionsTheyReplace() throws {
        let spec = try Self.spec("read-heavy.toml")
        for (option, set) in [("-c", \PgbenchOptions.clients), ("-T", \.time), ("-t", \.transactions), ("-R", \.rate)] {
            var options = PgbenchOptions()
            options[keyPath: set] = "4"
            #expect(throws: PgswarmError.self, "\(option)") {
                try options.makeSpecRun(spec: spec, connection: Self.settings)
            }
        }
        var options = PgbenchOptions()
        options.scripts = [.builtin("select-only")]
        #expect(throws: PgswarmError.self) { try options.makeSpecRun(spec: spec, connection: Self.settings) }
    }

    @Test func aSpecWithoutPhasesRunsLikePgbench() throws {
        let spec = try WorkloadSpec.parse("[[script]]\nsql = \"SELECT 1\"\n", path: "p.toml")
        var options = PgbenchOptions()
        options.clients = "3"
        options.time = "2"
        let (configuration, _, _) = try options.makeSpecRun(spec: spec, connection: Self.settings)
        #expect(configuration.phases.isEmpty)
        #expect(configuration.clients == 3)
        #expect(configuration.limit == .duration(seconds: 2))
    }

    // MARK: The executable

    @Test func checkDescribesAGoodSpec() throws {
        let outcome = try PgswarmProcess.run([
            "check", Self.workloads.appendingPathComponent("every-feature.toml").path,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.lines.first?.hasPrefix("workload \"every-feature\"") == true)
        #expect(outcome.lines.contains { $0.contains("pipelined-log") && $0.contains("pipeline 2") })
        #expect(outcome.lines.contains { $0.hasPrefix("  ramp ") && $0.contains("clients 2 -> 6") })
        #expect(outcome.lines.last?.hasPrefix("ok: 4 scripts") == true)
    }

    @Test func checkReportsTheFirstMistakeWithItsLocation() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spec-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.toml")
        try "[[script]]\nsql = \"SELECT 1\"\nwieght = 2\n".write(to: file, atomically: true, encoding: .utf8)
        let outcome = try PgswarmProcess.run(["check", file.path])
        #expect(outcome.status == 2)
        #expect(outcome.standardOutput == "")
        let lines = outcome.standardError.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "pgswarm: \(file.path):3:1: unknown key \"wieght\" in [[script]] #1; did you mean \"weight\"?",
                "wieght = 2",
                "^",
            ]
        )
    }

    @Test func runRefusesABadSpecBeforeConnecting() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spec-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.toml")
        try "[[script]]\nbuiltin = \"tpcc\"\n".write(to: file, atomically: true, encoding: .utf8)
        // No server at this socket directory: a connection attempt would fail differently.
        let outcome = try PgswarmProcess.run(["run", file.path], environment: ["PGHOST": "/nonexistent-socket-dir"])
        #expect(outcome.status == 2)
        #expect(outcome.standardError.hasPrefix("pgswarm: \(file.path):2:11: unknown builtin script \"tpcc\""))
    }

    @Test func runTakesTheSpecAsTheLastArgumentOrWithF() throws {
        let path = Self.workloads.appendingPathComponent("read-heavy.toml").path
        let positional = try PgswarmProcess.run(
            ["run", path, "--dbname", "bench", "--dry-run"],
            environment: ["PGHOST": "/nonexistent-socket-dir"]
        )
        #expect(positional.status == 0, "\(positional.standardError)")
        #expect(positional.lines.contains("database: bench"))
        #expect(positional.lines.contains("scripts: point-read@90, branch-read@5, write@5"))
        #expect(positional.lines.contains("clients: 16"))
        #expect(positional.lines.contains("duration: 45 s"))
        let withF = try PgswarmProcess.run(
            ["run", "-f", path, "--dry-run", "bench"],
            environment: ["PGHOST": "/nonexistent-socket-dir"]
        )
        #expect(withF.status == 0, "\(withF.standardError)")
        #expect(withF.lines.contains("database: bench"))
        #expect(withF.lines.contains("query mode: prepared"))
    }
}

/// Each shipped workload spec run against the real server, scaled down (a few seconds, at most 4 clients, at most
/// 300 tx/s, one thread) so that it does not crowd the other suites sharing the machine and the server: setup, every
/// script, the phases (their kinds and ramps kept) and teardown all go through, and no client aborts.
@Suite("Shipped workload specs against a real server", .serialized)
struct ShippedWorkloadRunTests {
    /// The outcome, the spec as run, and the engine's report (shown when an expectation fails).
    static func run(_ name: String, seconds: Double = 3) async throws -> (Benchmark.Outcome, WorkloadSpec, String) {
        let settings = try await RunRig.initialisedDatabase()
        var spec = try WorkloadSpecRunTests.spec(name)
        let factor = seconds / spec.durationSeconds
        spec.phases = spec.phases.map { phase in
            var small = phase
            small.durationSeconds = phase.durationSeconds * factor
            if phase.clientsFrom == phase.clientsTo {
                small.clientsFrom = min(phase.clientsFrom, 3)
                small.clientsTo = small.clientsFrom
            } else {
                small.clientsFrom = min(phase.clientsFrom, 2)
                small.clientsTo = min(phase.clientsTo, 4)
            }
            small.rateFrom = phase.rateFrom.map { min($0, 300) }
            small.rateTo = phase.rateTo.map { min($0, 300) }
            small.threads = nil
            return small
        }
        var options = PgbenchOptions()
        options.jobs = "1"
        options.noVacuum = true
        options.randomSeed = "42"
        options.outputDirectory = RunRig.temporaryDirectory()
        let (configuration, _, plan) = try options.makeSpecRun(spec: spec, connection: settings)
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
        return (outcome, spec, lines.text)
    }

    static func tableExists(_ table: String) async throws -> Bool {
        let pg = try await TestPostgres.shared()
        let found = try pg.psql("SELECT to_regclass('\(table)') IS NOT NULL", database: "engine_tests")
        return found.trimmingCharacters(in: .whitespacesAndNewlines) == "t"
    }

    @Test func readHeavy() async throws {
        let (outcome, _, report) = try await Self.run("read-heavy.toml")
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions > 0, "\(report)")
        // Nine reads in ten, give or take chance.
        let log = try HlogReader.read(path: outcome.outputDirectory + "/latency.hlog")
        let reads = Double(log.merged(tag: "tag.reads").totalCount)
        let writes = Double(log.merged(tag: "tag.writes").totalCount)
        #expect(writes > 0 && reads / (reads + writes) > 0.8, "\(reads) reads, \(writes) writes")
    }

    @Test func writeHeavyCreatesAndDropsItsTable() async throws {
        let (outcome, spec, report) = try await Self.run("write-heavy.toml")
        // The append script writes to the table [setup] creates; had setup not run, its clients would abort.
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions > 0, "\(report)")
        #expect(spec.teardownSQL.contains { $0.contains("pgswarm_events") })
        #expect(try await Self.tableExists("pgswarm_events") == false)
    }

    @Test func pipelined() async throws {
        let (outcome, _, report) = try await Self.run("pipelined.toml")
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions > 0, "\(report)")
    }

    @Test func everyFeature() async throws {
        let (outcome, spec, report) = try await Self.run("every-feature.toml", seconds: 4)
        // Four scripts in three modes, one pipelined, over a client and rate ramp: none may abort.
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions > 0, "\(report)")
        #expect(try await Self.tableExists("pgswarm_feature_log") == false)
        // Each tag has its own series in the hlog, and together the tagged series hold every recorded transaction.
        let log = try HlogReader.read(path: outcome.outputDirectory + "/latency.hlog")
        let reads = log.merged(tag: "tag.reads").totalCount
        let writes = log.merged(tag: "tag.writes").totalCount
        #expect(reads > 0 && writes > 0)
        #expect(log.merged(tag: "tag.accounts").totalCount > 0)
        #expect(reads + writes == outcome.summary.transactions)
        // The reconnect-each script opens a connection per transaction: far more connects than clients.
        let clients = spec.phases.map { max($0.clientsFrom, $0.clientsTo) }.max() ?? 1
        #expect((outcome.summary.connectMicroseconds?.count ?? 0) > clients)
    }
}
