import Engine
import Foundation
import NIOCore
import Stats
import Connection

/// `--pooler-stats HOST:PORT` (or `[probe] pooler_stats = true`): polls PgBouncer's admin console (`SHOW POOLS`,
/// `SHOW STATS`, simple query protocol only) once per progress interval during the run, writes one CSV row per poll
/// and pool, and sums up the worst moments (most clients waiting, longest wait) for summary.json, beside our own
/// connect and latency figures.
package final class PoolerStatsPoller: Sendable {
    /// Its key under `probes` in summary.json.
    static let summaryName = "pooler-stats"

    /// The CSV's columns, in order. Times in microseconds.
    static let header = "elapsed_s,database,user,cl_active,cl_waiting,sv_active,sv_idle,maxwait_us,avg_wait_us,"
        + "total_wait_us"

    let settings: ConnectionSettings
    let intervalSeconds: Double
    let csvPath: String
    private let stopFlag = CompletionFlag()

    init(settings: ConnectionSettings, intervalSeconds: Double, csvPath: String) {
        self.settings = settings
        self.intervalSeconds = max(0.1, intervalSeconds)
        self.csvPath = csvPath
    }

    /// The admin console of the pooler the run goes through: the run's endpoint (or `HOST:PORT`), database
    /// `pgbouncer`, the run's user (which must be one of PgBouncer's admin_users or stats_users).
    package static func consoleSettings(run: ConnectionSettings, address: String?) throws(PgswarmError) -> ConnectionSettings {
        var console = run
        console.database = "pgbouncer"
        if let address {
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
                  (1...65535).contains(port), colon != address.startIndex
            else {
                throw PgswarmError(.usage, "invalid --pooler-stats value: \"\(address)\" (expected HOST:PORT)")
            }
            console.endpoint = .tcp(host: String(address[..<colon]), port: port)
        }
        return console
    }

    func stop() { stopFlag.set() }

    /// Polls until `stop()`; bounded by a day of polls in any case.
    func run(group: any EventLoopGroup) async -> ProbeSummary {
        var summary = ProbeSummary()
        guard FileManager.default.createFile(atPath: csvPath, contents: Data((Self.header + "\n").utf8)),
              let file = FileHandle(forWritingAtPath: csvPath)
        else {
            summary.failure("io")
            summary.note("cannot write \(csvPath)")
            return summary
        }
        defer { try? file.close() }
        file.seekToEndOfFile()
        let console: AdminConnection
        do {
            console = try await AdminConnection.connect(settings: settings, group: group)
        } catch {
            summary.failure("connect")
            summary.note("cannot reach the pooler's admin console: \(error)")
            return summary
        }
        let started = ContinuousClock.now
        let maximumPolls = Int(86_400 / intervalSeconds) + 1
        for poll in 0..<maximumPolls {
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            do {
                let pools = try await console.simpleQuery("SHOW POOLS")
                let stats = try await console.simpleQuery("SHOW STATS")
                summary.rounds += 1
                summary.passed += 1
                let rows = Self.rows(pools: pools, stats: stats, elapsedSeconds: seconds, into: &summary)
                file.write(Data(rows.utf8))
            } catch {
                summary.rounds += 1
                summary.failure("query")
                summary.note("admin console: \(error)")
                if summary.failureCount >= 3 { break }
            }
            if stopFlag.isSet { break }
            // Sleep in short steps so that the end of the run ends the polling promptly.
            let due = started + .nanoseconds(Int64(Double(poll + 1) * intervalSeconds * 1e9))
            while !stopFlag.isSet && ContinuousClock.now < due {
                try? await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        await console.close()
        return summary
    }

    /// The CSV rows of one poll, and the maxima kept in `summary.counters`.
    static func rows(pools: AdminConnection.QueryResult, stats: AdminConnection.QueryResult, elapsedSeconds: Double,
                     into summary: inout ProbeSummary) -> String
    {
        func column(_ result: AdminConnection.QueryResult, _ name: String) -> Int? {
            result.columns.firstIndex(of: name)
        }
        func number(_ row: [String?], _ index: Int?) -> UInt64 {
            guard let index, index < row.count, let text = row[index] else { return 0 }
            return UInt64(text) ?? 0
        }
        // SHOW STATS: one row per database; wait times in microseconds (PgBouncer 1.8 and later).
        var waits: [String: (average: UInt64, total: UInt64)] = [:]
        let statsDatabase = column(stats, "database")
        for row in stats.rows {
            guard let index = statsDatabase, let database = row[index] else { continue }
            waits[database] = (number(row, column(stats, "avg_wait_time")),
                               number(row, column(stats, "total_wait_time")))
        }
        var text = ""
        let database = column(pools, "database"), user = column(pools, "user")
        for row in pools.rows {
            let name = database.flatMap { row[$0] } ?? ""
            // The admin console's own pseudo-pool says nothing about the run.
            if name == "pgbouncer" { continue }
            let clientsWaiting = number(row, column(pools, "cl_waiting"))
            let maxwait = number(row, column(pools, "maxwait")) * 1_000_000 + number(row, column(pools, "maxwait_us"))
            let wait = waits[name] ?? (0, 0)
            let fields: [String] = [
                String(format: "%.3f", elapsedSeconds), name, user.flatMap { row[$0] } ?? "",
                String(number(row, column(pools, "cl_active"))), String(clientsWaiting),
                String(number(row, column(pools, "sv_active"))), String(number(row, column(pools, "sv_idle"))),
                String(maxwait), String(wait.average), String(wait.total),
            ]
            text += fields.joined(separator: ",") + "\n"
            summary.counters["rows", default: 0] += 1
            summary.counters["max_cl_waiting"] = max(summary.counters["max_cl_waiting"] ?? 0, clientsWaiting)
            summary.counters["max_maxwait_us"] = max(summary.counters["max_maxwait_us"] ?? 0, maxwait)
            summary.counters["max_sv_active"] = max(summary.counters["max_sv_active"] ?? 0,
                                                    number(row, column(pools, "sv_active")))
            summary.counters["max_avg_wait_us"] = max(summary.counters["max_avg_wait_us"] ?? 0, wait.average)
        }
        return text
    }
}
