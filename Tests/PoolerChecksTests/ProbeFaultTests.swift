import Foundation
import LocalCluster
import NIOCore
import NIOPosix
import Stats
import Testing
import Workload

@testable import Engine
@testable import Connection
@testable import PoolerChecks
import TestSupport

/// Network faults on loopback: the fault proxy on its own, the `faults` probe against PostgreSQL and PgBouncer, and
/// a pooler whose server connections are reset under a running benchmark.
@Suite("network faults", .serialized)
struct ProbeFaultTests {
    @Test("the fault proxy relays, resets (the client sees its connection end) and stalls (late, nothing lost)")
    func proxyRelaysResetsAndStalls() async throws {
        let pg = try await TestPostgres.shared()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let proxy = try await FaultProxy.start(target: .tcp(host: pg.host, port: pg.port), group: group)
        var settings = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: proxy.port), user: pg.superuser,
                                          database: "postgres")
        settings.sslMode = .disable
        let timeout = TimeAmount.seconds(5)
        var scratch = ProbeSummary()
        let connection = try #require(await ProbeLogin.openSession(settings, on: group.next(), timeout: timeout,
                                                                   into: &scratch), "\(scratch)")
        var reader = ProbeReader(connection)
        #expect(await PipelineProbe.selectOne(connection, &reader, label: "through the proxy", timeout: timeout,
                                              into: &scratch))
        // Stalled: the reply waits for the stall to end, then arrives whole.
        let started = ContinuousClock.now
        async let stall: Void = proxy.stall(for: .milliseconds(400))
        try await Task.sleep(for: .milliseconds(50))
        #expect(await PipelineProbe.selectOne(connection, &reader, label: "stalled", timeout: timeout, into: &scratch))
        await stall
        #expect(ContinuousClock.now - started >= .milliseconds(400))
        // Reset: the connection ends; the next read says so at once.
        #expect(await proxy.resetAll() == 1)
        var encoder = connection.makeEncoder()
        encoder.query("SELECT 1")
        await connection.send(&encoder)
        let (_, early) = await reader.untilReady(timeout: timeout)
        guard case .closed = early else {
            Issue.record("expected the reset to close the connection, got \(String(describing: early))")
            return
        }
        #expect(scratch.failures.isEmpty && scratch.desyncs.isEmpty, "\(scratch)")
        await proxy.close()
        try await group.shutdownGracefully()
    }

    @Test("faults probe: every client recovers, in-flight inserts settled, no commit lost or invented",
          arguments: ProbeTarget.allCases)
    func faultsProbe(target: ProbeTarget) async throws {
        let settings = try await target.settings()
        let summary = try #require(try await runProbes([.faults], settings: settings, rounds: 2, clients: 3)["faults"])
        let report = Probes.describe("faults", summary).joined(separator: "\n")
        print("[\(target)]\n" + report)
        #expect(summary.rounds == 6, "\(report)")
        #expect(summary.violations.isEmpty, "\(report)")
        #expect(summary.desyncs.isEmpty, "\(report)")
        #expect(summary.failures["never_recovered"] == nil, "\(report)")
        #expect(summary.passed == 6, "\(report)")
        // The reset round broke the three clients' connections; the stall round broke none.
        #expect(summary.counters["connections_reset"] == 3, "\(report)")
        #expect((summary.counters["committed"] ?? 0) > 50, "\(report)")
        let inFlight = summary.counters["in_flight"] ?? 0
        #expect(inFlight <= 3, "\(report)")
        #expect((summary.counters["in_flight_committed"] ?? 0) + (summary.counters["in_flight_not_committed"] ?? 0)
                == inFlight, "\(report)")
        // The stall holds replies for a second: someone waited about that long, and recovery took about as long.
        #expect((summary.counters["longest_wait_ms"] ?? 0) >= 900, "\(report)")
        #expect((summary.counters["recovery_after_stall_ms_max"] ?? 0) >= 900, "\(report)")
        // A reset client reconnects at once: well under the stall's second.
        #expect((summary.counters["recovery_after_reset_ms_max"] ?? 10_000) < 900, "\(report)")
        #expect(summary.findings.contains { $0.hasPrefix("in-flight inserts when a connection broke") }, "\(report)")
    }

    @Test("PgBouncer's server connections reset under a running benchmark: no crash, failures counted, run goes on")
    func poolerServerConnectionsReset() async throws {
        let pg = try await TestPostgres.shared()
        _ = try await RunRig.initialisedDatabase()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let proxy = try await FaultProxy.start(target: .tcp(host: pg.host, port: pg.port), group: group)
        var options = LocalPgBouncer.Options(poolMode: .transaction)
        options.backendPort = proxy.port
        options.defaultPoolSize = 4
        let bouncer = try LocalPgBouncer.start(backend: pg, options: options)
        defer { bouncer.stop() }
        var settings = ProbeTarget.settings(of: bouncer)
        settings.database = "engine_tests"
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .simple)
        var configuration = RunConfiguration(connection: settings)
        configuration.clients = 6
        configuration.threads = 2
        configuration.limit = .duration(seconds: 3)
        configuration.noVacuum = true
        configuration.continueOnError = true
        configuration.progressInterval = 0.5
        configuration.outputDirectory = RunRig.temporaryDirectory()
        let run = Task { try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in }) }
        try await Task.sleep(for: .seconds(1))
        let reset = await proxy.resetAll()
        let outcome = try await run.value
        let summary = outcome.summary
        let after = summary.failedPerInterval ?? []
        print("reset \(reset) server connections; \(summary.transactions) transactions, "
              + "\(summary.failedTransactions) failed, errors \(summary.errorsBySQLState), "
              + "lost \(summary.lostConnections ?? 0), aborted \(outcome.abortedClients)")
        #expect(reset >= 1)
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        // The reset cost some transactions (or at least connections), and the run went on past it.
        #expect(summary.failedTransactions + (summary.lostConnections ?? 0) > 0)
        #expect(summary.transactions > 100)
        #expect(after.count >= 5)
        await proxy.close()
        try await group.shutdownGracefully()
    }
}
