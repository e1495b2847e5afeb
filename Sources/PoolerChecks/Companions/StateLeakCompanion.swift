import Engine
import Stats

/// `--state-leak-check`: the probe's connections are ordinary clients of the pooler, beside the run's clients.
final class StateLeakCompanion: RunCompanion, @unchecked Sendable {
    /// Written once by `start`, read by `finish`, both awaited in turn by the run.
    private var probe: StateLeakProbe?

    var connectionsBesideClients: Int { StateLeakProbe.setters + StateLeakProbe.checkers }

    func start(_ context: RunCompanionContext) async throws {
        probe = StateLeakProbe.start(settings: context.settings, group: context.group)
    }

    func finish(interrupted: Bool) async -> RunCompanionReport {
        guard let probe else { return RunCompanionReport() }
        let outcome = await probe.finish()
        var line = "state leak check: \(outcome.checks) checks, \(outcome.leaks) leaks"
        if let example = outcome.example {
            line += " (a session SET of another connection was visible, e.g. pgswarm.leak_marker = '\(example)')"
        }
        line += "; \(outcome.sets) SETs made"
        if outcome.errors > 0 { line += "; \(outcome.errors) probe errors" }
        let lines = [line] + (outcome.firstError.map { ["  state leak probe error: \($0)"] } ?? [])
        let summary = StateLeakSummary(checks: outcome.checks, leaks: outcome.leaks, example: outcome.example,
                                       sets: outcome.sets, errors: outcome.errors)
        return RunCompanionReport(lines: lines) { $0.stateLeak = summary }
    }
}
