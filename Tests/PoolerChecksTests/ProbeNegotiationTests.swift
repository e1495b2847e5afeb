import Engine
import Foundation
import LocalCluster
import NIOPosix
import Stats
import Testing
@testable import Connection
@testable import PoolerChecks
import TestSupport

/// Where a probe test points: PostgreSQL itself (the control), or the shared PgBouncer in one of its pool modes.
enum ProbeTarget: String, CaseIterable, CustomStringConvertible, Sendable {
    case postgres
    case session
    case transaction

    var description: String { rawValue }

    func settings() async throws -> ConnectionSettings {
        switch self {
        case .postgres:
            let pg = try await TestPostgres.shared()
            var settings = ConnectionSettings(endpoint: .tcp(host: pg.host, port: pg.port), user: pg.superuser,
                                              database: "postgres")
            settings.sslMode = .disable
            return settings
        case .session, .transaction:
            let bouncer = try await TestPgBouncer.shared(poolMode: self == .session ? .session : .transaction)
            return Self.settings(of: bouncer)
        }
    }

    static func settings(of bouncer: LocalPgBouncer) -> ConnectionSettings {
        var settings = ConnectionSettings(endpoint: .tcp(host: bouncer.host, port: bouncer.port),
                                          user: bouncer.backend.superuser, database: "postgres")
        // PgBouncer without client TLS answers "N"; asking costs a round trip per connection for nothing.
        settings.sslMode = .disable
        return settings
    }

    var isPgBouncer: Bool { self != .postgres }
}

/// Runs probes on a group of their own.
func runProbes(_ names: [ProbeName], settings: ConnectionSettings, rounds: Int = 2, clients: Int = 2,
               storm: Int = 0) async throws -> [String: ProbeSummary]
{
    var options = ProbeOptions(names: names)
    options.rounds = rounds
    options.clients = clients
    options.storm = storm
    options.timeoutSeconds = 8
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    let results = await Probes.run(options, settings: settings, group: group)
    try await group.shutdownGracefully()
    return results
}

@Suite("negotiation probe", .serialized)
struct ProbeNegotiationTests {
    @Test("negotiation against PostgreSQL and PgBouncer in both pool modes", arguments: ProbeTarget.allCases)
    func negotiation(target: ProbeTarget) async throws {
        let settings = try await target.settings()
        // Two rounds of the four cases one by one (each with a cancel), then twenty logins at once.
        let summary = try #require(try await runProbes([.negotiation], settings: settings, storm: 20)["negotiation"])
        let report = Probes.describe("negotiation", summary).joined(separator: "\n")
        print("[\(target)]\n" + report)
        #expect(summary.rounds == 28, "\(report)")
        #expect(summary.violations.isEmpty, "\(report)")
        #expect(summary.desyncs.isEmpty, "\(report)")
        #expect(summary.failures.isEmpty, "\(report)")
        #expect(summary.passed == 28, "\(report)")
        #expect(summary.counters["storm_passed"] == 20, "\(report)")
        // Every login, fallback or not, got a 4-byte key; each of the eight one by one cancels a pg_sleep with it.
        #expect(summary.counters["cancelled"] == 8, "\(report)")
        #expect(summary.counters["key_bytes_4"] == 28, "\(report)")
        #expect(summary.counters["version_3.0"] == 28, "\(report)")
        if target.isPgBouncer {
            // PgBouncer 1.18 refuses 3.2, 3.9999 and any _pq_ option outright; the probe falls back each time
            // (three of the four cases: 6 in the rounds, 15 of the storm's 20).
            #expect(summary.counters["fallbacks"] == 21, "\(report)")
            #expect(summary.findings.contains { $0.hasPrefix("3.2: refused") && $0.contains("08P01") }, "\(report)")
        } else {
            // PostgreSQL 15 negotiates down to 3.0 and lists the options it ignored.
            #expect(summary.counters["fallbacks"] == nil, "\(report)")
            #expect(summary.findings.contains {
                $0.contains("NegotiateProtocolVersion(3.0, [_pq_.test_protocol_negotiation])")
            }, "\(report)")
        }
    }

    @Test("under a storm of queued clients every connection still negotiates correctly",
          arguments: [LocalPgBouncer.PoolMode.session, .transaction])
    func storm(poolMode: LocalPgBouncer.PoolMode) async throws {
        let backend = try await TestPostgres.shared()
        var options = LocalPgBouncer.Options(poolMode: poolMode)
        // Two server connections for forty clients: most of them wait in PgBouncer's queue.
        options.defaultPoolSize = 2
        let bouncer = try LocalPgBouncer.start(backend: backend, options: options)
        defer { bouncer.stop() }
        let summary = try #require(
            try await runProbes([.negotiation], settings: ProbeTarget.settings(of: bouncer), rounds: 1,
                                storm: 40)["negotiation"])
        let report = Probes.describe("negotiation", summary).joined(separator: "\n")
        print("[storm \(poolMode)]\n" + report)
        #expect(summary.counters["storm_connections"] == 40, "\(report)")
        #expect(summary.counters["storm_passed"] == 40, "\(report)")
        #expect(summary.violations.isEmpty, "\(report)")
        #expect(summary.failures.isEmpty, "\(report)")
    }
}
