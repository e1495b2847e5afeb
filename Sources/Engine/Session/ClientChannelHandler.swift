import NIOCore
import NIOPosix
import PGWire
import Connection

/// The NIO driver's side of a client: opens its channels and feeds their bytes to it through a `BackendFramer`
/// (decoded messages never go through NIOAny).
final class ClientChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let client: Client
    private var framer = BackendFramer()

    init(client: Client) {
        self.client = client
    }

    /// Opens a channel for `client` on its loop, with TLS as the settings ask.
    static func connect(_ client: Client) {
        let connection = client.run.configuration.connection
        // The handshake completes on this client's loop, the recorder's own.
        Connector.connect(to: connection, on: client.loop, tlsHandshakeDone: { [loopContext = client.loopContext] in
            loopContext.recorder.record(series: SeriesLayout.tls, nanoseconds: $0)
        }) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ClientChannelHandler(client: client))
            }
        }.whenFailure { error in
            client.connectFailed(error)  // on success, channelActive has taken it from here
        }
    }

    /// Sends a CancelRequest on a channel of its own, as libpq's PQcancel does.
    static func sendCancel(_ request: ByteBuffer, settings: ConnectionSettings, on loop: any EventLoop,
                           closeAtOnce: Bool) {
        let bootstrap = ClientBootstrap(group: loop).connectTimeout(Connector.connectTimeout)
        Connector.connect(bootstrap, to: settings.endpoint).whenSuccess { channel in
            channel.writeAndFlush(request).whenComplete { _ in
                if closeAtOnce {
                    channel.close(promise: nil)
                    return
                }
                // As libpq's PQcancel: wait for the server (or pooler) to close the connection once it has acted on
                // the request (reading its end of file closes the channel); bounded all the same.
                channel.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
            }
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        client.channelActive(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let now = Client.now()
        do {
            try framer.feed(&buffer) { client.received($0, now: now) }
        } catch {
            client.decodingFailed(error)
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
