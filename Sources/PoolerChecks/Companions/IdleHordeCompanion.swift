import Engine

/// `--idle-connections M` (`--idle-in-transaction`): opened before the clients start, checked and closed at the end.
final class IdleHordeCompanion: RunCompanion, @unchecked Sendable {
    private let count: Int
    private let inTransaction: Bool
    /// Written once by `start`, read by `finish`, both awaited in turn by the run.
    private var horde: IdleHorde?

    init(count: Int, inTransaction: Bool) {
        self.count = count
        self.inTransaction = inTransaction
    }

    var connectionsBesideClients: Int { count }

    func start(_ context: RunCompanionContext) async throws {
        horde = await IdleHorde.open(count: count, inTransaction: inTransaction, settings: context.settings,
                                     group: context.group)
    }

    func finish(interrupted: Bool) async -> RunCompanionReport {
        guard let horde else { return RunCompanionReport() }
        let opened = horde.openedCount
        let alive = await horde.checkAliveAndClose()
        let lines = ["idle connections: \(opened)/\(count) opened, \(alive) still alive at the end"
            + (inTransaction ? " (each idle in transaction)" : "")]
            + horde.openErrors.map { "  idle connection failed: \($0)" }
        return RunCompanionReport(lines: lines) { summary in
            summary.idleConnectionsOpened = opened
            summary.idleConnectionsAlive = alive
        }
    }
}
