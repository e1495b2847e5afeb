import Engine
import NIOCore
import PGWire
import Connection

/// One connection of a connect storm: connects, logs in, and reports on its loop how long that took, or why it
/// failed. Then it only holds the connection until the storm closes it.
///
/// Leaner than `AdminConnection` on purpose: a storm opens thousands of these at once, and each `AdminConnection`
/// connects through a Swift task and three hops between the task pool and the event loop, which made the storm
/// measure pgswarm's own scheduling more than the server's accept rate, and cost several kilobytes per connection.
/// Everything here happens on the connection's event loop, with futures only.
final class StormConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How an attempt ended: connected (with its channel and its time to ReadyForQuery), or failed with a cause.
    enum Outcome {
        case connected(any Channel, nanoseconds: UInt64)
        /// The same on the direct driver.
        case directConnected(DirectStormConnection, nanoseconds: UInt64)
        case failed(any Error)
        /// The server refused protocol 3.2 outright: try again at 3.0, as `AdminConnection` does.
        case retryAt30
    }

    private var startup: StartupStateMachine
    private let retrying: Bool
    private var decoder = BackendMessageDecoder()
    private var pending = ByteBuffer()
    private let begin: UInt64
    private var report: ((Outcome) -> Void)?

    private init(configuration: StartupConfiguration, retrying: Bool, begin: UInt64,
                 report: @escaping (Outcome) -> Void)
    {
        self.startup = StartupStateMachine(configuration: configuration)
        self.retrying = retrying
        self.begin = begin
        self.report = report
    }

    /// Opens one connection on `loop` (call on that loop); `report` is called exactly once, on that loop.
    static func open(settings: ConnectionSettings, startup: StartupConfiguration, on loop: any EventLoop,
                     retrying: Bool = false, begin: UInt64? = nil, report: @escaping (Outcome) -> Void)
    {
        let handler = StormConnection(configuration: startup, retrying: retrying,
                                      begin: begin ?? NIODeadline.now().uptimeNanoseconds, report: report)
        let bound = NIOLoopBound(handler, eventLoop: loop)
        Connector.connect(to: settings, on: loop) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(bound.value)
            }
        }.whenFailure { error in
            bound.value.finish(.failed(Connector.describe(connectError: error, settings: settings)))
        }
    }

    /// Sends Terminate and closes; the future succeeds once the channel is closed, whatever happened.
    static func close(_ channel: any Channel) -> EventLoopFuture<Void> {
        var encoder = FrontendMessageEncoder(buffer: channel.allocator.buffer(capacity: 8))
        encoder.terminate()
        let closed = channel.eventLoop.makePromise(of: Void.self)
        channel.writeAndFlush(encoder.flushBuffer()).whenComplete { _ in
            channel.close().whenComplete { _ in closed.succeed(()) }
        }
        return closed.futureResult
    }

    func channelActive(context: ChannelHandlerContext) {
        perform(retrying ? startup.restartAtProtocol30() : startup.start(), context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard report != nil else { return }  // logged in: whatever comes now (ParameterStatus, notices) is not ours
        var bytes = unwrapInboundIn(data)
        pending.writeBuffer(&bytes)
        do {
            while report != nil, let message = try decoder.decode(buffer: &pending) {
                perform(startup.messageReceived(message), context: context)
            }
            pending.discardReadBytes()
        } catch {
            finish(.failed(error))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if report != nil {
            finish(.failed(PGWireError(.unexpectedMessage, messageName: "Startup",
                                       detail: "the server closed the connection during startup")))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failed(error))
        context.close(promise: nil)
    }

    private func perform(_ action: StartupStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .send(let message):
            context.writeAndFlush(
                wrapOutboundOut(startup.bytes(of: message, allocator: context.channel.allocator)), promise: nil)
        case .wait:
            break
        case .ready:
            pending = ByteBuffer()
            finish(.connected(context.channel, nanoseconds: NIODeadline.now().uptimeNanoseconds &- begin))
        case .fail(let error):
            finish(.failed(error))
            context.close(promise: nil)
        case .retryWithProtocol30:
            finish(.retryAt30)
            context.close(promise: nil)
        }
    }

    private func finish(_ outcome: Outcome) {
        guard let report else { return }
        self.report = nil
        report(outcome)
    }
}
