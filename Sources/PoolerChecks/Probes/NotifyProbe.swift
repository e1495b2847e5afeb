import Engine
import Foundation
import NIOCore
import PGWire
import Stats
import Connection

/// `--probe notify`: each connection LISTENs on a channel of its own and NOTIFYs itself once per round, then waits
/// (at most two seconds) for the NotificationResponse. PostgreSQL delivers it; in transaction pooling the LISTEN
/// stays on whichever server connection ran it, so it may never come back: the probe says so ("notifications not
/// delivered (N/N timed out)") and goes on. A notification for another connection's channel is counted as foreign:
/// a pooler handed one client's notification to another.
struct NotifyProbe {
    let settings: ConnectionSettings
    let options: ProbeOptions
    let group: any EventLoopGroup

    func run() async -> ProbeSummary {
        let timeout = options.timeout
        let wait = TimeAmount.nanoseconds(min(timeout.nanoseconds, 2_000_000_000))
        let settings = self.settings
        let rounds = max(1, options.rounds)
        // Unique per run, so that a listener left behind by an earlier run cannot answer for this one.
        let token = "\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        var summary = await Probes.concurrently(options, group: group) { index, loop in
            var part = ProbeSummary()
            guard let connection = await ProbeLogin.openSession(settings, on: loop, timeout: timeout,
                                                                into: &part)
            else { return part }
            var reader = ProbeReader(connection)
            let channel = "pgswarm_probe_\(token)_\(index)"
            if await Self.simple("LISTEN \(channel)", connection, &reader, timeout: timeout, into: &part) {
                for round in 0..<rounds where !Task.isCancelled {
                    part.rounds += 1
                    guard let delivered = await Self.notifySelf(channel: channel, payload: "round \(round)",
                                                                connection, &reader, wait: wait,
                                                                timeout: timeout, into: &part)
                    else { break }
                    if delivered { part.passed += 1 }
                }
                _ = await Self.simple("UNLISTEN \(channel)", connection, &reader, timeout: timeout, into: &part)
            }
            await connection.close()
            return part
        }
        let sent = summary.counters["notifies_sent"] ?? 0
        let delivered = summary.counters["delivered"] ?? 0
        if sent > 0 && delivered < sent {
            summary.note("notifications not delivered (\(sent - delivered)/\(sent) timed out)")
        } else if sent > 0 {
            summary.note("notifications delivered (\(delivered)/\(sent))")
        }
        return summary
    }

    /// NOTIFY to the connection's own channel; true when the notification came back (before ReadyForQuery or
    /// within `wait` after it), nil when the connection is no longer usable.
    private static func notifySelf(channel: String, payload: String, _ connection: ProbeConnection,
                                   _ reader: inout ProbeReader, wait: TimeAmount, timeout: TimeAmount,
                                   into part: inout ProbeSummary) async -> Bool?
    {
        var encoder = connection.makeEncoder()
        encoder.query("NOTIFY \(channel), '\(payload)'")
        await connection.send(&encoder)
        part.count("notifies_sent")
        var delivered = false
        var ready = false
        // Bounded: a NOTIFY's reply is two messages, plus the notifications.
        for _ in 0..<10_000 {
            let event = await reader.next(timeout: ready ? wait : timeout)
            switch event {
            case .message(.notificationResponse(let notification)):
                if notification.channel == channel && notification.payload == payload {
                    delivered = true
                    part.count("delivered")
                } else {
                    part.count("foreign_notifications")
                    part.note("received a notification for \(notification.channel) (\(notification.payload))")
                }
            case .message(.commandComplete) where !ready, .message(.noticeResponse), .message(.parameterStatus):
                break
            case .message(.errorResponse(let fields)):
                part.failure(fields.sqlState ?? "?????")
            case .message(.readyForQuery) where !ready:
                ready = true
            case .message(let message):
                part.desync(message.name)
            case .timedOut where ready:
                part.count("timed_out")
                return false
            case .timedOut:
                part.failure("timeout")
                return nil
            case .closed:
                part.failure("closed")
                return nil
            case .undecodable(let text):
                part.failure("undecodable")
                part.note(text)
                return nil
            }
            if delivered && ready { return true }
        }
        return nil
    }

    /// A statement whose reply is CommandComplete and ReadyForQuery.
    private static func simple(_ sql: String, _ connection: ProbeConnection, _ reader: inout ProbeReader,
                               timeout: TimeAmount, into part: inout ProbeSummary) async -> Bool
    {
        var encoder = connection.makeEncoder()
        encoder.query(sql)
        await connection.send(&encoder)
        let expectation = ProbeExpectation(label: sql, steps: [.one(.commandComplete), .one(.readyForQuery)])
        let reading = await expectation.read(&reader, timeout: timeout, into: &part)
        if let error = reading.errors.first { part.failure(error.sqlState ?? "?????") }
        return reading.ended && reading.inOrder
    }
}
