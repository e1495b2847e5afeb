import Engine
import Foundation
import NIOCore
import Stats
import Connection

/// Runs the pooler-correctness probes (`--probe`) and words what they found. Each probe is its own small driver on
/// bare protocol connections (`ProbeConnection`), bounded in rounds and in the time it waits for any reply.
public enum Probes {
    /// Runs `options.names` one after another against `settings` on `group`'s event loops, and returns what each
    /// found, by probe name.
    public static func run(_ options: ProbeOptions, settings: ConnectionSettings, group: any EventLoopGroup) async
        -> [String: ProbeSummary]
    {
        var results: [String: ProbeSummary] = [:]
        for name in options.names where !Task.isCancelled {
            results[name.rawValue] = await run(name, options: options, settings: settings, group: group)
        }
        return results
    }

    static func run(_ name: ProbeName, options: ProbeOptions, settings: ConnectionSettings,
                    group: any EventLoopGroup) async -> ProbeSummary
    {
        switch name {
        case .negotiation:
            return await NegotiationProbe(settings: settings, options: options, group: group).run()
        case .pipeline:
            return await PipelineProbe(settings: settings, options: options, group: group).run()
        case .copy:
            return await CopyProbe(settings: settings, options: options, group: group).run()
        case .notify:
            return await NotifyProbe(settings: settings, options: options, group: group).run()
        case .preparedChurn:
            return await PreparedChurnProbe(settings: settings, options: options, group: group).run()
        case .faults:
            return await FaultProbe(settings: settings, options: options, group: group).run()
        }
    }

    /// The text summary's lines for one probe: a verdict line, then its findings indented.
    public static func describe(_ name: String, _ summary: ProbeSummary) -> [String] {
        if name == PoolerStatsPoller.summaryName {
            let counters = summary.counters
            var line = "pooler stats: \(summary.passed)/\(summary.rounds) polls answered"
            line += "; max cl_waiting = \(counters["max_cl_waiting"] ?? 0)"
            line += ", max sv_active = \(counters["max_sv_active"] ?? 0)"
            line += ", max maxwait = \(String(format: "%.3f", Double(counters["max_maxwait_us"] ?? 0) / 1000)) ms"
            // PgBouncer's avg_wait_time is the clients' waiting per second of its stats period, not per client.
            line += ", max avg_wait_time = "
                + "\(String(format: "%.3f", Double(counters["max_avg_wait_us"] ?? 0) / 1000)) ms per s"
            line += " (per poll and pool in pooler-stats.csv)"
            return [line] + summary.findings.map { "  " + $0 }
        }
        var line = "probe \(name): \(summary.passed)/\(summary.rounds) rounds clean"
        line += "; violations: " + tally(summary.violations)
        line += "; desyncs: " + tally(summary.desyncs)
        line += "; failures: " + tally(summary.failures)
        var lines = [line]
        if !summary.counters.isEmpty {
            lines.append("  " + summary.counters.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }
                .joined(separator: ", "))
        }
        lines += summary.findings.map { "  " + $0 }
        return lines
    }

    private static func tally(_ counts: [String: UInt64]) -> String {
        counts.isEmpty ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }
            .joined(separator: ", ")
    }

    /// Runs `perConnection` on `options.clients` connections at once and merges what they found.
    static func concurrently(_ options: ProbeOptions, group: any EventLoopGroup,
                             _ perConnection: @escaping @Sendable (Int, any EventLoop) async -> ProbeSummary) async
        -> ProbeSummary
    {
        await withTaskGroup(of: ProbeSummary.self) { tasks in
            for index in 0..<max(1, options.clients) {
                let loop = group.next()
                tasks.addTask { await perConnection(index, loop) }
            }
            var merged = ProbeSummary()
            for await part in tasks { merged.merge(part) }
            return merged
        }
    }
}
