import Engine
import Stats

/// `--connect-storm N`: the storm runs to its end before the clients start (see `ConnectionStorm`).
final class ConnectionStormCompanion: RunCompanion, @unchecked Sendable {
    private let count: Int
    private let rate: Double?
    /// Written once by `start`, read by `finish`, both awaited in turn by the run.
    private var outcome: ConnectionStorm.Outcome?

    init(count: Int, rate: Double?) {
        self.count = count
        self.rate = rate
    }

    var connectionsBeforeClients: Int { count }

    func start(_ context: RunCompanionContext) async throws {
        var storm = ConnectionStorm(count: count, rate: rate, settings: context.settings, group: context.clientGroup)
        storm.endpoint = context.directEndpoint
        outcome = await storm.run()
    }

    func finish(interrupted: Bool) async -> RunCompanionReport {
        guard let storm = outcome else { return RunCompanionReport() }
        let times = storm.connectTimes
        let rate = Double(storm.attempted) / max(storm.seconds, 1e-9)
        var lines = ["connection storm: \(storm.connected)/\(storm.attempted) connected in \(fixed(storm.seconds, 3)) s "
            + "(\(fixed(rate, 1)) attempts/s); connect p50 = \(ms(Double(times.valueAtPercentile(50)))) ms, "
            + "p99 = \(ms(Double(times.valueAtPercentile(99)))) ms, max = \(ms(Double(times.max))) ms"]
        if !storm.failures.isEmpty {
            let causes = storm.failures.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }
            lines.append("connection storm failures: " + causes.joined(separator: ", "))
        }
        let summary = StormSummary(attempted: storm.attempted, connected: storm.connected, seconds: storm.seconds,
                                   failures: storm.failures,
                                   connectMicroseconds: LatencySummary(nanoseconds: storm.connectTimes))
        return RunCompanionReport(lines: lines) { $0.storm = summary }
    }
}
