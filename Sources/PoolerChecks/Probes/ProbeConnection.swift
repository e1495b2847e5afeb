import Engine
import NIOCore
import PGWire
import Synchronization
import Connection

/// What a probe reads from its connection: a decoded message, or the reason nothing more will come.
enum ProbeEvent: Sendable {
    case message(BackendMessage)
    /// The server or pooler closed the connection.
    case closed
    /// Bytes that are not a backend message (or not a well-formed one): framing is lost, the connection is closed.
    case undecodable(String)
    /// Nothing arrived within the wait's timeout.
    case timedOut
}

/// A bare protocol connection for the probes: no session state machine, no statement cache, only the codec. A probe
/// writes exactly the bytes it wants to test and reads every reply, whatever it is, so that nothing a pooler sends
/// can crash it: an unexpected message is just another event to count.
///
/// Not for the hot path: replies are handed over in batches through a promise per wait.
final class ProbeConnection: Sendable {
    let channel: any Channel
    private let handler: NIOLoopBound<ProbeChannelHandler>
    /// The last batch received and how much of it was read: kept here, not in a reader, so that whoever reads the
    /// connection next (the probe after the login) continues where the last reader stopped.
    private let inbox = Mutex<(events: [ProbeEvent], position: Int)>(([], 0))

    private init(channel: any Channel, handler: NIOLoopBound<ProbeChannelHandler>) {
        self.channel = channel
        self.handler = handler
    }

    /// Opens a TCP or Unix-socket connection (with TLS as `settings.sslMode` says); nothing is sent yet.
    static func open(_ settings: ConnectionSettings, on loop: any EventLoop) async throws -> ProbeConnection {
        let channel: any Channel
        do {
            channel = try await Connector.connect(to: settings, on: loop) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ProbeChannelHandler())
                }
            }.get()
        } catch {
            throw Connector.describe(connectError: error, settings: settings)
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: ProbeChannelHandler.self),
                         eventLoop: channel.eventLoop)
        }.get()
        return ProbeConnection(channel: channel, handler: handler)
    }

    /// An encoder over a fresh buffer of this channel's allocator.
    func makeEncoder(capacity: Int = 256) -> FrontendMessageEncoder {
        FrontendMessageEncoder(buffer: channel.allocator.buffer(capacity: capacity))
    }

    /// Writes what `encoder` holds and flushes it. A closed connection is not an error here: the next read says so.
    func send(_ encoder: inout FrontendMessageEncoder) async {
        try? await channel.writeAndFlush(encoder.flushBuffer())
    }

    /// Everything received since the last call, or, if nothing is waiting, whatever arrives first within `timeout`
    /// (`[.timedOut]` if nothing does).
    private func receive(timeout: TimeAmount) async -> [ProbeEvent] {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: [ProbeEvent].self)
        let handler = self.handler
        loop.execute { handler.value.take(promise, timeout: timeout, on: loop) }
        return (try? await promise.futureResult.get()) ?? [.closed]
    }

    /// The next event: from the batch at hand, or from a new one (waiting at most `timeout` for it).
    func next(timeout: TimeAmount) async -> ProbeEvent {
        let buffered: ProbeEvent? = inbox.withLock { inbox in
            guard inbox.position < inbox.events.count else { return nil }
            inbox.position += 1
            return inbox.events[inbox.position - 1]
        }
        if let buffered { return buffered }
        let batch = await receive(timeout: timeout)
        inbox.withLock { $0 = (batch, 1) }
        return batch[0]
    }

    /// Sends Terminate (when still open) and closes.
    func close() async {
        var encoder = makeEncoder(capacity: 8)
        encoder.terminate()
        try? await channel.writeAndFlush(encoder.flushBuffer())
        try? await channel.close()
    }
}

/// Reads a probe connection one event at a time (the connection keeps the batch at hand, so two readers of one
/// connection, one after the other, lose nothing between them).
struct ProbeReader {
    let connection: ProbeConnection

    init(_ connection: ProbeConnection) {
        self.connection = connection
    }

    mutating func next(timeout: TimeAmount) async -> ProbeEvent {
        await connection.next(timeout: timeout)
    }

    /// Reads until ReadyForQuery (included), or until the connection ends or `timeout` passes between two messages.
    /// Returns the messages, and the event that ended early (nil when ReadyForQuery came).
    mutating func untilReady(timeout: TimeAmount, limit: Int = 1_000_000) async -> ([BackendMessage], ProbeEvent?) {
        var messages: [BackendMessage] = []
        while messages.count < limit {
            let event = await next(timeout: timeout)
            guard case .message(let message) = event else { return (messages, event) }
            messages.append(message)
            if case .readyForQuery = message { return (messages, nil) }
        }
        return (messages, .timedOut)
    }
}

/// The channel side of `ProbeConnection`: decodes, queues, and hands the queue to whoever waits.
final class ProbeChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var processor = NIOSingleStepByteToMessageProcessor(BackendMessageDecoder())
    private var queued: [ProbeEvent] = []
    /// Closed or undecodable: the queue gets nothing more.
    private var ended = false
    private var waiter: EventLoopPromise<[ProbeEvent]>?
    private var waiterTimeout: Scheduled<Void>?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !ended else { return }
        let bytes = unwrapInboundIn(data)
        do {
            try processor.process(buffer: bytes) { message in
                self.queued.append(.message(message))
            }
        } catch {
            queued.append(.undecodable(String(describing: error)))
            ended = true
            context.close(promise: nil)
        }
        wake()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !ended {
            ended = true
            queued.append(.closed)
        }
        wake()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func take(_ promise: EventLoopPromise<[ProbeEvent]>, timeout: TimeAmount, on loop: any EventLoop) {
        if !queued.isEmpty || ended {
            promise.succeed(queued.isEmpty ? [.closed] : queued)
            queued = []
            return
        }
        waiter = promise
        waiterTimeout = loop.assumeIsolated().scheduleTask(in: timeout) {
            guard let waiter = self.waiter, waiter.futureResult === promise.futureResult else { return }
            self.waiter = nil
            waiter.succeed([.timedOut])
        }
    }

    private func wake() {
        guard let promise = waiter, !queued.isEmpty else { return }
        waiter = nil
        waiterTimeout?.cancel()
        waiterTimeout = nil
        promise.succeed(queued)
        queued = []
    }
}
