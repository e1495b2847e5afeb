import Engine
import Foundation
import LocalCluster
import Testing
import Workload

/// CancelRequests through PgBouncer in transaction pooling, each run on a PgBouncer of its own: one way of sending
/// them brings PgBouncer 1.18 down, and a shared one would take the other suites with it.
@Suite("cancels through PgBouncer", .serialized)
struct PgBouncerCancelTests {
    static func run(through bouncer: LocalPgBouncer, closeImmediately: Bool) async throws -> Benchmark.Outcome {
        _ = try await BenchmarkRunTests.initialisedDatabase()
        var settings = ConnectionSettings(endpoint: .tcp(host: bouncer.host, port: bouncer.port),
                                          user: bouncer.backend.superuser, database: "engine_tests")
        settings.sslMode = .disable
        let plan = try Plan.compile(sources: [ScriptSource(name: "sleep.sql", text: "SELECT pg_sleep(0.02);\n")],
                                    mode: .simple)
        var configuration = RunConfiguration(connection: settings)
        configuration.clients = 8
        configuration.threads = 2
        configuration.limit = .duration(seconds: 2)
        configuration.noVacuum = true
        configuration.continueOnError = true
        configuration.cancelFraction = 0.5
        configuration.cancelDelayMicroseconds = 0
        configuration.cancelDelaySpreadMicroseconds = 40_000
        configuration.cancelClosesImmediately = closeImmediately
        configuration.outputDirectory = BenchmarkRunTests.temporaryDirectory()
        return try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
    }

    static func startBouncer() async throws -> LocalPgBouncer {
        var options = LocalPgBouncer.Options(poolMode: .transaction)
        // Fewer server connections than clients: some cancels reach clients still waiting for one.
        options.defaultPoolSize = 4
        return try LocalPgBouncer.start(backend: try await TestPostgres.shared(), options: options)
    }

    @Test("cancels at every phase, closed as libpq closes them: counted, none misdirected, PgBouncer stays up")
    func libpqStyleCancels() async throws {
        let bouncer = try await Self.startBouncer()
        defer { bouncer.stop() }
        let outcome = try await Self.run(through: bouncer, closeImmediately: false)
        let cancels = try #require(outcome.summary.cancels)
        print("libpq-style: \(cancels)")
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(cancels.sent > 20)
        #expect(cancels.cancelled > 0, "\(cancels)")
        #expect(cancels.cancelled + cancels.late == cancels.sent, "\(cancels)")
        #expect(cancels.wrongVictim == 0, "\(cancels)")
        #expect(outcome.summary.errorsBySQLState["57014"]
                == cancels.cancelled + cancels.misdirected + (cancels.wrongVictim ?? 0))
        #expect(outcome.summary.lostConnections == 0)
        #expect(bouncer.isAcceptingConnections)
    }

    @Test("cancel connections closed at once: whatever the pooler does, the run ends with its results and says so")
    func cancelsClosedAtOnce() async throws {
        let bouncer = try await Self.startBouncer()
        defer { bouncer.stop() }
        let outcome = try await Self.run(through: bouncer, closeImmediately: true)
        let summary = outcome.summary
        let alive = bouncer.isAcceptingConnections
        print("closed at once: pgbouncer \(alive ? "survived" : "died"); \(summary.transactions) transactions, "
              + "errors \(summary.errorsBySQLState), lost \(summary.lostConnections ?? 0), "
              + "cancels \(String(describing: summary.cancels))")
        #expect(summary.cancels != nil)
        #expect(summary.transactions > 0)
        if !alive {
            // PgBouncer 1.18 aborts ("bad client state" in disconnect_client) when the cancel's client leaves while
            // the cancel is forwarded: every client then loses its connection, and the summary counts it.
            #expect((summary.lostConnections ?? 0) > 0 || summary.failedTransactions > 0)
        }
    }
}
