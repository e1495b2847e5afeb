#if canImport(Glibc)
import Glibc
#endif
import CDirectIO
import NIOCore
import Connection

/// Nonblocking stream sockets for the direct driver: open, connect, read, write, close, with errors as NIO's
/// `IOError` so that `Connector.describe` words them the same as for the NIO driver.
package enum DirectSocket {
    /// Opens a nonblocking socket and starts connecting it; `connected` is true when the connect completed at once
    /// (Unix sockets usually do), otherwise the socket becomes writable when it completes.
    package static func connect(to address: SocketAddress) throws -> (fd: Int32, connected: Bool) {
        let family: Int32
        switch address {
        case .v4: family = AF_INET
        case .v6: family = AF_INET6
        case .unixDomainSocket: family = AF_UNIX
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                            | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        if family != AF_UNIX {
            // Each message goes out as soon as it is written, as libpq sets it: requests are small and wait for
            // their reply.
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let result = address.withSockAddr { pointer, length in
            Glibc.connect(fd, pointer, socklen_t(length))
        }
        if result == 0 { return (fd, true) }
        let code = errno
        if code == EINPROGRESS { return (fd, false) }
        Glibc.close(fd)
        throw IOError(errnoCode: code, reason: "connect")
    }

    /// The outcome of a connect that was in progress: nil when it succeeded.
    package static func connectError(_ fd: Int32) -> IOError? {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) != 0 { code = errno }
        return code == 0 ? nil : IOError(errnoCode: code, reason: "connect")
    }

    package enum ReadOutcome {
        case bytes(Int)
        case wouldBlock
        case endOfFile
        case failed(Int32)
    }

    /// Reads what is there into `buffer`'s writable space.
    package static func read(_ fd: Int32, into buffer: inout ByteBuffer) -> ReadOutcome {
        var code: Int32 = 0
        let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 1) { space -> Int in
            let result = Glibc.read(fd, space.baseAddress, space.count)
            if result < 0 { code = errno }
            return max(result, 0)
        }
        if count > 0 { return .bytes(count) }
        if code == 0 { return .endOfFile }
        if code == EAGAIN || code == EWOULDBLOCK || code == EINTR { return .wouldBlock }
        return .failed(code)
    }

    /// Writes as much of `buffer` as the socket takes; returns how many bytes went, or the errno of a failure
    /// (never raising SIGPIPE: a server that went away is an error to count, not a signal).
    package static func write(_ fd: Int32, _ buffer: ByteBuffer) -> Result<Int, IOError> {
        let result = buffer.withUnsafeReadableBytes { bytes in
            send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        }
        if result >= 0 { return .success(result) }
        let code = errno
        if code == EAGAIN || code == EWOULDBLOCK || code == EINTR { return .success(0) }
        return .failure(IOError(errnoCode: code, reason: "write"))
    }
}
