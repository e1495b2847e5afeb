import Synchronization

/// pgbench's start: every client connects (and runs its connection setup) first, then all begin their transactions
/// at the same moment; tps counts from that moment (a duration, -T, counts from the run's start, as pgbench's does).
///
/// Without it, with many clients the first ones connected run alone while the server is still forking backends for
/// the rest: at 2,000 clients on two cores the last connected seven seconds into a ten-second run, a quarter of the
/// clients finished no transaction at all, and the figures described fewer clients than asked for.
///
/// Each client arrives once: ready (it waits for the release), or finished without getting there (a failed connect,
/// a stop). The last arrival releases everyone.
final class StartBarrier: Sendable {
    private struct State {
        var remaining: Int
        var waiting: [@Sendable () -> Void] = []
        var released = false
    }

    private let state: Mutex<State>

    /// Clients not counted in yet (0 once released).
    var remaining: Int { state.withLock { $0.released ? 0 : $0.remaining } }

    init(clients: Int) {
        state = Mutex(State(remaining: clients))
    }

    /// Counts one client in; `resume` (nil for a client that finished) runs at the release. Returns what to run now:
    /// every waiting client's `resume` when this was the last arrival, this client's own when the release happened
    /// earlier, else nil.
    func arrive(resume: (@Sendable () -> Void)?) -> [@Sendable () -> Void]? {
        state.withLock { state in
            if state.released { return resume.map { [$0] } }
            if let resume { state.waiting.append(resume) }
            state.remaining -= 1
            guard state.remaining <= 0 else { return nil }
            state.released = true
            defer { state.waiting = [] }
            return state.waiting
        }
    }
}
