import NIOCore
import NIOPosix
import PGWire

/// A request from the test to the handler: bytes to send and the promise for every message up to
/// the next ReadyForQuery.
struct TestRequest: Sendable {
    var bytes: ByteBuffer
    var promise: EventLoopPromise<[BackendMessage]>
}

/// A test-only client: logs in with `StartupStateMachine`, then runs requests one after another.
/// It is the smallest thing that proves the codec and the state machine against a real server.
struct TestConnection: Sendable {
    let channel: any Channel
    let login: StartupStateMachine.Result

    static func connect(host: String, port: Int, configuration: StartupConfiguration) async throws -> TestConnection {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let loginPromise = loop.makePromise(of: StartupStateMachine.Result.self)
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        TestClientHandler(configuration: configuration, loginPromise: loginPromise)
                    )
                }
            }
            .connect(host: host, port: port)
            .get()
        do {
            let login = try await loginPromise.futureResult.get()
            return TestConnection(channel: channel, login: login)
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// Sends what `encode` writes and returns the messages up to and including ReadyForQuery.
    func send(_ encode: (inout FrontendMessageEncoder) -> Void) async throws -> [BackendMessage] {
        try await self.start(encode).get()
    }

    /// Sends a request without waiting for its answer; await the returned future later.
    func start(_ encode: (inout FrontendMessageEncoder) -> Void) -> EventLoopFuture<[BackendMessage]> {
        var encoder = FrontendMessageEncoder(buffer: self.channel.allocator.buffer(capacity: 256))
        encode(&encoder)
        let promise = self.channel.eventLoop.makePromise(of: [BackendMessage].self)
        self.channel.writeAndFlush(TestRequest(bytes: encoder.flushBuffer(), promise: promise), promise: nil)
        return promise.futureResult
    }

    /// Opens a second connection and sends a CancelRequest for this session's backend key.
    func cancel(host: String, port: Int) async throws {
        guard let key = self.login.backendKey else {
            throw PGWireError(.unexpectedMessage, messageName: "TestClient", detail: "no backend key to cancel with")
        }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port)
            .get()
        var encoder = FrontendMessageEncoder(buffer: channel.allocator.buffer(capacity: 16))
        encoder.cancelRequest(processID: key.processID, secretKey: key.secretKey)
        try await channel.writeAndFlush(encoder.flushBuffer())
        // The server closes the connection once it has read the request.
        try await channel.closeFuture.get()
    }

    func close() async {
        _ = try? await self.send { $0.terminate() }
        try? await self.channel.close()
    }
}

/// Drives the startup state machine, then pairs each request with the messages that answer it.
/// Decoding happens in the embedded processor, so messages never travel through the pipeline.
final class TestClientHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = TestRequest
    typealias OutboundOut = ByteBuffer

    private let decoder = NIOSingleStepByteToMessageProcessor(BackendMessageDecoder())
    private var startup: StartupStateMachine
    private var encoder = FrontendMessageEncoder(buffer: ByteBuffer())
    /// Nil once the login has succeeded or failed.
    private var loginPromise: EventLoopPromise<StartupStateMachine.Result>?
    private var pending = CircularBuffer<EventLoopPromise<[BackendMessage]>>()
    private var collected: [BackendMessage] = []

    init(configuration: StartupConfiguration, loginPromise: EventLoopPromise<StartupStateMachine.Result>) {
        self.startup = StartupStateMachine(configuration: configuration)
        self.loginPromise = loginPromise
    }

    func channelActive(context: ChannelHandlerContext) {
        self.perform(self.startup.start(), context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do {
            try self.decoder.process(buffer: self.unwrapInboundIn(data)) { message in
                self.received(message, context: context)
            }
        } catch {
            self.failEverything(error)
            context.close(promise: nil)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = self.unwrapOutboundIn(data)
        self.pending.append(request.promise)
        context.write(self.wrapOutboundOut(request.bytes), promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.failEverything(PGWireError(.unexpectedMessage, messageName: "TestClient", detail: "connection closed"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        self.failEverything(error)
        context.close(promise: nil)
    }

    private func received(_ message: BackendMessage, context: ChannelHandlerContext) {
        guard self.loginPromise == nil else {
            self.perform(self.startup.messageReceived(message), context: context)
            return
        }
        self.collected.append(message)
        if case .readyForQuery = message, let promise = self.pending.popFirst() {
            promise.succeed(self.collected)
            self.collected = []
        }
    }

    private func perform(_ action: StartupStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .send(let message):
            self.startup.encode(message, into: &self.encoder)
            context.writeAndFlush(self.wrapOutboundOut(self.encoder.flushBuffer()), promise: nil)
        case .wait:
            break
        case .ready(let result):
            self.loginPromise?.succeed(result)
            self.loginPromise = nil
        case .fail(let error):
            self.failLogin(error)
            context.close(promise: nil)
        case .retryWithProtocol30(let fields):
            self.failLogin(
                PGWireError(
                    .serverError,
                    messageName: "TestClient",
                    detail: "asked to retry at 3.0",
                    serverError: fields
                )
            )
            context.close(promise: nil)
        }
    }

    private func failLogin(_ error: any Error) {
        self.loginPromise?.fail(error)
        self.loginPromise = nil
    }

    private func failEverything(_ error: any Error) {
        self.failLogin(error)
        while let promise = self.pending.popFirst() {
            promise.fail(error)
        }
    }
}
