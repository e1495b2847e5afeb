import Engine
import Foundation
import LocalCluster
import Stats
import Testing
@testable import PoolerChecks

/// The pipeline, copy and notify probes against PostgreSQL (the control) and PgBouncer in both pool modes.
@Suite("pipeline, copy and notify probes", .serialized)
struct ProbeProtocolTests {
    @Test("pipelines come back in protocol order, errors skip to Sync", arguments: ProbeTarget.allCases)
    func pipeline(target: ProbeTarget) async throws {
        let settings = try await target.settings()
        let summary = try #require(try await runProbes([.pipeline], settings: settings)["pipeline"])
        let report = Probes.describe("pipeline", summary).joined(separator: "\n")
        print("[\(target)]\n" + report)
        #expect(summary.rounds == 4, "\(report)")
        #expect(summary.passed == 4, "\(report)")
        #expect(summary.desyncs.isEmpty, "\(report)")
        #expect(summary.violations.isEmpty, "\(report)")
        #expect(summary.failures.isEmpty, "\(report)")
        #expect(summary.counters["skipped_to_sync"] == 4, "\(report)")
        #expect(summary.counters["flushes_answered"] == 4, "\(report)")
        #expect(summary.counters["portals_suspended"] == 4, "\(report)")
    }

    @Test("CopyFail leaves a usable connection, COPY TO STDOUT arrives whole", arguments: ProbeTarget.allCases)
    func copy(target: ProbeTarget) async throws {
        let settings = try await target.settings()
        let summary = try #require(try await runProbes([.copy], settings: settings, rounds: 1, clients: 3)["copy"])
        let report = Probes.describe("copy", summary).joined(separator: "\n")
        print("[\(target)]\n" + report)
        #expect(summary.rounds == 3, "\(report)")
        #expect(summary.passed == 3, "\(report)")
        #expect(summary.desyncs.isEmpty && summary.violations.isEmpty && summary.failures.isEmpty, "\(report)")
        #expect(summary.counters["copy_fails_answered"] == 3, "\(report)")
        #expect(summary.counters["usable_after_copy_fail"] == 3, "\(report)")
        #expect(summary.counters["copy_out_rows"] == 300_000, "\(report)")
        // "1\txxxxxxxxxxxxxxxxxxxx\n" and so on: the digits of 1...100000, a tab, 20 x, a newline per row.
        let digits = (1...100_000).reduce(0) { $0 + String($1).count }
        #expect(summary.counters["copy_out_bytes"] == UInt64(3 * (digits + 22 * 100_000)), "\(report)")
    }

    @Test("self-notification: delivered by PostgreSQL and session pooling, reported (never hung) otherwise",
          arguments: ProbeTarget.allCases)
    func notify(target: ProbeTarget) async throws {
        let settings = try await target.settings()
        let started = ContinuousClock.now
        let summary = try #require(try await runProbes([.notify], settings: settings, rounds: 3)["notify"])
        let report = Probes.describe("notify", summary).joined(separator: "\n")
        print("[\(target)]\n" + report)
        #expect(ContinuousClock.now - started < .seconds(30), "\(report)")
        #expect(summary.counters["notifies_sent"] == 6, "\(report)")
        #expect(summary.desyncs.isEmpty, "\(report)")
        #expect(summary.failures.isEmpty, "\(report)")
        let delivered = summary.counters["delivered"] ?? 0
        let timedOut = summary.counters["timed_out"] ?? 0
        #expect(delivered + timedOut == 6, "\(report)")
        if target == .transaction {
            #expect(summary.findings.contains { $0.hasPrefix("notifications") }, "\(report)")
        } else {
            #expect(delivered == 6, "\(report)")
            #expect(summary.findings.contains("notifications delivered (6/6)"), "\(report)")
        }
    }
}
