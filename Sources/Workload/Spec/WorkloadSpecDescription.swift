import Foundation

extension WorkloadSpec {
    /// What `pgswarm check` prints: the scripts with their weights, modes, connections and tags, and the phases
    /// with their durations, clients and rates.
    public func describe() -> [String] {
        var lines: [String] = []
        var summary = "workload \"\(name)\" (\(path)): \(count(scripts.count, "script"))"
        if !phases.isEmpty {
            summary += ", \(count(phases.count, "phase")), \(Self.formatDuration(durationSeconds))"
        }
        lines.append(summary)
        var settings = "default mode: \(defaultMode.rawValue)"
        settings += "; scale: " + (scale.map(String.init) ?? "from pgbench_branches or -s")
        lines.append(settings)
        if !variables.isEmpty {
            lines.append("variables: " + variables.map(\.name).joined(separator: ", "))
        }
        if !setupSQL.isEmpty || !teardownSQL.isEmpty || !connectionSetupSQL.isEmpty {
            lines.append(
                "setup: \(count(setupSQL.count, "statement")); teardown: \(count(teardownSQL.count, "statement")); "
                    + "per connection: \(count(connectionSetupSQL.count, "statement"))"
            )
        }

        if !pooler.isEmpty { lines.append("pooler: " + pooler.describe()) }
        lines.append("scripts:")
        let totalWeight = max(1, scripts.reduce(0) { $0 + $1.weight })
        let nameWidth = scripts.map(\.name.count).max() ?? 0
        for script in scripts {
            let share = Double(script.weight) * 100 / Double(totalWeight)
            var line = "  " + script.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            line += "  weight \(script.weight) (\(String(format: "%.1f", share))%)"
            line += "  \((script.mode ?? defaultMode).rawValue)"
            line += "  " + Self.describe(script.connection)
            if script.pipelineDepth > 0 { line += "  pipeline \(script.pipelineDepth)" }
            if !script.tags.isEmpty { line += "  tags: " + script.tags.joined(separator: ", ") }
            line += "  (" + Self.describe(script.body) + ")"
            lines.append(line)
        }

        if phases.isEmpty {
            lines.append("phases: none (one run shaped by -c/-T/-t/-R, as pgbench)")
        } else {
            lines.append("phases:")
            let phaseWidth = phases.map(\.name.count).max() ?? 0
            for phase in phases {
                var line = "  " + phase.name.padding(toLength: phaseWidth, withPad: " ", startingAt: 0)
                line += "  \(phase.kind.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0))"
                line += "  \(Self.formatDuration(phase.durationSeconds))"
                line += "  clients " + Self.range(Double(phase.clientsFrom), Double(phase.clientsTo))
                if let from = phase.rateFrom, let to = phase.rateTo {
                    line += "  rate " + Self.range(from, to) + " tx/s"
                } else {
                    line += "  rate unlimited"
                }
                if let threads = phase.threads { line += "  threads \(threads)" }
                if phase.kind == .warmup { line += "  (not recorded)" }
                lines.append(line)
            }
        }
        if let probe {
            var line = "probes: " + probe.names.joined(separator: ", ")
            if let rounds = probe.rounds { line += "  rounds \(rounds)" }
            if let clients = probe.clients { line += "  clients \(clients)" }
            if let storm = probe.storm, storm > 0 { line += "  storm \(storm)" }
            lines.append(line)
        }
        return lines
    }

    private func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    static func describe(_ connection: ConnectionPolicy) -> String {
        switch connection {
        case .persistent: "persistent"
        case .reconnectEach: "reconnect-each"
        case .reconnectEvery(let count): "reconnect every \(count)"
        }
    }

    static func describe(_ body: SpecScript.Body) -> String {
        switch body {
        case .inline(let line, _): line > 0 ? "inline, line \(line)" : "inline"
        case .file(let path): "file \(path)"
        case .builtin(let name): "builtin \(name)"
        }
    }

    static func range(_ from: Double, _ to: Double) -> String {
        from == to ? formatNumber(from) : "\(formatNumber(from)) -> \(formatNumber(to))"
    }

    static func formatNumber(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// `90` → `1m30s`, `0.5` → `500ms`.
    public static func formatDuration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(formatNumber((seconds * 1000).rounded()))ms" }
        if seconds != seconds.rounded() { return "\(formatNumber(seconds))s" }
        var rest = Int64(seconds)
        var text = ""
        if rest >= 3600 {
            text += "\(rest / 3600)h"
            rest %= 3600
        }
        if rest >= 60 {
            text += "\(rest / 60)m"
            rest %= 60
        }
        if rest > 0 || text.isEmpty { text += "\(rest)s" }
        return text
    }
}
