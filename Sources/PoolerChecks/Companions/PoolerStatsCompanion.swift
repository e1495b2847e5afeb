import Engine
import Stats

/// `--pooler-stats [HOST:PORT]`: polls PgBouncer's admin console from the clients' start to their end, one
/// `pooler-stats.csv` row per poll and pool.
final class PoolerStatsCompanion: RunCompanion, @unchecked Sendable {
    private let address: String?
    /// Written once by `start`, read by `finish`, both awaited in turn by the run.
    private var running: (poller: PoolerStatsPoller, task: Task<ProbeSummary, Never>)?

    init(address: String?) {
        self.address = address
    }

    var connectionsBesideClients: Int { 1 }

    func start(_ context: RunCompanionContext) async throws {
        let console = try PoolerStatsPoller.consoleSettings(run: context.settings, address: address)
        let poller = PoolerStatsPoller(settings: console, intervalSeconds: context.configuration.intervalSeconds,
                                       csvPath: context.outputDirectory + "/pooler-stats.csv")
        running = (poller, Task { await poller.run(group: context.group) })
    }

    func finish(interrupted: Bool) async -> RunCompanionReport {
        guard let running else { return RunCompanionReport() }
        running.poller.stop()
        let result = await running.task.value
        let name = PoolerStatsPoller.summaryName
        return RunCompanionReport(lines: Probes.describe(name, result)) { summary in
            summary.probes = (summary.probes ?? [:]).merging([name: result]) { $1 }
        }
    }
}
