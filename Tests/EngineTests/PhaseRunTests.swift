import Foundation
import LocalCluster
import Engine
import Stats
import Testing
import Workload
import TestSupport

/// A spec-style run: setup and teardown SQL, per-connection setup, and phases (warmup not recorded, a ramp of
/// clients, a steady phase at a rate), driven through RunConfiguration as the spec loader fills it.
@Suite("Phased runs", .serialized)
struct PhaseRunTests {
    @Test("warmup, a client ramp and a rate phase, with setup, per-connection setup and teardown SQL")
    func phasesRunInOrder() async throws {
        let settings = try await RunRig.initialisedDatabase()
        let pg = try await TestPostgres.shared()
        try pg.psql("DROP TABLE IF EXISTS phase_rows, phase_done", database: "engine_tests")
        let plan = try Plan.compile(sources: [ScriptSource(name: "tagged.sql", text: """
            INSERT INTO phase_rows VALUES (:client_id, current_setting('pgswarm.tag'));
            """)], mode: .prepared)
        var configuration = RunConfiguration(connection: settings)
        configuration.threads = 2
        configuration.noVacuum = true
        configuration.progressInterval = 0.5
        configuration.setupSQL = ["CREATE TABLE phase_rows (client int, tag text)", "CREATE TABLE phase_done (n int)"]
        configuration.connectionSetupSQL = ["SET pgswarm.tag = 'from-setup'"]
        configuration.teardownSQL = ["INSERT INTO phase_done SELECT count(*) FROM phase_rows"]
        configuration.phases = [
            RunPhase(name: "warmup", kind: .warmup, durationSeconds: 1, clients: 2),
            RunPhase(name: "ramp", kind: .ramp, durationSeconds: 2, clientsFrom: 2, clientsTo: 6, rateFrom: nil,
                     rateTo: nil),
            // Six clients again in the steady phase, so that a client the ramp starts late still gets to run.
            RunPhase(name: "steady", kind: .steady, durationSeconds: 1.5, clients: 6, rate: 300),
        ]
        configuration.outputDirectory = RunRig.temporaryDirectory()
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)

        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        for phase in ["[warmup]", "[ramp]", "[steady]"] {
            #expect(lines.text.contains(phase), "no progress line for \(phase)")
        }
        // Only the ramp and steady phases are recorded.
        #expect(abs(outcome.summary.durationSeconds - 3.5) < 0.5, "\(outcome.summary.durationSeconds)")
        let log = try HlogReader.read(path: outcome.outputDirectory + "/latency.hlog")
        #expect(log.intervals(tag: nil).first.map { $0.start >= 0.99 } == true)
        #expect(log.merged(tag: nil).totalCount == outcome.summary.transactions)
        // Six clients connected during the ramp; every row carries the per-connection setting.
        #expect((outcome.summary.connectMicroseconds?.count ?? 0) >= 4)
        let tags = try pg.psql("SELECT DISTINCT tag FROM phase_rows", database: "engine_tests")
        #expect(tags.trimmingCharacters(in: .whitespacesAndNewlines) == "from-setup")
        let clients = try pg.psql("SELECT count(DISTINCT client) FROM phase_rows", database: "engine_tests")
        #expect(clients.trimmingCharacters(in: .whitespacesAndNewlines) == "6")
        // The rate phase held roughly 300 tx/s: its service-time histogram exists and lag was recorded.
        #expect(log.merged(tag: "service").totalCount > 200)
        let done = try pg.psql("SELECT n FROM phase_done", database: "engine_tests")
        let allRows = try pg.psql("SELECT count(*) FROM phase_rows", database: "engine_tests")
        #expect(done == allRows)
    }
}
