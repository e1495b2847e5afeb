import NIOCore
import NIOPosix
import PGWire

/// Owns one client's session and its current channel on one event loop, and carries out the session's actions.
/// The session outlives its channels: with `-C` it reconnects for every transaction.
final class Client {
    private var session: ClientSession
    private let run: RunContext
    private let loop: any EventLoop
    private var channel: (any Channel)?
    /// The handler's context while connected: writing through it skips the pipeline's tail and its checks.
    private var context: ChannelHandlerContext?
    private let done: EventLoopPromise<Void>
    private var finished = false
    private var reconnectWhenClosed = false
    /// Where the TLS handshake times go (`Tag=tls`); the session records everything else.
    private let loopContext: LoopContext

    init(clientID: Int, run: RunContext, loopContext: LoopContext, loop: any EventLoop, done: EventLoopPromise<Void>) {
        self.run = run
        self.loopContext = loopContext
        self.loop = loop
        self.done = done
        self.session = ClientSession(
            clientID: clientID, run: run, loop: loopContext, allocator: ByteBufferAllocator()
        )
    }

    /// Runs `body` on this client's event loop.
    func loopExecute(_ body: @escaping @Sendable () -> Void) {
        loop.execute(body)
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

    /// Ends the client at once (a hard deadline passed or the run was interrupted twice).
    func forceStop() {
        guard !finished else { return }
        finished = true
        channel?.close(promise: nil)
        done.succeed(())
    }

    // MARK: Events from the channel

    func channelActive(_ context: ChannelHandlerContext) {
        self.channel = context.channel
        self.context = context
        perform(session.channelActive(now: Self.now()))
    }

    /// A message from the server; `now` is read once per receive buffer, since its messages arrived together.
    func received(_ message: BackendMessage, now: UInt64) { perform(session.received(message, now: now)) }

    func decodingFailed(_ error: any Error) {
        perform(session.decodingFailed(error))
        channel?.close(promise: nil)
    }

    func channelInactive() {
        channel = nil
        context = nil
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
            loop.scheduleTask(deadline: .uptimeNanoseconds(at)) { [self] in
                perform(session.timerFired(now: Self.now()))
            }
        case .closeAndReconnect:
            if let channel {
                flush()
                reconnectWhenClosed = true
                channel.close(promise: nil)
            } else {
                connect()
            }
        case .closeAndReconnectLater(let delay):
            channel?.close(promise: nil)
            let at = Self.now() + delay
            loop.scheduleTask(deadline: .uptimeNanoseconds(at)) { [self] in
                perform(session.timerFired(now: Self.now()))
            }
        case .finish:
            if let channel {
                flush()
                channel.close(promise: nil)
            }
            if !finished {
                finished = true
                done.succeed(())
            }
        }
    }

    /// At the cancel's due time, if its transaction is still running, sends a CancelRequest on a connection of its
    /// own, as libpq's PQcancel does (through a pooler, with the key the pooler gave).
    private func scheduleCancel(_ cancel: (serial: UInt64, dueAt: UInt64, key: BackendKeyData)) {
        loop.scheduleTask(deadline: .uptimeNanoseconds(cancel.dueAt)) { [self] in
            guard session.cancelDue(serial: cancel.serial, now: Self.now()) else { return }
            var encoder = FrontendMessageEncoder(buffer: ByteBuffer())
            encoder.cancelRequest(processID: cancel.key.processID, secretKey: cancel.key.secretKey)
            let request = encoder.flushBuffer()
            let bootstrap = ClientBootstrap(group: loop).connectTimeout(Connector.connectTimeout)
            let connecting: EventLoopFuture<any Channel>
            switch run.configuration.connection.endpoint {
            case .tcp(let host, let port):
                if let address = try? SocketAddress(ipAddress: host, port: port) {
                    connecting = bootstrap.connect(to: address)
                } else {
                    connecting = bootstrap.connect(host: host, port: port)
                }
            case .unixSocket(let path):
                connecting = bootstrap.connect(unixDomainSocketPath: path)
            }
            let closeAtOnce = run.configuration.cancelClosesImmediately
            connecting.whenSuccess { channel in
                channel.writeAndFlush(request).whenComplete { _ in
                    if closeAtOnce {
                        channel.close(promise: nil)
                        return
                    }
                    // As libpq's PQcancel: wait for the server (or pooler) to close the connection once it has
                    // acted on the request (reading its end of file closes the channel); bounded all the same.
                    channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
                }
            }
        }
    }

    private func flush() {
        guard session.outbound.readableBytes > 0, let context else {
            session.outbound.clear()
            return
        }
        context.writeAndFlush(NIOAny(session.outbound), promise: nil)
        // The write has usually completed by now, so clearing reuses the storage; if not, clear() allocates anew.
        session.outbound.clear()
    }

    private func connect() {
        guard !finished else { return }
        let connection = run.configuration.connection
        // The handshake completes on this client's loop, the recorder's own.
        Connector.connect(to: connection, on: loop, tlsHandshakeDone: { [loopContext] nanoseconds in
            loopContext.recorder.record(series: SeriesLayout.tls, nanoseconds: nanoseconds)
        }) { [self] channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ClientChannelHandler(client: self))
            }
        }.whenComplete { [self] result in
            switch result {
            case .success:
                break  // channelActive has taken it from here
            case .failure(let error):
                perform(session.connectFailed(Connector.describe(connectError: error, settings: connection),
                                              now: Self.now()))
            }
        }
    }
}

// Clients live on one event loop; NIO's closures need Sendable, and loop confinement makes that safe.
extension Client: @unchecked Sendable {}

/// Feeds one channel's bytes to its client through the backend decoder; decoded messages never go through NIOAny.
///
/// The framing loop is ours rather than NIOSingleStepByteToMessageProcessor because that processor keeps the last
/// receive buffer referenced between reads, so NIO's pooled receive allocator must allocate a fresh buffer for every
/// read. Here a receive buffer is released as soon as it is decoded; only a partial frame at its end is copied into
/// `reassembly`, a buffer of our own that is reused.
final class ClientChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let client: Client
    private var decoder = BackendMessageDecoder()
    private var reassembly = ByteBuffer()

    init(client: Client) {
        self.client = client
    }

    func channelActive(context: ChannelHandlerContext) {
        client.channelActive(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        do {
            if reassembly.readableBytes == 0 {
                try decodeAll(&buffer)
                if buffer.readableBytes > 0 {
                    reassembly.clear()
                    reassembly.writeBuffer(&buffer)
                }
            } else {
                reassembly.writeBuffer(&buffer)
                try decodeAll(&reassembly)
                reassembly.discardReadBytes()
            }
        } catch {
            client.decodingFailed(error)
        }
    }

    private func decodeAll(_ buffer: inout ByteBuffer) throws {
        let now = Client.now()
        while let message = try decoder.decode(buffer: &buffer) {
            client.received(message, now: now)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        client.channelInactive()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
