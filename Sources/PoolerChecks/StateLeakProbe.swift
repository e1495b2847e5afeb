import Engine
import Foundation
import NIOCore
import Synchronization
import Connection

/// `--state-leak-check`: does session state set by one client reach another client's transactions? Through a
/// transaction pooler a plain `SET` (outside a transaction, as applications wrongly do) stays on the server
/// connection it ran on, and the next client given that server connection sees it.
///
/// Beside the run's clients, "setter" connections each run `SET pgswarm.leak_marker = 'client-<n>'` as their
/// transactions, and "checker" connections run `SELECT current_setting('pgswarm.leak_marker', true)`: any non-empty
/// value a checker reads was set by some other connection, a leak. Against PostgreSQL itself, or through session
/// pooling (DISCARD ALL when a client leaves), checkers only ever read nothing.
///
/// Every worker is bounded in rounds and reconnects; `finish()` is bounded in time however the pooler behaves
/// (closed connections, errors, stalls): what was counted until then is the result, and failures are counted.
final class StateLeakProbe: Sendable {
    struct Outcome: Sendable, Equatable {
        /// `SET` statements the setters completed.
        var sets = 0
        /// `current_setting` reads the checkers completed.
        var checks = 0
        /// Reads that returned another connection's marker.
        var leaks = 0
        /// The first leaked value read (e.g. `client-1`).
        var example: String?
        /// Failed statements and connection attempts, and the first of their messages.
        var errors = 0
        var firstError: String?
    }

    enum Role: Sendable { case setter, checker }

    static let setters = 2
    static let checkers = 2
    /// The pause between one worker's transactions: enough to interleave setters and checkers on a pool's server
    /// connections without taking CPU from the run's clients.
    static let pause: Duration = .milliseconds(2)
    static let maxRoundsPerWorker = 2_000_000
    static let maxConnectAttemptsPerWorker = 20
    /// How long `finish()` waits for workers to end their current statement before closing their connections.
    static let finishGrace: Duration = .seconds(2)

    private struct State {
        var outcome = Outcome()
        var connections: [Int: AdminConnection] = [:]
        var running = 0
    }

    private let state = Mutex(State())
    private let stop = CompletionFlag()

    private init() {}

    /// Starts the setters and checkers on `group`; they run until `finish()`.
    static func start(settings: ConnectionSettings, group: any EventLoopGroup) -> StateLeakProbe {
        let probe = StateLeakProbe()
        let workers = (0..<setters).map { (Role.setter, $0 + 1) } + (0..<checkers).map { (Role.checker, $0 + 1) }
        probe.state.withLock { $0.running = workers.count }
        for (slot, (role, number)) in workers.enumerated() {
            Task {
                await probe.work(role: role, number: number, slot: slot, settings: settings, group: group)
                probe.state.withLock { $0.running -= 1 }
            }
        }
        return probe
    }

    /// Stops the workers and returns what they counted. Waits at most `finishGrace` for a statement in flight, then
    /// closes the connections under it (a stalled pooler), and returns in any case.
    func finish() async -> Outcome {
        stop.set()
        let deadline = ContinuousClock.now + Self.finishGrace
        while ContinuousClock.now < deadline && state.withLock({ $0.running }) > 0 {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let (leftOpen, stalled) = state.withLock { state in
            defer { state.connections = [:] }
            return (Array(state.connections.values), state.running)
        }
        for connection in leftOpen { await connection.close() }
        return state.withLock { state in
            // Workers still waiting for a login or a reply: the pooler stalled them; say so rather than wait.
            if stalled > 0 {
                state.outcome.errors += stalled
                let seconds = Self.finishGrace.components.seconds
                let note = "\(stalled) probe connections got no answer (login or reply) within \(seconds) s of the end"
                state.outcome.firstError = state.outcome.firstError.map { $0 + "; " + note } ?? note
            }
            return state.outcome
        }
    }

    /// The marker a setter writes.
    static func marker(setter number: Int) -> String { "client-\(number)" }

    private func work(role: Role, number: Int, slot: Int, settings: ConnectionSettings,
                      group: any EventLoopGroup) async
    {
        var connection: AdminConnection?
        var attempts = 0
        let statement = role == .setter
            ? "SET pgswarm.leak_marker = '\(Self.marker(setter: number))'"
            : "SELECT current_setting('pgswarm.leak_marker', true)"
        for _ in 0..<Self.maxRoundsPerWorker {
            if stop.isSet { break }
            if connection == nil {
                guard attempts < Self.maxConnectAttemptsPerWorker else { return }
                attempts += 1
                do {
                    let opened = try await AdminConnection.connect(settings: settings, group: group)
                    connection = opened
                    state.withLock { $0.connections[slot] = opened }
                } catch {
                    count(error)
                    try? await Task.sleep(for: .milliseconds(50))
                    continue
                }
            }
            guard let current = connection else { continue }
            do {
                let result = try await current.simpleQuery(statement)
                let value = result.rows.first?.first ?? nil
                state.withLock { state in
                    switch role {
                    case .setter:
                        state.outcome.sets += 1
                    case .checker:
                        state.outcome.checks += 1
                        // Checkers never set the marker: whatever they read came from another connection.
                        if let value, !value.isEmpty {
                            state.outcome.leaks += 1
                            if state.outcome.example == nil { state.outcome.example = value }
                        }
                    }
                }
            } catch {
                count(error)
                // A server error leaves the connection usable; anything else (closed, protocol) opens a new one.
                if (error as? PgswarmError)?.kind != .server {
                    state.withLock { _ = $0.connections.removeValue(forKey: slot) }
                    await current.close()
                    connection = nil
                }
            }
            try? await Task.sleep(for: Self.pause)
        }
        if let connection {
            state.withLock { _ = $0.connections.removeValue(forKey: slot) }
            await connection.close()
        }
    }

    private func count(_ error: any Error) {
        // After finish() closed a stalled connection, its failure is the probe's doing, not the pooler's.
        guard !stop.isSet else { return }
        state.withLock { state in
            state.outcome.errors += 1
            if state.outcome.firstError == nil { state.outcome.firstError = String(describing: error) }
        }
    }
}
