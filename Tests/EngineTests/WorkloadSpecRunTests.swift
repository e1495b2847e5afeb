import Foundation
import Testing

@testable import Engine
@testable import Workload

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
        let (configuration, plan) = try options.makeSpecRun(spec: spec, connection: Self.settings)
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
        let (configuration, plan) = try options.makeSpecRun(spec: spec, connection: Self.settings)
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
            #expect(throws: EngineError.self, "\(option)") {
                try options.makeSpecRun(spec: spec, connection: Self.settings)
            }
        }
        var options = PgbenchOptions()
        options.scripts = [.builtin("select-only")]
        #expect(throws: EngineError.self) { try options.makeSpecRun(spec: spec, connection: Self.settings) }
    }

    @Test func aSpecWithoutPhasesRunsLikePgbench() throws {
        let spec = try WorkloadSpec.parse("[[script]]\nsql = \"SELECT 1\"\n", path: "p.toml")
        var options = PgbenchOptions()
        options.clients = "3"
        options.time = "2"
        let (configuration, _) = try options.makeSpecRun(spec: spec, connection: Self.settings)
        #expect(configuration.phases.isEmpty)
        #expect(configuration.clients == 3)
        #expect(configuration.limit == .duration(seconds: 2))
    }

    // MARK: The executable

    @Test func checkDescribesAGoodSpec() throws {
        let outcome = try PgswarmProcess.run(["check", Self.workloads.appendingPathComponent("every-feature.toml").path])
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
        #expect(lines == [
            "pgswarm: \(file.path):3:1: unknown key \"wieght\" in [[script]] #1; did you mean \"weight\"?",
            "wieght = 2",
            "^",
        ])
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
