import Foundation
import NIOCore
import NIOSSL
import NIOTLS
import PGWire

/// Why TLS could not be set up on a connection; `Connector.describe(connectError:settings:)` words it.
package struct TLSNegotiationError: Error, CustomStringConvertible {
    package enum Reason {
        case serverRefusedTLS
        case serverSentError
        case unexpectedAnswer(UInt8)
        /// Bytes after the "S": a man in the middle could have injected them before the handshake (CVE-2021-23214).
        case bytesAfterWilling
        case closedDuringNegotiation
        /// A socket error (e.g. a reset) between the SSLRequest and the end of the handshake.
        case socketError(String)
        case timedOut
    }

    package let reason: Reason

    package var description: String {
        switch reason {
        case .serverRefusedTLS: "the server does not support SSL, but SSL was required"
        case .serverSentError: "the server answered the SSL request with an error (too old for SSL negotiation?)"
        case .unexpectedAnswer(let byte): "unexpected answer 0x\(String(byte, radix: 16)) to the SSL request"
        case .bytesAfterWilling: "the server sent unencrypted data after agreeing to TLS"
        case .closedDuringNegotiation: "the server closed the connection during TLS negotiation"
        case .socketError(let reason): "the connection failed during TLS negotiation: \(reason)"
        case .timedOut: "TLS negotiation timed out"
        }
    }
}

/// First in a new TCP channel's pipeline when TLS is asked for: sends SSLRequest, reads the one-byte answer, adds
/// NIOSSL's client handler in front of itself on "S", and once the handshake is done (or on "N" when plain text is
/// acceptable) steps aside and lets channelActive through to the protocol handler behind it, which then starts up
/// as on any connection. Until then the handlers behind it see nothing: a failure fails `negotiated` and closes.
package final class TLSNegotiationHandler: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = ByteBuffer

    private enum State {
        case idle
        case awaitingAnswer
        case handshaking
        case done
        /// Failed and closing: the handlers behind us never saw the channel active, so they see nothing more.
        case failed
    }

    private let plan: TLSPlan
    /// Succeeds once the protocol handler behind may start; fails with why not.
    package let negotiated: EventLoopPromise<Void>
    private let timeout: TimeAmount
    private var state = State.idle
    private var timeoutTask: Scheduled<Void>?
    /// When the handshake began (uptime nanoseconds), to time it apart from the TCP connect and the startup.
    private var handshakeStartedAt: UInt64 = 0
    private let handshakeDone: (@Sendable (_ nanoseconds: UInt64) -> Void)?

    package init(plan: TLSPlan, negotiated: EventLoopPromise<Void>, timeout: TimeAmount,
         handshakeDone: (@Sendable (_ nanoseconds: UInt64) -> Void)? = nil)
    {
        self.plan = plan
        self.negotiated = negotiated
        self.timeout = timeout
        self.handshakeDone = handshakeDone
    }

    package func channelActive(context: ChannelHandlerContext) {
        // Not forwarded: the protocol handler behind us must not start up before TLS is settled.
        state = .awaitingAnswer
        var encoder = FrontendMessageEncoder(buffer: context.channel.allocator.buffer(capacity: 8))
        encoder.sslRequest()
        context.writeAndFlush(NIOAny(encoder.flushBuffer()), promise: nil)
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        timeoutTask = context.eventLoop.scheduleTask(in: timeout) {
            bound.value.handler.fail(context: bound.value.context, TLSNegotiationError(reason: .timedOut))
        }
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .awaitingAnswer: break
        case .failed: return
        case .idle, .handshaking, .done:
            // Nothing else should reach us; pass it on rather than lose it.
            context.fireChannelRead(data)
            return
        }
        var buffer = unwrapInboundIn(data)
        let answer: EncryptionResponse?
        do {
            answer = try EncryptionResponse.decode(buffer: &buffer, request: .ssl)
        } catch {
            let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) ?? 0
            fail(context: context, TLSNegotiationError(
                reason: byte == UInt8(ascii: "E") ? .serverSentError : .unexpectedAnswer(byte)))
            return
        }
        switch answer {
        case nil:
            return
        case .willing:
            guard buffer.readableBytes == 0 else {
                fail(context: context, TLSNegotiationError(reason: .bytesAfterWilling))
                return
            }
            startHandshake(context: context)
        case .unwilling:
            if plan.required {
                fail(context: context, TLSNegotiationError(reason: .serverRefusedTLS))
            } else {
                finish(context: context)
            }
        }
    }

    private func startHandshake(context: ChannelHandlerContext) {
        state = .handshaking
        handshakeStartedAt = NIODeadline.now().uptimeNanoseconds
        do {
            let tls = try NIOSSLClientHandler(context: plan.context, serverHostname: plan.serverHostname)
            // Added to an active channel, NIOSSL starts the handshake at once.
            try context.pipeline.syncOperations.addHandler(tls, position: .before(self))
        } catch {
            fail(context: context, error)
        }
    }

    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshaking = state, let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent {
            handshakeDone?(NIODeadline.now().uptimeNanoseconds &- handshakeStartedAt)
            finish(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    package func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .done: context.fireErrorCaught(error)
        case .failed: break
        case .idle, .awaitingAnswer, .handshaking:
            if let socketError = error as? IOError {
                fail(context: context, TLSNegotiationError(
                    reason: .socketError(String(cString: strerror(socketError.errnoCode)))))
            } else {
                fail(context: context, error)
            }
        }
    }

    package func channelInactive(context: ChannelHandlerContext) {
        switch state {
        case .done: context.fireChannelInactive()
        case .failed: break
        case .idle, .awaitingAnswer, .handshaking:
            fail(context: context, TLSNegotiationError(reason: .closedDuringNegotiation))
        }
    }

    package func handlerRemoved(context: ChannelHandlerContext) {
        // A channel closed before it ever became active (a refused connect, a Happy Eyeballs loser) still owes an
        // answer to whoever holds `negotiated`.
        switch state {
        case .done, .failed: break
        case .idle, .awaitingAnswer, .handshaking:
            state = .failed
            timeoutTask?.cancel()
            negotiated.fail(TLSNegotiationError(reason: .closedDuringNegotiation))
        }
    }

    /// TLS is settled: wake the protocol handler and leave the pipeline.
    private func finish(context: ChannelHandlerContext) {
        state = .done
        timeoutTask?.cancel()
        negotiated.succeed(())
        context.fireChannelActive()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        switch state {
        case .done, .failed: return
        case .idle, .awaitingAnswer, .handshaking: state = .failed
        }
        timeoutTask?.cancel()
        negotiated.fail(error)
        context.close(promise: nil)
    }
}
