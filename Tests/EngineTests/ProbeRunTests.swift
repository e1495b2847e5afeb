import Engine
import Foundation
import LocalCluster
import Stats
import Testing
import Workload

/// `--probe` as the command line gives it: parsing, and a probe-only run (`-c 0`) writing summary.json.
@Suite("probe options and probe-only runs")
struct ProbeRunTests {
    @Test("--probe takes names separated by commas, once each, or all")
    func parseNames() throws {
        #expect(try ProbeName.parseList("negotiation") == [.negotiation])
        #expect(try ProbeName.parseList("copy, pipeline,copy") == [.copy, .pipeline])
        #expect(try ProbeName.parseList("all") == ProbeName.allCases)
        #expect(throws: EngineError.self) { try ProbeName.parseList("negotiation,cancel") }
        #expect(throws: EngineError.self) { try ProbeName.parseList(",") }
    }

    @Test("-c 0 is accepted only with --probe; the probe options reach the configuration")
    func probeOptions() throws {
        let connection = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: 5432), user: "u", database: "d")
        var options = PgbenchOptions()
        options.clients = "0"
        #expect(throws: EngineError.self) { try options.makeRunConfiguration(connection: connection) }
        options.probe = "pipeline,notify"
        options.probeRounds = "5"
        options.probeClients = "3"
        options.probeStorm = "100"
        let configuration = try options.makeRunConfiguration(connection: connection)
        #expect(configuration.clients == 0)
        #expect(configuration.threads == 1)
        #expect(configuration.probes.names == [.pipeline, .notify])
        #expect(configuration.probes.rounds == 5)
        #expect(configuration.probes.clients == 3)
        #expect(configuration.probes.storm == 100)
        options.probeRounds = "0"
        #expect(throws: EngineError.self) { try options.makeRunConfiguration(connection: connection) }
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
        configuration.outputDirectory = BenchmarkRunTests.temporaryDirectory()
        configuration.probes = ProbeOptions(names: [.pipeline, .notify])
        configuration.probes.rounds = 1
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: { lines.append($0) })
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
