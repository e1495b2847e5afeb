#if canImport(Glibc)
import Glibc
#endif
import CDirectIO
import NIOCore
import PGWire
import Connection

/// Who a `DirectConnection` reports to: a benchmark client, or one attempt of a connect storm. Called on the loop
/// (Sendable for the loop's task closures; owners are loop-confined).
package protocol DirectConnectionOwner: AnyObject, Sendable {
    /// Connected (and past the SSLRequest exchange): the owner starts the protocol.
    func directActive(_ connection: DirectConnection<Self>)
    /// A message; returns false when handling it closed the connection.
    func received(_ message: BackendMessage, now: UInt64) -> Bool
    func decodingFailed(_ error: any Error)
    func connectFailed(_ error: any Error)
    /// Closed after it was open (by either side); told after the action in progress.
    func channelInactive()
    /// Every message of one receive buffer was handled, and the connection is still open: the one moment a client
    /// may move to another loop (`ConnectionSteering`).
    func receiveBufferDone()
}

extension DirectConnectionOwner {
    package func receiveBufferDone() {}
}

/// One client's connection on a `DirectEventLoop`: connects, answers the SSLRequest exchange when asked for one,
/// then reads into the loop's receive buffer and hands messages to the client, and writes the client's requests
/// with one send(2) each. Loop-confined; a connection serves one connect, `-C` makes a new one per transaction.
package final class DirectConnection<Owner: DirectConnectionOwner>: DirectSocketHandler {
    private enum State {
        case connecting
        /// SSLRequest sent, waiting for the server's one-byte answer.
        case negotiating
        case open
        case closed
    }

    /// The owner outlives its connections (a client is the run's for the whole run, a storm attempt holds its
    /// connection until the storm closes it), and this is loop-confined: messages reach it through a guaranteed
    /// reference, without a retain and a release around each one (four of each per transaction otherwise).
    private let owner: Unmanaged<Owner>
    private var client: Owner { owner.takeUnretainedValue() }
    private var loop: DirectEventLoop
    private let fd: Int32
    private var token: UInt64 = 0
    private var state: State
    private var framer = BackendFramer()
    /// What the socket did not take yet; sent when it becomes writable.
    private var unsent = ByteBuffer()
    private var connectTimeout: Scheduled<Void>?
    private let sendsSSLRequest: Bool

    package var isOpen: Bool { if case .open = state { true } else { false } }

    /// Connecting, or waiting for the answer to SSLRequest.
    package var isConnecting: Bool {
        switch state {
        case .connecting, .negotiating: true
        case .open, .closed: false
        }
    }

    private init(client: Owner, loop: DirectEventLoop, fd: Int32, connected: Bool, sendsSSLRequest: Bool) {
        self.owner = .passUnretained(client)
        self.loop = loop
        self.fd = fd
        self.state = .connecting
        self.sendsSSLRequest = sendsSSLRequest
        token = loop.register(fd, handler: self, writable: !connected)
    }

    /// Starts a connection for `client`; it reports back with `directActive`, or `connectFailed`. Returns the
    /// connection (nil when no socket could be opened: `connectFailed` follows), which the owner may `abandon`.
    @discardableResult
    package static func open(for client: Owner, to endpoint: DirectEndpoint, on loop: DirectEventLoop) -> DirectConnection? {
        let opened: (fd: Int32, connected: Bool)
        do {
            opened = try DirectSocket.connect(to: endpoint.address)
        } catch {
            // Reported after the action that asked for the connect, as NIO's failed future would be.
            loop.execute { client.connectFailed(error) }
            return nil
        }
        let connection = DirectConnection(client: client, loop: loop, fd: opened.fd, connected: opened.connected,
                                          sendsSSLRequest: endpoint.sendsSSLRequest)
        connection.connectTimeout = loop.scheduleTask(in: Connector.connectTimeout) { [connection] in
            connection.failConnect(ChannelError.connectTimeout(Connector.connectTimeout))
        }
        if opened.connected { connection.transportReady() }
        return connection
    }

    /// Gives up a connect still under way, without a word to the owner: it has finished and no longer waits for
    /// the connection (a client at the end of the run, which may be gone by the time the connect would complete).
    package func abandon() {
        guard isConnecting else { return }
        state = .closed
        connectTimeout?.cancel()
        connectTimeout = nil
        release()
    }

    // MARK: Events

    package func socketWritable() {
        switch state {
        case .connecting:
            if let error = DirectSocket.connectError(fd) {
                failConnect(error)
                return
            }
            loop.watchWritable(fd, token: token, false)
            transportReady()
        case .open:
            flushUnsent()
        case .negotiating, .closed:
            break
        }
    }

    package func socketReadable() {
        switch state {
        case .open:
            readMessages()
        case .negotiating:
            readNegotiationAnswer()
        case .connecting:
            // Refused or reset before the connect completed: the writable event that comes with it says why.
            if let error = DirectSocket.connectError(fd) { failConnect(error) }
        case .closed:
            break
        }
    }

    private func transportReady() {
        guard sendsSSLRequest else { return becomeOpen() }
        state = .negotiating
        var encoder = FrontendMessageEncoder(buffer: ByteBuffer())
        encoder.sslRequest()
        let request = encoder.flushBuffer()
        // Eight bytes into a new socket's empty send buffer: taken whole or the connection is broken.
        switch DirectSocket.write(fd, request) {
        case .success(8): break
        case .success: failConnect(IOError(errnoCode: EIO, reason: "write"))
        case .failure(let error): failConnect(error)
        }
    }

    /// One byte, read alone: the answer to SSLRequest comes before anything else, and nothing may be read past it.
    private func readNegotiationAnswer() {
        var answer: UInt8 = 0
        let result = Glibc.read(fd, &answer, 1)
        if result < 0 && (errno == EAGAIN || errno == EINTR) { return }
        guard result == 1 else { return failConnect(IOError(errnoCode: ECONNRESET, reason: "read")) }
        switch answer {
        case UInt8(ascii: "N"):
            becomeOpen()
        case UInt8(ascii: "S"):
            failConnect(PgswarmError(.connection, "the server now offers TLS, which the direct driver does not "
                + "speak; run with --io nio"))
        default:
            failConnect(PgswarmError(.connection, "the server answered the SSLRequest with neither S nor N"))
        }
    }

    private func becomeOpen() {
        state = .open
        connectTimeout?.cancel()
        connectTimeout = nil
        client.directActive(self)
    }

    private func readMessages() {
        loop.receiveBuffer.clear()
        switch DirectSocket.read(fd, into: &loop.receiveBuffer) {
        case .bytes:
            let now = NIODeadline.now().uptimeNanoseconds
            do {
                try framer.feed(&loop.receiveBuffer) { message in
                    owner._withUnsafeGuaranteedRef { $0.received(message, now: now) }
                }
            } catch {
                client.decodingFailed(error)
                return
            }
            // Through the guaranteed reference too: `client` would retain and release the owner once per buffer.
            if case .open = state { owner._withUnsafeGuaranteedRef { $0.receiveBufferDone() } }
        case .wouldBlock:
            break
        case .endOfFile, .failed:
            close()
        }
    }

    // MARK: Moving to another loop

    /// The backend's CPU as the kernel last saw it (SO_INCOMING_CPU), or -1.
    package var incomingCPU: Int32 { cdirectio_incoming_cpu(fd) }

    /// Whether the connection can change loops now: open, nothing left to send.
    package var isMovable: Bool { isOpen && unsent.readableBytes == 0 }

    /// On the old loop: stops watching the socket there. `attach(to:)` follows on the new loop.
    package func detach() {
        loop.deregister(fd, token: token)
    }

    /// On the new loop: watches the socket here. An answer that arrived in between is reported at once (epoll is
    /// level-triggered).
    package func attach(to newLoop: DirectEventLoop) {
        loop = newLoop
        token = newLoop.register(fd, handler: self, writable: false)
    }

    // MARK: Writing and closing

    /// Sends `buffer` now, or after what is still waiting. Leaves `buffer` as it was (inout only to spare a copy).
    package func send(_ buffer: inout ByteBuffer) {
        guard case .open = state else { return }
        if unsent.readableBytes > 0 {
            unsent.writeImmutableBuffer(buffer)
            return
        }
        switch DirectSocket.write(fd, buffer) {
        case .success(let written) where written == buffer.readableBytes:
            break
        case .success(let written):
            unsent.clear()
            unsent.writeImmutableBuffer(buffer.getSlice(at: buffer.readerIndex + written,
                                                        length: buffer.readableBytes - written)!)
            loop.watchWritable(fd, token: token, true)
        case .failure:
            close()
        }
    }

    private func flushUnsent() {
        switch DirectSocket.write(fd, unsent) {
        case .success(let written):
            unsent.moveReaderIndex(forwardBy: written)
            if unsent.readableBytes == 0 {
                unsent.clear()
                loop.watchWritable(fd, token: token, false)
            }
        case .failure:
            close()
        }
    }

    /// Closes the socket; the client hears of it after the action in progress, as with a NIO channel.
    package func close() {
        guard case .open = state else { return }
        state = .closed
        release()
        loop.execute { [client] in client.channelInactive() }
    }

    private func failConnect(_ error: any Error) {
        switch state {
        case .connecting, .negotiating: break
        case .open, .closed: return
        }
        state = .closed
        connectTimeout?.cancel()
        connectTimeout = nil
        release()
        client.connectFailed(error)
    }

    package func loopEnding() {
        guard case .closed = state else {
            state = .closed
            connectTimeout = nil
            Glibc.close(fd)
            return
        }
    }

    private func release() {
        loop.deregister(fd, token: token)
        Glibc.close(fd)
    }
}

// Loop-confined; NIO's task closures need Sendable.
extension DirectConnection: @unchecked Sendable {}
