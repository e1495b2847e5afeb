import Engine
import Foundation
import NIOCore
import NIOPosix
import PGWire
import Stats
import Connection
import DirectIO

/// `--connect-storm N`: before the clients start, open N connections as fast as allowed (or `--storm-rate` per
/// second), time each one from the TCP connect to the first ReadyForQuery, count failures by cause, hold them all
/// until every attempt is done, then close them. What a pooler sees when an application fleet restarts.
///
/// "As fast as allowed" keeps `windowPerLoop` connects under way per loop rather than all N at once: a burst of
/// 10,000 SYNs overflows the listen queue (PgBouncer's listen_backlog is 128), and every dropped SYN waits for the
/// kernel's one-second retransmit. The window refills as each connect ends, so the server or pooler accepts at its
/// own pace.
package struct ConnectionStorm {
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
    /// Connections per second, or nil for as fast as the server accepts (through the window).
    let rate: Double?
    let settings: ConnectionSettings
    /// NIO's group, or the direct driver's loops (with `endpoint`).
    let group: any EventLoopGroup
    var endpoint: DirectEndpoint? = nil

    /// Connects under way per loop when no rate is set.
    package static let windowPerLoop = 64

    func run() async -> Outcome {
        let loops = Array(group.makeIterator())
        let startup = Connector.startupConfiguration(settings)
        let tallies = loops.map { StormTally(loop: $0) }
        let started = ContinuousClock.now
        let startNanos = NIODeadline.now().uptimeNanoseconds
        // Attempt i goes to loop i % loops; each loop opens its share (at the storm's rate, if one is set) and
        // tallies the outcomes itself, so that nothing crosses threads until every attempt has ended.
        for (loopIndex, tally) in tallies.enumerated() {
            let share = Array(stride(from: loopIndex, to: count, by: loops.count))
            tally.expect(share.count)
            let loop = tally.loop
            loop.execute { [settings, rate, endpoint] in
                if let rate, rate > 0 {
                    for index in share {
                        let due = startNanos + UInt64(Double(index) / rate * 1e9)
                        loop.scheduleTask(deadline: .uptimeNanoseconds(due)) {
                            Self.attempt(settings: settings, endpoint: endpoint, startup: startup, tally: tally,
                                         retrying: false)
                        }
                    }
                    return
                }
                tally.notStarted = share.count
                tally.startNext = {
                    Self.attempt(settings: settings, endpoint: endpoint, startup: startup, tally: tally,
                                 retrying: false)
                }
                for _ in 0..<min(Self.windowPerLoop, share.count) { tally.startAnother() }
            }
        }
        _ = try? await EventLoopFuture.andAllComplete(tallies.map(\.allSettled.futureResult), on: loops[0]).get()
        let seconds = Self.seconds(ContinuousClock.now - started)

        var histogram = LatencyHistogram()
        var failures: [String: Int] = [:]
        var connected = 0
        var closings: [EventLoopFuture<Void>] = []
        for tally in tallies {
            typealias Part = (LatencyHistogram, [String: Int], Int, EventLoopFuture<Void>)
            let part = try? await tally.loop.submit { () -> Part in
                let closed = EventLoopFuture.andAllComplete(tally.channels.map(StormConnection.close), on: tally.loop)
                for connection in tally.directConnections { connection.close() }
                let result = (tally.connectTimes, tally.failures, tally.channels.count + tally.directConnections.count,
                              closed)
                tally.channels = []
                tally.directConnections = []
                tally.startNext = nil
                return result
            }.get()
            guard let part else { continue }
            histogram.add(part.0)
            failures.merge(part.1, uniquingKeysWith: +)
            connected += part.2
            closings.append(part.3)
        }
        // All closed before the clients start, so that a pooler's max_client_conn sees only one of the two crowds.
        _ = try? await EventLoopFuture.andAllComplete(closings, on: loops[0]).get()
        return Outcome(attempted: count, connected: connected, failures: failures, connectTimes: histogram,
                       seconds: seconds)
    }

    /// One attempt, on the tally's loop; a server that refuses protocol 3.2 gets one more at 3.0.
    private static func attempt(settings: ConnectionSettings, endpoint: DirectEndpoint?, startup: StartupConfiguration,
                                tally: StormTally, retrying: Bool, begin: UInt64? = nil)
    {
        let began = begin ?? NIODeadline.now().uptimeNanoseconds
        let report = { (outcome: StormConnection.Outcome) in
            switch outcome {
            case .connected(let channel, let nanoseconds):
                tally.channels.append(channel)
                tally.connectTimes.record(nanoseconds)
                tally.settle()
            case .directConnected(let connection, let nanoseconds):
                tally.directConnections.append(connection)
                tally.connectTimes.record(nanoseconds)
                tally.settle()
            case .failed(let error):
                let described = (error as? PGWireError).map { Connector.describe(startupError: $0, settings: settings) }
                tally.failures[cause(of: described ?? error), default: 0] += 1
                tally.settle()
            case .retryAt30 where !retrying:
                attempt(settings: settings, endpoint: endpoint, startup: startup, tally: tally, retrying: true,
                        begin: began)
            case .retryAt30:
                tally.failures["other", default: 0] += 1
                tally.settle()
            }
        }
        if let endpoint, let loop = tally.loop as? DirectEventLoop {
            DirectStormConnection.open(to: endpoint, startup: startup, on: loop, retrying: retrying, begin: began,
                                       report: report)
        } else {
            StormConnection.open(settings: settings, startup: startup, on: tally.loop, retrying: retrying,
                                 begin: began, report: report)
        }
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

/// One loop's share of a storm: its open channels, times and failures, touched only on that loop.
final class StormTally: @unchecked Sendable {
    let loop: any EventLoop
    let allSettled: EventLoopPromise<Void>
    var channels: [any Channel] = []
    var directConnections: [DirectStormConnection] = []
    /// Attempts not started yet, when the storm keeps a window of them under way, and how to start one.
    var notStarted = 0
    var startNext: (() -> Void)?
    var connectTimes = LatencyHistogram()
    var failures: [String: Int] = [:]
    private var remaining = 0

    init(loop: any EventLoop) {
        self.loop = loop
        self.allSettled = loop.makePromise()
    }

    /// Sets how many attempts this loop makes (before any starts).
    func expect(_ attempts: Int) {
        remaining = attempts
        if attempts == 0 { allSettled.succeed(()) }
    }

    /// One attempt ended, either way: the next one takes its place in the window.
    func settle() {
        remaining -= 1
        if remaining == 0 { allSettled.succeed(()) }
        startAnother()
    }

    func startAnother() {
        guard notStarted > 0, let startNext else { return }
        notStarted -= 1
        startNext()
    }
}
