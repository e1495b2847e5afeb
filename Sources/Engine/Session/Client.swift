import NIOCore
import NIOPosix
import PGWire
import Connection
import DirectIO

/// How a run's clients reach the server: NIO channels (TLS, and everything else), or the direct driver's sockets
/// on `DirectEventLoop`s (plain TCP and Unix sockets, at a fraction of the CPU). See `ClientDriverChoice`.
enum ClientDriver: Sendable {
    case nio
    case direct(DirectEndpoint)
}

/// Owns one client's session and its current connection on one event loop, and carries out the session's actions.
/// The session outlives its connections: with `-C` it reconnects for every transaction.
final class Client {
    private var session: ClientSession
    let run: RunContext
    /// The loop the client runs on; it changes only when `ConnectionSteering` moves the client, on the new loop.
    private(set) var loop: any EventLoop
    /// The same loop, for other threads: with steering, read and changed under `steering.homeLock`, so that a task
    /// sent to the client while it moves is queued behind the move (`loopExecute`).
    private var home: any EventLoop
    let steering: ConnectionSteering?
    private var buffersSinceSteeringCheck: UInt32 = 0
    /// Whether this connection's server is a local PostgreSQL backend (`ConnectionSteering`), looked up at the
    /// connection's first steering check.
    private var connectionSteerable: Bool?
    /// Timers scheduled for this client on its loop and not yet run: a client with any does not move.
    private var pendingTimers = 0
    let driver: ClientDriver
    /// The connection while there is one.
    private var link: Link = .none
    /// Whether `link` is open, kept beside it so that each message does not look into the link (which costs a
    /// retain and a release of the connection).
    private var linkOpen = false
    /// The direct link's connection, for the one call per transaction that writes (`link` owns it): through a
    /// guaranteed reference, without a retain and a release of the connection per request.
    private var directConnection: Unmanaged<DirectConnection<Client>>?
    /// The direct driver's connection while it connects, before `directActive`: abandoned if the client finishes
    /// first. (Its connection holds the client unretained, and clients go away with the run: a connect completing
    /// after that used to reach a freed client.)
    private var directConnecting: DirectConnection<Client>?
    private let done: EventLoopPromise<Void>
    private var finished = false
    /// Finished at the end of a duration run with its connection still open: closed by `closeHeldConnection`
    /// once every client has finished, or once clients stop finishing (through a pooler in session mode, a client
    /// waiting for a server may be waiting for this very connection).
    private var holdingConnection = false
    private var reconnectWhenClosed = false
    /// Where the TLS handshake times go (`Tag=tls`); the session records everything else.
    private(set) var loopContext: LoopContext

    fileprivate enum Link {
        case none
        /// The handler's context: writing through it skips the pipeline's tail and its checks.
        case nio(ChannelHandlerContext)
        case direct(DirectConnection<Client>)
    }

    init(clientID: Int, run: RunContext, loopContext: LoopContext, loop: any EventLoop, driver: ClientDriver,
         done: EventLoopPromise<Void>, steering: ConnectionSteering? = nil) {
        self.run = run
        self.loopContext = loopContext
        self.loop = loop
        self.home = loop
        self.steering = steering
        self.driver = driver
        self.done = done
        self.session = ClientSession(
            clientID: clientID, run: run, loop: loopContext, allocator: ByteBufferAllocator()
        )
    }

    /// Runs `body` on this client's event loop, from any thread; a task that reaches a loop the client has left
    /// follows it.
    func loopExecute(_ body: @escaping @Sendable () -> Void) {
        guard let steering else { return loop.execute(body) }
        steering.homeLock.withLock {
            home.execute { [self] in
                if steering.homeLock.withLock({ home.inEventLoop }) { body() } else { loopExecute(body) }
            }
        }
    }

    /// The run is over: a client waiting between transactions finishes now, one mid-transaction at its end.
    func stopRequested() {
        perform(session.stopRequested(now: Self.now()))
    }

    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    /// Read on the client's loop.
    var fairness: ClientFairness { session.fairness }

    func start() {
        perform(session.start(now: Self.now()))
    }

    /// After the run: sends the Terminate the session left and closes a connection kept to the end.
    func closeHeldConnection() {
        guard holdingConnection else { return }
        holdingConnection = false
        if link.isOpen {
            flush()
            closeLink()
        }
    }

    /// Ends the client at once (a hard deadline passed or the run was interrupted twice).
    func forceStop() {
        guard !finished else { return }
        closeLink()
        markFinished()
    }

    /// The client is done: counted in at the start barrier if it never got there (so that the others do not wait
    /// for it), counted among the run's finished clients, and its promise fulfilled. Once.
    private func markFinished() {
        guard !finished else { return }
        finished = true
        if session.arriveFinished() { run.arriveAtStart(resume: nil) }
        run.clientFinished()
        done.succeed(())
    }

    // MARK: Events from the connection

    func channelActive(_ context: ChannelHandlerContext) {
        link = .nio(context)
        linkOpen = true
        perform(session.channelActive(now: Self.now()))
    }

    func directActive(_ connection: DirectConnection<Client>) {
        directConnecting = nil
        connectionSteerable = nil
        link = .direct(connection)
        directConnection = .passUnretained(connection)
        linkOpen = true
        perform(session.channelActive(now: Self.now()))
    }

    /// A message from the server; `now` is read once per receive buffer, since its messages arrived together.
    /// Returns false when handling it closed the connection (the rest of the buffer is then not for this session).
    func received(_ message: BackendMessage, now: UInt64) -> Bool {
        perform(session.received(message, now: now))
        return linkOpen
    }

    func decodingFailed(_ error: any Error) {
        perform(session.decodingFailed(error))
        closeLink()
    }

    func connectFailed(_ error: any Error) {
        directConnecting = nil
        perform(session.connectFailed(Connector.describe(connectError: error, settings: run.configuration.connection),
                                      now: Self.now()))
    }

    func channelInactive() {
        link = .none
        directConnection = nil
        linkOpen = false
        if reconnectWhenClosed {
            reconnectWhenClosed = false
            connect()
            return
        }
        perform(session.channelInactive(now: Self.now()))
    }

    // MARK: Actions

    private func perform(_ action: ClientSession.Action) {
        switch action {
        case .none:
            break
        case .flush:
            flush()
            if let cancel = session.takeCancelRequest() {
                scheduleCancel(cancel)
            }
        case .connect:
            connect()
        case .wake(let at):
            scheduleOnLoop(at: at) { [self] in perform(session.timerFired(now: Self.now())) }
        case .closeAndReconnect:
            if link.isOpen {
                flush()
                reconnectWhenClosed = true
                closeLink()
            } else {
                connect()
            }
        case .closeAndReconnectLater(let delay):
            closeLink()
            scheduleOnLoop(at: Self.now() + delay) { [self] in perform(session.timerFired(now: Self.now())) }
        case .awaitStart:
            run.arriveAtStart { [self] in
                loopExecute { [self] in perform(session.startReleased(now: Self.now())) }
            }
        case .finish(let abort):
            if link.isOpen {
                // At the end of the run (and not with -C), the connection stays open until every client is done:
                // 2,000 backends exiting at once would slow the last transactions of the others by a second.
                if abort == nil && run.isOver(now: Self.now()) && run.keepsConnectionsAtEnd {
                    holdingConnection = true
                } else {
                    flush()
                    closeLink()
                }
            }
            abandonConnect()
            markFinished()
        }
    }

    /// At the cancel's due time, if its transaction is still running, sends a CancelRequest on a connection of its
    /// own, as libpq's PQcancel does (through a pooler, with the key the pooler gave).
    private func scheduleCancel(_ cancel: (serial: UInt64, dueAt: UInt64, key: BackendKeyData)) {
        scheduleOnLoop(at: cancel.dueAt) { [self] in
            guard session.cancelDue(serial: cancel.serial, now: Self.now()) else { return }
            var encoder = FrontendMessageEncoder(buffer: ByteBuffer())
            encoder.cancelRequest(processID: cancel.key.processID, secretKey: cancel.key.secretKey)
            let request = encoder.flushBuffer()
            let closeAtOnce = run.configuration.cancelClosesImmediately
            switch driver {
            case .nio:
                ClientChannelHandler.sendCancel(request, settings: run.configuration.connection, on: loop,
                                                closeAtOnce: closeAtOnce)
            case .direct(let endpoint):
                DirectCancelRequest.send(request, to: endpoint, on: loop as! DirectEventLoop, closeAtOnce: closeAtOnce)
            }
        }
    }

    /// Runs `body` on the client's loop at `deadline`, counted in `pendingTimers` until then (a client with a timer
    /// pending does not change loops).
    private func scheduleOnLoop(at deadline: UInt64, _ body: @escaping @Sendable () -> Void) {
        pendingTimers += 1
        loop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) { [self] in
            pendingTimers -= 1
            body()
        }
    }

    private func flush() {
        defer { session.outbound.clear() }
        guard session.outbound.readableBytes > 0 else { return }
        if let directConnection {
            // In place (inout): passing the session's buffer by value would copy it, a retain of its storage.
            directConnection._withUnsafeGuaranteedRef { $0.send(&session.outbound) }
            return
        }
        switch link {
        case .none:
            break
        case .nio(let context):
            // The write has usually completed by the time clear() runs, so clearing reuses the storage; if not,
            // clear() allocates anew.
            context.writeAndFlush(NIOAny(session.outbound), promise: nil)
        case .direct(let connection):
            connection.send(&session.outbound)
        }
    }

    private func abandonConnect() {
        guard let connecting = directConnecting else { return }
        directConnecting = nil
        connecting.abandon()
    }

    private func closeLink() {
        abandonConnect()
        linkOpen = false
        switch link {
        case .none: break
        case .nio(let context): context.channel.close(promise: nil)
        case .direct(let connection): connection.close()
        }
    }

    private func connect() {
        guard !finished else { return }
        switch driver {
        case .nio:
            ClientChannelHandler.connect(self)
        case .direct(let endpoint):
            abandonConnect()  // a connect asked for again replaces one under way
            // Kept only while it connects: it may have opened, or failed, before `open` returns.
            if let connection = DirectConnection<Client>.open(for: self, to: endpoint, on: loop as! DirectEventLoop),
               connection.isConnecting {
                directConnecting = connection
            }
        }
    }
}

// MARK: Moving to the backend's CPU

extension Client {
    /// After each receive buffer: now and then, moves the client to the loop on its backend's CPU.
    func receiveBufferDone() {
        guard let steering else { return }
        buffersSinceSteeringCheck &+= 1
        guard buffersSinceSteeringCheck >= ConnectionSteering.checkInterval else { return }
        buffersSinceSteeringCheck = 0
        if connectionSteerable == nil {
            connectionSteerable = steering.movesEveryClient
                || ConnectionSteering.isLocalBackend(processID: session.backendProcessID)
            if connectionSteerable == true { steering.engage() }
        }
        guard connectionSteerable == true, pendingTimers == 0, !finished,
              let connection = directConnection?.takeUnretainedValue(), connection.isMovable,
              let target = steering.destination(for: connection, backendProcessID: session.backendProcessID,
                                                leaving: loop)
        else { return }
        // Here: nothing of this client is queued on this loop but tasks sent through `loopExecute`, which follow it.
        connection.detach()
        session.leaveLoop()
        steering.homeLock.withLock {
            home = target.loop
            // Under the lock: no task sent to the client's new home can get ahead of the move.
            target.loop.execute { [self] in
                loop = target.loop
                loopContext = target.context
                session.joinLoop(target.context)
                connection.attach(to: target.loop)
            }
        }
    }
}

extension Client.Link {
    var isOpen: Bool {
        switch self {
        case .none: false
        case .nio(let context): context.channel.isActive
        case .direct(let connection): connection.isOpen
        }
    }
}

extension Client: DirectConnectionOwner {}

// Clients live on one event loop; NIO's closures need Sendable, and loop confinement makes that safe.
extension Client: @unchecked Sendable {}
