import NIOCore

/// Starts one event loop's clients with a bounded number of them connecting at once.
///
/// Starting 10,000 clients in one go opens 10,000 sockets in the same millisecond: every connect in flight holds its
/// own promises, closures, timeout task and bootstrap, all alive at the same moment, which would set the run's peak
/// memory; and a burst that size
/// overflows the server's listen queue (at most net.core.somaxconn, PgBouncer's listen_backlog defaults to 128),
/// so that some connects wait for the kernel's one-second SYN retransmit. A window of connects in flight per loop
/// avoids most of both; it refills as soon as connections complete, so connecting stays as fast as the server
/// accepts. 512 per loop: under 2 MB of transient state at -j 2, and enough connects in flight that a busy pooler
/// (the first clients already running their transactions) keeps accepting at its own pace.
///
/// A client counts as settled once its connection is open or it has finished (connected and done, or aborted on a
/// failed connect). Runs whose connections come and go (`-C`, phases that activate clients later) start all clients
/// at once, as before: their open connections do not say how many connects are in flight.
final class ClientStarter {
    /// Connects in flight per event loop at the start of the run.
    static let windowPerLoop = 512
    /// How often the loop looks whether the window has room (a cheap check of two counters on the loop itself).
    static let pollInterval = TimeAmount.milliseconds(1)
    /// When nothing settles for this long (a server that accepts but never answers), start the rest at once: the
    /// connect timeout then fails them as it would have without pacing.
    static let stallNanos: UInt64 = 12_000_000_000

    private let loop: any EventLoop
    private let context: LoopContext
    private let clients: [Client]
    private let window: Int
    private let run: RunContext
    private var started = 0
    private var finished = 0
    private var lastSettled = 0
    private var lastProgressAt: UInt64 = 0
    private var task: RepeatedTask?

    private init(loop: any EventLoop, context: LoopContext, clients: [Client], window: Int, run: RunContext) {
        self.loop = loop
        self.context = context
        self.clients = clients
        self.window = window
        self.run = run
    }

    /// Starts `clients` (all on `loop`, whose finish futures are `done`) through a window, or all at once when the
    /// run is not one that holds its connections.
    static func start(clients: [Client], done: [EventLoopFuture<Void>], on loop: any EventLoop, context: LoopContext,
                      run: RunContext)
    {
        let paced = !run.configuration.connectPerTransaction && run.timeline == nil
        let starter = ClientStarter(loop: loop, context: context, clients: clients,
                                    window: paced ? windowPerLoop : Int.max, run: run)
        loop.execute {
            for future in done { future.whenComplete { _ in starter.finished += 1 } }
            starter.lastProgressAt = Client.now()
            starter.startMore()
            if starter.started < clients.count {
                starter.task = loop.scheduleRepeatedTask(initialDelay: pollInterval, delay: pollInterval) { _ in
                    starter.startMore()
                }
            }
        }
    }

    /// On the loop: starts as many clients as the window has room for.
    private func startMore() {
        let now = Client.now()
        let settled = context.openConnections + finished
        if settled != lastSettled {
            lastSettled = settled
            lastProgressAt = now
        }
        let stalled = now &- lastProgressAt > Self.stallNanos
        let room = stalled || run.stopRequested ? clients.count : window - (started - settled)
        var budget = min(room, clients.count - started)
        while budget > 0 {
            context.counters.startWaitNanos &+= now &- run.startNanos
            context.counters.clientsStarted &+= 1
            clients[started].start()
            started += 1
            budget -= 1
        }
        if started == clients.count {
            task?.cancel()
            task = nil
        }
    }
}

// Confined to its event loop like the clients it starts.
extension ClientStarter: @unchecked Sendable {}
