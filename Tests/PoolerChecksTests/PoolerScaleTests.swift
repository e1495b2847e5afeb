import Engine
import Foundation
import LocalCluster
import Testing
import Workload
@testable import Connection
@testable import PoolerChecks
import TestSupport

/// Many connections from one process through PgBouncer (issue 7): the scaled-down, CI-sized version of
/// Scripts/pooler-scale.sh, which does 10,000.
@Suite("1,000 connections through PgBouncer", .serialized)
struct PoolerScaleTests {
    static let connections = 1_000

    /// A bouncer of its own: the shared ones accept 200 clients.
    static func bouncer() async throws -> (LocalPgBouncer, ConnectionSettings) {
        let backendSettings = try await RunRig.initialisedDatabase()
        let backend = try await TestPostgres.shared()
        var options = LocalPgBouncer.Options(poolMode: .transaction)
        options.maxClientConnections = connections + 200
        options.defaultPoolSize = 10
        options.extraConfiguration = ["listen_backlog = 1024"]
        let bouncer = try LocalPgBouncer.start(backend: backend, options: options)
        var settings = ConnectionSettings(endpoint: .tcp(host: bouncer.host, port: bouncer.port),
                                          user: backend.superuser, database: backendSettings.database)
        settings.sslMode = .disable
        return (bouncer, settings)
    }

    @Test("1,000 clients connect through transaction pooling, all at once held for the run, and the run completes")
    func thousandClientsConnectAndRun() async throws {
        let (bouncer, settings) = try await Self.bouncer()
        defer { bouncer.stop() }
        let plan = try Plan.compile(sources: [ScriptSource(name: "select1.sql", text: "SELECT 1;\n")], mode: .simple)
        // A duration run: every client stays connected until the end, so all 1,000 are open together.
        var configuration = RunRig.configuration(settings, clients: Self.connections,
                                                            limit: .duration(seconds: 4))
        // One event loop: its 1,000 clients exceed the 512 connects ClientStarter lets into flight per loop, so the
        // window has to refill for the last of them.
        configuration.threads = 1
        configuration.progressInterval = 1
        let lines = LineCollector()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages.prefix(3))")
        let connects = try #require(outcome.summary.connectMicroseconds)
        #expect(connects.count == UInt64(Self.connections))
        #expect(outcome.summary.failedTransactions == 0)
        #expect(outcome.summary.transactions >= UInt64(Self.connections), "every client ran at least once")
        #expect(outcome.summary.errorsBySQLState.isEmpty, "\(outcome.summary.errorsBySQLState)")
        #expect(lines.text.contains("initial connection time = "))
        let pools = try bouncer.admin("SHOW POOLS")
        #expect(!pools.isEmpty)
    }

    @Test("a storm of 1,000 connections through PgBouncer: every attempt connects and is timed")
    func thousandConnectionStorm() async throws {
        let (bouncer, settings) = try await Self.bouncer()
        defer { bouncer.stop() }
        let plan = try Plan.compile(sources: [ScriptSource(name: "select1.sql", text: "SELECT 1;\n")], mode: .simple)
        var configuration = RunRig.configuration(settings, clients: 1, limit: .transactionsPerClient(1))
        var checks = PoolerCheckOptions()
        checks.connectStorm = Self.connections
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, companions: checks.companions,
                                              print: { _ in })
        let storm = try #require(outcome.summary.storm)
        #expect(storm.attempted == Self.connections)
        #expect(storm.connected == Self.connections, "\(storm.failures)")
        #expect(storm.failures.isEmpty)
        #expect(storm.connectMicroseconds.count == UInt64(Self.connections))
        #expect(storm.seconds > 0)
        #expect(outcome.summary.transactions == 1)
    }
}
