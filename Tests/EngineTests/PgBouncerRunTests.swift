import Engine
import Foundation
import LocalCluster
import Testing
import Workload
@testable import Connection
import TestSupport

/// Benchmark runs through PgBouncer: what each pool mode allows, and what it breaks shown as counted errors.
@Suite("Benchmark runs through PgBouncer", .serialized)
struct PgBouncerRunTests {
    static func run(_ settings: ConnectionSettings, mode: QueryMode, clients: Int = 4,
                    continueOnError: Bool = false) async throws -> Benchmark.Outcome
    {
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: mode)
        var configuration = RunConfiguration(connection: settings)
        configuration.clients = clients
        configuration.threads = 2
        configuration.limit = .transactionsPerClient(50)
        configuration.mode = mode
        configuration.noVacuum = true
        configuration.continueOnError = continueOnError
        configuration.outputDirectory = RunRig.temporaryDirectory()
        return try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
    }

    @Test("transaction pooling runs select-only in simple and extended mode with no failures",
          arguments: [QueryMode.simple, .extended])
    func transactionModeSimpleAndExtended(mode: QueryMode) async throws {
        let settings = try await RunRig.bouncerSettings(poolMode: .transaction)
        let outcome = try await Self.run(settings, mode: mode, clients: 8)
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions == 400)
        #expect(outcome.summary.failedTransactions == 0)
        #expect(outcome.summary.errorsBySQLState.isEmpty)
    }

    @Test("session pooling keeps prepared statements: -M prepared runs with no failures")
    func sessionModePrepared() async throws {
        let settings = try await RunRig.bouncerSettings(poolMode: .session)
        let outcome = try await Self.run(settings, mode: .prepared)
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions == 200)
        #expect(outcome.summary.failedTransactions == 0)
    }

    @Test("-M prepared through transaction pooling counts its failures by SQLSTATE instead of crashing")
    func transactionModePreparedFailsVisibly() async throws {
        let settings = try await RunRig.bouncerSettings(poolMode: .transaction)
        // More clients than the pool's server connections, so statements land on connections that did not
        // prepare them (26000) or already hold them from another client (42P05).
        let outcome = try await Self.run(settings, mode: .prepared, clients: 30, continueOnError: true)
        let errors = outcome.summary.errorsBySQLState
        #expect(outcome.summary.failedTransactions > 0)
        #expect(!errors.isEmpty)
        #expect(Set(errors.keys).isSubset(of: ["26000", "42P05"]), "\(errors)")
        let counted = errors.values.reduce(0, +)
        #expect(counted >= outcome.summary.failedTransactions, "\(errors) vs \(outcome.summary.failedTransactions)")
        // The messages behind the SQLSTATEs, the statement names folded: one line per kind.
        let detailed = try #require(outcome.summary.errorsDetailed)
        let messages = Set(detailed.map(\.message))
        #expect(messages.isSubset(of: ["prepared statement \"…\" does not exist",
                                       "prepared statement \"…\" already exists"]), "\(detailed)")
        #expect(detailed.allSatisfy { $0.severity == "ERROR" })
        #expect(detailed.reduce(0) { $0 + $1.count } == counted)
    }
}
