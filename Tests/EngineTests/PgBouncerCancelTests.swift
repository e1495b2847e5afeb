import Engine
import Foundation
import LocalCluster
import Testing
import Workload
@testable import Connection
import TestSupport

/// CancelRequests through PgBouncer in transaction pooling, each run on a PgBouncer of its own: one way of sending
/// them brings PgBouncer 1.18 down, and a shared one would take the other suites with it.
@Suite("cancels through PgBouncer", .serialized)
struct PgBouncerCancelTests {
    static func run(through bouncer: LocalPgBouncer, closeImmediately: Bool = false) async throws
        -> Benchmark.Outcome
    {
        _ = try await RunRig.initialisedDatabase()
        var settings = ConnectionSettings(endpoint: .tcp(host: bouncer.host, port: bouncer.port),
                                          user: bouncer.backend.superuser, database: "engine_tests")
        settings.sslMode = .disable
        let plan = try Plan.compile(sources: [ScriptSource(name: "sleep.sql", text: "SELECT pg_sleep(0.2);\n")],
                                    mode: .simple)
        var configuration = RunConfiguration(connection: settings)
        configuration.clients = 8
        configuration.threads = 2
        configuration.limit = .duration(seconds: 3)
        configuration.noVacuum = true
        configuration.continueOnError = true
        configuration.cancelFraction = 0.5
        configuration.cancelDelayMicroseconds = 0
        configuration.cancelDelaySpreadMicroseconds = 80_000
        configuration.cancelClosesImmediately = closeImmediately
        configuration.outputDirectory = RunRig.temporaryDirectory()
        return try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
    }

    /// A transaction-pooling PgBouncer with `poolSize` server connections for the run's eight clients.
    static func startBouncer(poolSize: Int) async throws -> LocalPgBouncer {
        var options = LocalPgBouncer.Options(poolMode: .transaction)
        options.defaultPoolSize = poolSize
        return try LocalPgBouncer.start(backend: try await TestPostgres.shared(), options: options)
    }

    @Test("cancels of running queries, closed as libpq closes them: they cancel their queries, PgBouncer stays up")
    func libpqStyleCancels() async throws {
        let bouncer = try await Self.startBouncer(poolSize: 8)
        defer { bouncer.stop() }
        let outcome = try await Self.run(through: bouncer)
        let cancels = try #require(outcome.summary.cancels)
        print("libpq-style: \(cancels)")
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(cancels.sent > 10)
        // Every cancel left within 80 ms of a 200 ms query. A client is queued only while PgBouncer opens its server
        // connections at the start; after that, each cancel reaches its running query.
        #expect((cancels.lost ?? 0) * 10 <= cancels.sent, "\(cancels)")
        #expect(cancels.cancelled + (cancels.lost ?? 0) == cancels.sent, "\(cancels)")
        #expect(cancels.wrongVictim == 0, "\(cancels)")
        #expect(outcome.summary.errorsBySQLState["57014"]
                == cancels.cancelled + cancels.misdirected + (cancels.wrongVictim ?? 0))
        #expect(outcome.summary.lostConnections == 0)
        #expect(bouncer.isAcceptingConnections)
    }

    @Test("cancels for clients queued for a server connection: PgBouncer 1.18 drops them, counted as lost")
    func queuedClientsLoseTheirCancels() async throws {
        let bouncer = try await Self.startBouncer(poolSize: 2)
        defer { bouncer.stop() }
        let outcome = try await Self.run(through: bouncer)
        let cancels = try #require(outcome.summary.cancels)
        print("queued: \(cancels)")
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        // Six of eight clients wait for one of two server connections at any time, and a cancel only reaches a
        // client linked to a server connection.
        #expect((cancels.lost ?? 0) > cancels.sent / 2, "\(cancels)")
        #expect(cancels.cancelled + cancels.late + (cancels.lost ?? 0) == cancels.sent, "\(cancels)")
        #expect(cancels.wrongVictim == 0, "\(cancels)")
        #expect(bouncer.isAcceptingConnections)
    }

    @Test("cancel connections closed at once: whatever the pooler does, the run ends with its results and says so")
    func cancelsClosedAtOnce() async throws {
        let bouncer = try await Self.startBouncer(poolSize: 8)
        defer { bouncer.stop() }
        let outcome = try await Self.run(through: bouncer, closeImmediately: true)
        let summary = outcome.summary
        let alive = bouncer.isAcceptingConnections
        print("closed at once: pgbouncer \(alive ? "survived" : "died"); \(summary.transactions) transactions, "
              + "errors \(summary.errorsBySQLState), lost \(summary.lostConnections ?? 0), "
              + "cancels \(String(describing: summary.cancels))")
        // The run returned its summary either way (PgBouncer may die before the first transaction ends).
        #expect(summary.cancels != nil)
        if alive {
            // PgBouncer 1.18 gives up a cancel whose client has already gone: the queries run on, the cancels are lost.
            #expect((summary.cancels?.lost ?? 0) > 0, "\(String(describing: summary.cancels))")
        } else {
            // PgBouncer 1.18 aborts ("bad client state" in disconnect_client) when the cancel's client leaves while
            // the cancel is forwarded: every client then loses its connection, and the summary counts it.
            #expect((summary.lostConnections ?? 0) > 0 || summary.failedTransactions > 0)
        }
    }
}
