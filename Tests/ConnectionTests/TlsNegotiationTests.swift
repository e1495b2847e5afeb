import Foundation
import NIOCore
import NIOPosix
import Testing

@testable import Connection
import TestSupport

/// The SSLRequest exchange against a fake server that answers what we tell it, and the handshake-time hook against
/// the TLS test server: what reaches the protocol handler behind the negotiation, and what the caller is told.
@Suite("TLS negotiation before startup")
struct TlsNegotiationTests {
    /// Answers the 8-byte SSLRequest with `answer`, then closes when `closeAfter` (else stays silent).
    final class FakeServerHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let answer: [UInt8]
        let closeAfter: Bool
        init(answer: [UInt8], closeAfter: Bool) {
            self.answer = answer
            self.closeAfter = closeAfter
        }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let request = unwrapInboundIn(data)
            // Only the SSLRequest (length 8, code 80877103) gets the scripted answer; a StartupMessage is ignored.
            guard request.getInteger(at: request.readerIndex + 4, as: Int32.self) == 80_877_103 else { return }
            let buffer = context.channel.allocator.buffer(bytes: answer)
            if closeAfter {
                context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in context.close(promise: nil) }
            } else {
                context.writeAndFlush(NIOAny(buffer), promise: nil)
            }
        }
    }

    /// Records that channelActive reached the protocol handler's place in the pipeline.
    final class ActiveRecorder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let active: EventLoopPromise<Void>
        init(active: EventLoopPromise<Void>) { self.active = active }
        func channelActive(context: ChannelHandlerContext) {
            active.succeed(())
            context.fireChannelActive()
        }
    }

    static func withFakeServer<T>(answer: [UInt8], closeAfter: Bool = false,
                                  _ body: (Int) async throws -> T) async throws -> T
    {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        FakeServerHandler(answer: answer, closeAfter: closeAfter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = server.localAddress?.port ?? 0
        do {
            let result = try await body(port)
            try? await server.close()
            return result
        } catch {
            try? await server.close()
            throw error
        }
    }

    /// Connects through the Connector; returns whether the protocol handler saw channelActive, or the error line.
    static func attempt(port: Int, mode: ConnectionSettings.SSLMode) async -> Result<Bool, PgswarmError> {
        var settings = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: port), user: "u", database: "d")
        settings.sslMode = mode
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let active = loop.makePromise(of: Void.self)
        do {
            let channel = try await Connector.connect(to: settings, on: loop) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ActiveRecorder(active: active))
                }
            }.get()
            let sawActive = (try? await active.futureResult.get()) != nil
            try? await channel.close()
            return .success(sawActive)
        } catch {
            active.fail(error)
            return .failure(Connector.describe(connectError: error, settings: settings))
        }
    }

    @Test("\"N\": prefer goes on to startup in plain text; require fails naming the mode")
    func unwilling() async throws {
        try await Self.withFakeServer(answer: Array("N".utf8)) { port in
            let preferred = await Self.attempt(port: port, mode: .prefer)
            #expect((try? preferred.get()) == true, "\(preferred)")
            guard case .failure(let error) = await Self.attempt(port: port, mode: .require) else {
                Issue.record("connected in plain text with sslmode=require")
                return
            }
            #expect(error.message == "cannot connect to 127.0.0.1:\(port): the server does not support SSL, "
                        + "but SSL was required (sslmode=require)")
        }
    }

    @Test("bytes after \"S\" are refused before any handshake (CVE-2021-23214)")
    func bytesAfterWilling() async throws {
        try await Self.withFakeServer(answer: Array("SR\0\0\0\u{8}".utf8)) { port in
            let outcome = await Self.attempt(port: port, mode: .prefer)
            guard case .failure(let error) = outcome else {
                Issue.record("connected despite injected bytes")
                return
            }
            #expect(error.message.contains("the server sent unencrypted data after agreeing to TLS"))
        }
    }

    @Test("an ErrorResponse or a stranger's byte in answer fails clearly, and the protocol handler never starts")
    func oddAnswers() async throws {
        try await Self.withFakeServer(answer: Array("E".utf8), closeAfter: true) { port in
            guard case .failure(let error) = await Self.attempt(port: port, mode: .prefer) else {
                Issue.record("connected after an E")
                return
            }
            #expect(error.message.contains("answered the SSL request with an error"))
        }
        try await Self.withFakeServer(answer: Array("H".utf8)) { port in
            guard case .failure(let error) = await Self.attempt(port: port, mode: .prefer) else {
                Issue.record("connected after an H")
                return
            }
            #expect(error.message.contains("unexpected answer 0x48 to the SSL request"))
        }
    }

    @Test("\"S\" then a closed connection fails the handshake in one line")
    func closedAfterWilling() async throws {
        try await Self.withFakeServer(answer: Array("S".utf8), closeAfter: true) { port in
            guard case .failure(let error) = await Self.attempt(port: port, mode: .require) else {
                Issue.record("connected without a handshake")
                return
            }
            // Whether the close reads as end-of-file or as a reset depends on timing; both are named as TLS's.
            let eof = "cannot connect to 127.0.0.1:\(port): SSL error: EOF during handshake (sslmode=require)"
            let reset = "cannot connect to 127.0.0.1:\(port): the connection failed during TLS negotiation: "
                + "Connection reset by peer (sslmode=require)"
            #expect([eof, reset].contains(error.message), "\(error.message)")
            #expect(!error.message.contains("\n"))
        }
    }

    @Test("the handshake time reaches the hook, and the protocol handler starts after it")
    func handshakeTimed() async throws {
        let server = try TlsTestServer.shared()
        var settings = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: server.cluster.port),
                                          user: server.cluster.superuser, database: "postgres")
        settings.sslMode = .require
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let timed = loop.makePromise(of: UInt64.self)
        let active = loop.makePromise(of: Void.self)
        let channel = try await Connector.connect(
            to: settings, on: loop, tlsHandshakeDone: { timed.succeed($0) }
        ) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ActiveRecorder(active: active))
            }
        }.get()
        let nanoseconds = try await timed.futureResult.get()
        try await active.futureResult.get()
        #expect(nanoseconds > 0 && nanoseconds < 10_000_000_000)
        try await channel.close()
    }
}
