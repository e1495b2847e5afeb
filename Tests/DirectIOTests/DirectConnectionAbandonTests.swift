import Foundation
import Glibc
import NIOCore
import PGWire
import Testing
@testable import Connection
@testable import DirectIO

/// A connect given up before it completes (its client finished at the end of a run) must close its socket and never
/// call its owner again: the owner is held unretained and may be gone. Runs that ended with clients still connecting
/// crashed in a later `directActive` before this existed.
@Suite("The direct driver's abandoned connects")
struct DirectConnectionAbandonTests {
    final class RecordingOwner: DirectConnectionOwner, @unchecked Sendable {
        let events = NIOLockedValueBoxForTests<[String]>([])
        func directActive(_ connection: DirectConnection<RecordingOwner>) { events.append("active") }
        func received(_ message: BackendMessage, now: UInt64) -> Bool {
            events.append("message")
            return true
        }
        func decodingFailed(_ error: any Error) { events.append("decodingFailed") }
        func connectFailed(_ error: any Error) { events.append("connectFailed") }
        func channelInactive() { events.append("inactive") }
    }

    /// A TCP listener on 127.0.0.1 that accepts and answers only when told.
    static func listener() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 4) == 0
                && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test("abandoned while waiting for the answer to SSLRequest: the socket closes and the owner hears nothing more")
    func abandonWhileNegotiating() async throws {
        let (listening, port) = try Self.listener()
        defer { close(listening) }
        let loop = DirectEventLoop()
        defer { loop.shutdownGracefully(queue: .global()) { _ in } }
        let owner = RecordingOwner()
        // sslmode=prefer (the default): the connection sends SSLRequest and waits for one byte.
        let settings = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: port), user: "u", database: "d")
        let endpoint = try DirectEndpoint(settings: settings)
        let connection = try await loop.submit {
            DirectConnection<RecordingOwner>.open(for: owner, to: endpoint, on: loop)
        }.get()
        let server = accept(listening, nil, nil)
        try #require(server >= 0)
        defer { close(server) }
        var request = [UInt8](repeating: 0, count: 8)
        #expect(recv(server, &request, 8, Int32(MSG_WAITALL)) == 8)
        let state = try await loop.submit { connection?.isConnecting ?? false }.get()
        #expect(state)

        try await loop.submit { connection?.abandon() }.get()
        // The server answers now; the client's side is already closed, so the answer meets a closed socket.
        _ = send(server, "N", 1, Int32(MSG_NOSIGNAL))
        var byte: UInt8 = 0
        #expect(recv(server, &byte, 1, 0) == 0, "the abandoned connection's socket is closed (EOF)")
        try await Task.sleep(nanoseconds: 50_000_000)
        try await loop.submit {}.get()
        #expect(owner.events.value.isEmpty)
        #expect(try await loop.submit { connection?.isConnecting ?? true }.get() == false)
    }
}
