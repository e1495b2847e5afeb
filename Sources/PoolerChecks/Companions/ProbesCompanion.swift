import Engine
import Stats

/// `--probe NAME[,NAME]`: the pooler-correctness probes run one after another beside the clients (alone with
/// `-c 0`); an interrupted run stops them after their current round.
final class ProbesCompanion: RunCompanion, @unchecked Sendable {
    private let options: ProbeOptions
    /// Written once by `start`, read by `finish`, both awaited in turn by the run.
    private var task: Task<[String: ProbeSummary], Never>?

    init(options: ProbeOptions) {
        self.options = options
    }

    func start(_ context: RunCompanionContext) async throws {
        task = Task { [options] in
            await Probes.run(options, settings: context.settings, group: context.group)
        }
    }

    func finish(interrupted: Bool) async -> RunCompanionReport {
        guard let task else { return RunCompanionReport() }
        if interrupted { task.cancel() }
        let results = await task.value
        let lines = results.sorted { $0.key < $1.key }.flatMap { Probes.describe($0.key, $0.value) }
        return RunCompanionReport(lines: lines) { summary in
            summary.probes = (summary.probes ?? [:]).merging(results) { $1 }
        }
    }
}
