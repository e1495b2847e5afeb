#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import Connection

/// A CancelRequest on a connection of its own, as libpq's PQcancel sends it, for the direct driver: connect, send
/// the 16 bytes, then wait for the server (or pooler) to close its end, at most five seconds, or close at once when
/// asked to. Failures are not reported: the session counts a cancel that had no effect as lost.
package final class DirectCancelRequest: DirectSocketHandler {
    private let loop: DirectEventLoop
    private let fd: Int32
    private var token: UInt64 = 0
    private let request: ByteBuffer
    private let closeAtOnce: Bool
    private var sent = false
    private var closed = false
    private static let patience = TimeAmount.seconds(5)

    private init(loop: DirectEventLoop, fd: Int32, request: ByteBuffer, closeAtOnce: Bool) {
        self.loop = loop
        self.fd = fd
        self.request = request
        self.closeAtOnce = closeAtOnce
    }

    package static func send(_ request: ByteBuffer, to endpoint: DirectEndpoint, on loop: DirectEventLoop, closeAtOnce: Bool) {
        guard let opened = try? DirectSocket.connect(to: endpoint.address) else { return }
        let cancel = DirectCancelRequest(loop: loop, fd: opened.fd, request: request, closeAtOnce: closeAtOnce)
        cancel.token = loop.register(opened.fd, handler: cancel, writable: true)
        loop.scheduleTask(in: Connector.connectTimeout + patience) { [cancel] in cancel.finish() }
    }

    package func socketWritable() {
        guard !sent, !closed else { return }
        guard DirectSocket.connectError(fd) == nil,
              case .success(let written) = DirectSocket.write(fd, request), written == request.readableBytes
        else { return finish() }
        sent = true
        if closeAtOnce { return finish() }
        loop.watchWritable(fd, token: token, false)
    }

    package func socketReadable() {
        guard sent else {
            // Refused before it could be sent.
            if DirectSocket.connectError(fd) != nil { finish() }
            return
        }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(64)
        switch DirectSocket.read(fd, into: &buffer) {
        case .bytes, .wouldBlock: break
        case .endOfFile, .failed: finish()
        }
    }

    package func loopEnding() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }

    private func finish() {
        guard !closed else { return }
        closed = true
        loop.deregister(fd, token: token)
        Glibc.close(fd)
    }
}

// Loop-confined; NIO's task closures need Sendable.
extension DirectCancelRequest: @unchecked Sendable {}
