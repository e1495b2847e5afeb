/// What the run watches once it is stopping (its deadline passed, or Ctrl-C), checked by the interval loop:
/// - clients still connecting with the start barrier up: none of them started, and the summary says how many;
/// - clients that stop finishing: finished clients keep their connections until the run is over (so that hundreds
///   of backends exiting do not slow the last transactions), but when no client has finished for a while the
///   others may be waiting for those very connections (a pooler in session mode), so they are closed then.
struct RunEndWatch {
    static let heldConnectionStallNanos: UInt64 = 100_000_000

    private var finishedSeen: (count: Int, at: UInt64)?
    /// Clients still connecting when the run began to stop, once it has; nil for none.
    private(set) var connectingAtStop: Int?
    private var connectingChecked = false

    mutating func check(run: RunContext, clients: [Client], now: UInt64) {
        guard run.stopRequested else { return }
        if !connectingChecked, let barrier = run.startBarrier {
            connectingChecked = true
            let remaining = barrier.remaining
            connectingAtStop = remaining > 0 ? remaining : nil
        }
        guard run.keepsConnectionsAtEnd else { return }
        let count = run.finishedClientCount
        guard let seen = finishedSeen, seen.count == count else {
            finishedSeen = (count, now)
            return
        }
        if now - seen.at >= Self.heldConnectionStallNanos {
            // After the flag: a client finishing from now on closes at once, one that kept its connection before
            // gets this task after it (both on the client's loop).
            run.stopKeepingConnections()
            for client in clients { client.loopExecute { client.closeHeldConnection() } }
        }
    }
}
