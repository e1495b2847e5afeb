import NIOCore
import NIOPosix
import NIOSSL
import PGWire

/// A plain, one-request-at-a-time connection for the work around a benchmark: reading the scale and server
/// version, vacuuming, creating and loading pgbench's tables. Not used on the hot path.
public final class AdminConnection: Sendable {
    /// The rows and command tag of one simple query.
    public struct QueryResult: Sendable {
        public var columns: [String] = []
        public var rows: [[String?]] = []
        public var commandTag: String = ""
    }

    private let channel: any Channel
    private let handler: NIOLoopBound<AdminChannelHandler>
    public let startup: StartupStateMachine.Result
    public let settings: ConnectionSettings

    private init(channel: any Channel, handler: NIOLoopBound<AdminChannelHandler>,
                 startup: StartupStateMachine.Result, settings: ConnectionSettings)
    {
        self.channel = channel
        self.handler = handler
        self.startup = startup
        self.settings = settings
    }

    /// Whether this connection went over TLS (sslmode=prefer against a server that offers it, or stricter).
    public func usesTLS() async -> Bool {
        let channel = self.channel
        return (try? await channel.eventLoop.submit {
            (try? channel.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)) != nil
        }.get()) ?? false
    }

    /// Connects and logs in. In `auto` protocol mode, a server that refuses 3.2 outright is retried at 3.0.
    public static func connect(settings: ConnectionSettings, group: any EventLoopGroup) async throws
        -> AdminConnection
    {
        do {
            return try await connectOnce(settings: settings, group: group)
        } catch is StartupRetry {
            var fallback = settings
            fallback.protocolRequest = .v3_0
            return try await connectOnce(settings: fallback, group: group)
        }
    }

    private struct StartupRetry: Error {}

    private static func connectOnce(settings: ConnectionSettings, group: any EventLoopGroup) async throws
        -> AdminConnection
    {
        let loop = group.next()
        let readyPromise = loop.makePromise(of: StartupStateMachine.Result.self)
        let configuration = Connector.startupConfiguration(settings)
        let channel: any Channel
        do {
            channel = try await Connector.connect(to: settings, on: loop) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = AdminChannelHandler(configuration: configuration, ready: readyPromise)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }.get()
        } catch {
            readyPromise.fail(error)
            throw Connector.describe(connectError: error, settings: settings)
        }
        let result: StartupStateMachine.Result
        do {
            result = try await readyPromise.futureResult.get()
        } catch is AdminChannelHandler.RetryAt30 {
            try? await channel.close()
            throw StartupRetry()
        } catch let error as PGWireError {
            try? await channel.close()
            throw Connector.describe(startupError: error, settings: settings)
        }
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(try channel.pipeline.syncOperations.handler(type: AdminChannelHandler.self),
                         eventLoop: channel.eventLoop)
        }.get()
        return AdminConnection(channel: channel, handler: handler, startup: result, settings: settings)
    }

    /// Runs one simple query (which may hold several statements) and returns the last result's rows.
    /// A server error becomes an `PgswarmError` carrying the server's message.
    @discardableResult
    public func simpleQuery(_ sql: String) async throws -> QueryResult {
        var encoder = FrontendMessageEncoder(buffer: channel.allocator.buffer(capacity: sql.utf8.count + 8))
        encoder.query(sql)
        let messages = try await exchange(encoder.flushBuffer(), stopAtCopyIn: false)
        return try Self.result(of: messages, sql: sql)
    }

    /// `COPY ... FROM STDIN`: sends the statement, then rows `0..<rowCount` written by `writeRow` in text format,
    /// in CopyData messages of about 64 KiB, then CopyDone. `progress` is told how many rows went out so far.
    @discardableResult
    public func copyIn(
        _ sql: String,
        rowCount: Int,
        writeRow: (Int, inout ByteBuffer) -> Void,
        progress: (Int) -> Void = { _ in }
    ) async throws -> QueryResult {
        var encoder = FrontendMessageEncoder(buffer: channel.allocator.buffer(capacity: 256))
        encoder.query(sql)
        let opening = try await exchange(encoder.flushBuffer(), stopAtCopyIn: true)
        if let error = Self.firstError(opening) { throw Self.serverError(error, sql: sql) }
        var chunk = channel.allocator.buffer(capacity: 72 * 1024)
        var row = 0
        while row < rowCount {
            chunk.clear()
            while row < rowCount && chunk.readableBytes < 64 * 1024 {
                writeRow(row, &chunk)
                row += 1
            }
            encoder.copyData(chunk)
            // Wait for each write, so that memory stays bounded however large the table.
            try await channel.writeAndFlush(encoder.flushBuffer())
            progress(row)
        }
        encoder.copyDone()
        let messages = try await exchange(encoder.flushBuffer(), stopAtCopyIn: false)
        return try Self.result(of: messages, sql: sql)
    }

    private func exchange(_ bytes: ByteBuffer, stopAtCopyIn: Bool) async throws -> [BackendMessage] {
        let promise = channel.eventLoop.makePromise(of: [BackendMessage].self)
        let handler = self.handler
        let channel = self.channel
        channel.eventLoop.execute {
            // Closed already (a pooler dropped it between requests): no reply would come to complete the promise.
            guard channel.isActive else {
                promise.fail(PgswarmError(.connection, "the server closed the connection"))
                return
            }
            handler.value.expect(promise: promise, stopAtCopyIn: stopAtCopyIn)
            channel.writeAndFlush(bytes, promise: nil)
        }
        return try await promise.futureResult.get()
    }

    private static func firstError(_ messages: [BackendMessage]) -> ErrorFields? {
        for message in messages {
            if case .errorResponse(let fields) = message { return fields }
        }
        return nil
    }

    private static func serverError(_ fields: ErrorFields, sql: String) -> PgswarmError {
        let statement = sql.count > 80 ? String(sql.prefix(77)) + "..." : sql
        return PgswarmError(
            .server,
            "\(fields.severity ?? "ERROR") \(fields.sqlState ?? "?????"): \(fields.message ?? "") (in: \(statement))"
        )
    }

    private static func result(of messages: [BackendMessage], sql: String) throws -> QueryResult {
        if let error = firstError(messages) { throw serverError(error, sql: sql) }
        var result = QueryResult()
        for message in messages {
            switch message {
            case .rowDescription(let description):
                result.columns = description.map(\.name)
                result.rows = []
            case .dataRow(let row):
                result.rows.append(row.map { $0.map { String(buffer: $0) } })
            case .commandComplete(let complete):
                result.commandTag = complete.tagString
            default:
                break
            }
        }
        return result
    }

    /// Sends Terminate and closes.
    public func close() async {
        var encoder = FrontendMessageEncoder(buffer: channel.allocator.buffer(capacity: 8))
        encoder.terminate()
        try? await channel.writeAndFlush(encoder.flushBuffer())
        try? await channel.close()
    }
}

/// The channel side of `AdminConnection`: runs startup, then collects each request's replies.
package final class AdminChannelHandler: ChannelInboundHandler {
    package typealias InboundIn = ByteBuffer
    package typealias OutboundOut = ByteBuffer

    package struct RetryAt30: Error {}

    private var startup: StartupStateMachine
    private var ready: EventLoopPromise<StartupStateMachine.Result>?
    private var processor = NIOSingleStepByteToMessageProcessor(BackendMessageDecoder())
    private var pending: EventLoopPromise<[BackendMessage]>?
    private var stopAtCopyIn = false
    private var collected: [BackendMessage] = []

    package init(configuration: StartupConfiguration, ready: EventLoopPromise<StartupStateMachine.Result>) {
        self.startup = StartupStateMachine(configuration: configuration)
        self.ready = ready
    }

    package func expect(promise: EventLoopPromise<[BackendMessage]>, stopAtCopyIn: Bool) {
        pending = promise
        self.stopAtCopyIn = stopAtCopyIn
        collected = []
    }

    package func channelActive(context: ChannelHandlerContext) {
        perform(startup.start(), context: context)
        context.fireChannelActive()
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        do {
            try processor.process(buffer: bytes) { message in
                self.received(message, context: context)
            }
        } catch {
            fail(error, context: context)
        }
    }

    package func channelInactive(context: ChannelHandlerContext) {
        if ready != nil {
            _ = startup.connectionClosed()
            fail(PGWireError(.unexpectedMessage, messageName: "Startup",
                             detail: "the server closed the connection during startup"), context: context)
        }
        fail(PgswarmError(.connection, "the server closed the connection"), context: context)
        context.fireChannelInactive()
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, context: context)
        context.close(promise: nil)
    }

    private func received(_ message: BackendMessage, context: ChannelHandlerContext) {
        if ready != nil {
            perform(startup.messageReceived(message), context: context)
            return
        }
        guard pending != nil else { return }  // NoticeResponse, ParameterStatus between requests
        collected.append(message)
        switch message {
        case .readyForQuery:
            complete()
        case .copyInResponse where stopAtCopyIn:
            complete()
        default:
            break
        }
    }

    private func complete() {
        let promise = pending
        pending = nil
        promise?.succeed(collected)
        collected = []
    }

    private func perform(_ action: StartupStateMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .send(let message):
            context.writeAndFlush(
                wrapOutboundOut(startup.bytes(of: message, allocator: context.channel.allocator)), promise: nil)
        case .wait:
            break
        case .ready(let result):
            let promise = ready
            ready = nil
            promise?.succeed(result)
        case .fail(let error):
            fail(error, context: context)
            context.close(promise: nil)
        case .retryWithProtocol30:
            let promise = ready
            ready = nil
            promise?.fail(RetryAt30())
            context.close(promise: nil)
        }
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        if let promise = ready {
            ready = nil
            promise.fail(error)
        }
        if let promise = pending {
            pending = nil
            promise.fail(error)
        }
    }
}
