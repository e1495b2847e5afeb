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

/// `--probe` as the command line gives it: parsing, and a probe-only run (`-c 0`) writing summary.json.
@Suite("probe options and probe-only runs")
struct ProbeRunTests {
    @Test("--probe takes names separated by commas, once each, or all")
    func parseNames() throws {
        #expect(try ProbeName.parseList("negotiation") == [.negotiation])
        #expect(try ProbeName.parseList("copy, pipeline,copy") == [.copy, .pipeline])
        #expect(try ProbeName.parseList("all") == ProbeName.allCases)
        #expect(throws: PgswarmError.self) { try ProbeName.parseList("negotiation,cancel") }
        #expect(throws: PgswarmError.self) { try ProbeName.parseList(",") }
    }

    @Test("-c 0 is accepted only with --probe; the probe options reach the configuration")
    func probeOptions() throws {
        let connection = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: 5432), user: "u", database: "d")
        var options = PgbenchOptions()
        options.clients = "0"
        #expect(throws: PgswarmError.self) { try options.makeRunConfiguration(connection: connection) }
        options.probe = "pipeline,notify"
        options.probeRounds = "5"
        options.probeClients = "3"
        options.probeStorm = "100"
        let configuration = try options.makeRunConfiguration(connection: connection)
        let checks = try options.makePoolerChecks(connection: connection)
        #expect(configuration.clients == 0)
        #expect(configuration.threads == 1)
        #expect(checks.probes.names == [.pipeline, .notify])
        #expect(checks.probes.rounds == 5)
        #expect(checks.probes.clients == 3)
        #expect(checks.probes.storm == 100)
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .simple)
        #expect(DryRunReport.lines(configuration: configuration, poolerChecks: checks, plan: plan)
            .contains("probes: pipeline, notify (rounds 5, clients 3, storm 100, timeout 10 s)"))
        options.probeRounds = "0"
        #expect(throws: PgswarmError.self) { try options.makePoolerChecks(connection: connection) }
    }

    @Test("a probe-only run through transaction pooling writes probes.<name> and its summary lines")
    func probeOnlyRun() async throws {
        let settings = try await ProbeTarget.transaction.settings()
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .simple)
        var configuration = RunConfiguration(connection: settings)
        configuration.clients = 0
        configuration.threads = 1
        configuration.limit = .transactionsPerClient(1)
        configuration.noVacuum = true
        configuration.scale = 1
        configuration.outputDirectory = RunRig.temporaryDirectory()
        var checks = PoolerCheckOptions()
        checks.probes = ProbeOptions(names: [.pipeline, .notify])
        checks.probes.rounds = 1
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, companions: checks.companions,
                                              print: { lines.append($0) })
        let written = try RunSummary.read(from: outcome.outputDirectory + "/summary.json")
        let probes = try #require(written.probes)
        #expect(Set(probes.keys) == ["pipeline", "notify"])
        #expect(probes["pipeline"]?.rounds == 2)
        #expect(probes["pipeline"]?.desyncs.isEmpty == true)
        #expect(probes["notify"]?.counters["notifies_sent"] == 2)
        let text = lines.text
        #expect(text.contains("probe pipeline: 2/2 rounds clean"), "\(text)")
        #expect(text.contains("probe notify: "), "\(text)")
        #expect(written.transactions == 0)
    }
}

/// The `[probe]` table of workload specs, and the shipped Workloads/pooler/probe-*.toml.
@Suite("probe specs")
struct ProbeSpecTests {
    static let pooler = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Workloads/pooler")

    static func write(_ text: String) throws -> String {
        let path = RunRig.temporaryDirectory() + "/spec.toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("each shipped probe spec names its probe and maps onto the run's probe options",
          arguments: ProbeName.allCases)
    func shippedSpec(name: ProbeName) throws {
        let spec = try WorkloadSpec.load(path: Self.pooler.appendingPathComponent("probe-\(name.rawValue).toml").path)
        #expect(spec.probe?.names == [name.rawValue])
        #expect(spec.describe().contains { $0.hasPrefix("probes: \(name.rawValue)") })
        let connection = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: 6432), user: "u", database: "d")
        var options = PgbenchOptions()
        options.probeRounds = "7"
        let (_, checks, _) = try options.makeSpecRun(spec: spec, connection: connection)
        #expect(checks.probes.names == [name])
        #expect(checks.probes.rounds == 7)  // the command line wins over the spec's 3
        #expect(checks.probes.storm == (name == .negotiation ? 40 : 0))
    }

    @Test("[probe] with an unknown name or key is refused at its line")
    func badProbeTable() throws {
        let base = "[[script]]\nsql = \"SELECT 1;\"\n\n[probe]\n"
        let unknown = try Self.write(base + "names = [\"negotiation\", \"cancel\"]\n")
        let error = try #require(throws: WorkloadError.self) { try WorkloadSpec.load(path: unknown) }
        #expect(error.line == 5)
        #expect(error.message.contains("unknown probe \"cancel\""), "\(error.message)")
        let badKey = try Self.write(base + "names = \"all\"\nround = 3\n")
        let keyError = try #require(throws: WorkloadError.self) { try WorkloadSpec.load(path: badKey) }
        #expect(keyError.line == 6)
        let all = try WorkloadSpec.load(path: try Self.write(base + "names = \"all\"\ntimeout = \"2s\"\n"))
        #expect(all.probe == SpecProbe(names: ["negotiation", "pipeline", "copy", "notify", "prepared-churn", "faults"],
                                       timeoutSeconds: 2))
    }
}

/// The executable: `pgswarm run -c 0 --probe ... --pooler-stats ...` through PgBouncer in transaction mode.
@Suite("CLI: probes through the executable")
struct ProbeCliTests {
    @Test("a probe-only run from the command line prints each probe and writes them to summary.json")
    func probeOnlyCommandLine() async throws {
        let bouncer = try await TestPgBouncer.shared(poolMode: .transaction)
        let out = PgswarmProcess.home.appendingPathComponent("probes-\(UUID().uuidString)").path
        let outcome = try PgswarmProcess.run([
            "run", "-c", "0", "-n", "--probe", "negotiation,copy", "--probe-rounds", "1", "--probe-clients", "1",
            "--pooler-stats", "\(bouncer.host):\(bouncer.port)", "--out", out,
            "-h", bouncer.host, "-p", String(bouncer.port), "-U", bouncer.backend.superuser, "postgres",
        ])
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        #expect(outcome.lines.contains { $0.hasPrefix("probe negotiation: 4/4 rounds clean; violations: none") },
                "\(outcome.standardOutput)")
        #expect(outcome.lines.contains { $0.hasPrefix("probe copy: 1/1 rounds clean") }, "\(outcome.standardOutput)")
        #expect(outcome.lines.contains { $0.hasPrefix("pooler stats: ") }, "\(outcome.standardOutput)")
        let summary = try RunSummary.read(from: out + "/summary.json")
        #expect(Set(summary.probes?.keys.map { $0 } ?? []) == ["negotiation", "copy", "pooler-stats"])
        #expect(summary.probes?["negotiation"]?.counters["fallbacks"] == 3)
        #expect(FileManager.default.fileExists(atPath: out + "/pooler-stats.csv"))
    }
}

/// NoticeResponses the clients receive are counted in the summary (item 6 of the pooler issue, the part that needs no
/// change to the session).
@Suite("notice counts")
struct ProbeNoticeCountTests {
    @Test("a script that raises a notice per transaction: summary.json and the text say how many")
    func noticesCounted() async throws {
        let settings = try await ProbeTarget.postgres.settings()
        let script = ScriptSource(name: "notice.sql", text: "DO $$ BEGIN RAISE NOTICE 'probe notice'; END $$;\n")
        let plan = try Plan.compile(sources: [script], mode: .simple)
        var configuration = RunConfiguration(connection: settings)
        configuration.clients = 2
        configuration.threads = 1
        configuration.limit = .transactionsPerClient(3)
        configuration.noVacuum = true
        configuration.scale = 1
        configuration.outputDirectory = RunRig.temporaryDirectory()
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: { lines.append($0) })
        #expect(outcome.summary.transactions == 6)
        #expect(outcome.summary.notices == 6)
        #expect(lines.text.contains("notices received: 6"), "\(lines.text)")
        let quiet = try await Benchmark.run(
            configuration: configuration,
            plan: try Plan.compile(sources: [ScriptSource(name: "quiet.sql", text: "SELECT 1;\n")], mode: .simple),
            print: { _ in })
        #expect(quiet.summary.transactions == 6)
        #expect(quiet.summary.notices == nil)
    }
}
