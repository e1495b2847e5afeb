import Foundation
import NIOCore
import NIOPosix
import Stats

/// `--connect-storm N`: before the clients start, open N connections as fast as allowed (all at once, or
/// `--storm-rate` per second), time each one from the TCP connect to the first ReadyForQuery, count failures by
/// cause, hold them all until every attempt is done, then close them. What a pooler sees when an application fleet
/// restarts.
struct ConnectionStorm {
    struct Outcome: Sendable {
        var attempted: Int
        var connected: Int
        /// Failures by cause: a SQLSTATE (53300 too_many_connections, 08P01 from a pooler, ...), "refused",
        /// "timeout" or "other".
        var failures: [String: Int]
        var connectTimes: LatencyHistogram
        var seconds: Double
    }

    let count: Int
    /// Connections per second, or nil for all at once.
    let rate: Double?
    let settings: ConnectionSettings
    let group: any EventLoopGroup

    func run() async -> Outcome {
        let started = ContinuousClock.now
        var histogram = LatencyHistogram()
        var failures: [String: Int] = [:]
        var opened: [AdminConnection] = []
        await withTaskGroup(of: (AdminConnection?, UInt64, String?).self) { tasks in
            for index in 0..<count {
                if let rate, rate > 0 {
                    let due = started + .nanoseconds(Int64(Double(index) / rate * 1e9))
                    try? await Task.sleep(until: due, clock: .continuous)
                }
                tasks.addTask { [settings, group] in
                    let begin = ContinuousClock.now
                    do {
                        let connection = try await AdminConnection.connect(settings: settings, group: group)
                        return (connection, Self.nanoseconds(ContinuousClock.now - begin), nil)
                    } catch {
                        return (nil, 0, Self.cause(of: error))
                    }
                }
            }
            for await (connection, nanoseconds, cause) in tasks {
                if let connection {
                    opened.append(connection)
                    histogram.record(nanoseconds)
                } else {
                    failures[cause ?? "other", default: 0] += 1
                }
            }
        }
        let seconds = Self.seconds(ContinuousClock.now - started)
        await withTaskGroup(of: Void.self) { tasks in
            for connection in opened { tasks.addTask { await connection.close() } }
        }
        return Outcome(attempted: count, connected: opened.count, failures: failures, connectTimes: histogram,
                       seconds: seconds)
    }

    /// A failure's cause for counting: the server's SQLSTATE when it answered, else what the socket said.
    static func cause(of error: any Error) -> String {
        let text = String(describing: error)
        // Connector words a server's refusal as "... refused the connection ...: FATAL 53300 message".
        if let range = text.range(of: #"(FATAL|ERROR|PANIC) [0-9A-Z]{5}\b"#, options: .regularExpression) {
            return String(text[range].suffix(5))
        }
        if text.contains("Connection refused") { return "refused" }
        if text.contains("timed out") { return "timeout" }
        return "other"
    }

    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds) / 1_000_000_000)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(nanoseconds(duration)) / 1e9
    }
}
