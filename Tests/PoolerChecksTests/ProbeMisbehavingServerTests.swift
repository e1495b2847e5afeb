import Engine
import NIOCore
import NIOPosix
import Stats
import Synchronization
import Testing
@testable import Connection
@testable import PoolerChecks

/// A server on loopback that answers every login with the same scripted bytes, and the first request after it with
/// another script: a protocol implementation that gets things wrong on purpose, to show that the probes see it.
final class ScriptedServer: Sendable {
    let channel: any Channel
    /// The length of every CancelRequest received (12 bytes plus the key).
    let cancelRequestLengths: CancelLog
    var port: Int { channel.localAddress!.port! }

    init(group: any EventLoopGroup, login: [UInt8], reply: [UInt8]) async throws {
        let cancels = CancelLog()
        cancelRequestLengths = cancels
        channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ScriptedServerHandler(login: login, reply: reply, cancels: cancels))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func settings() -> ConnectionSettings {
        var settings = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: port), user: "u", database: "d")
        settings.sslMode = .disable
        return settings
    }

    func close() async {
        try? await channel.close()
    }
}

final class CancelLog: Sendable {
    private let lengths = Mutex<[Int]>([])
    func append(_ length: Int) { lengths.withLock { $0.append(length) } }
    func append(contentsOf other: [Int]) { lengths.withLock { $0 += other } }
    var all: [Int] { lengths.withLock { $0 } }
}

final class ScriptedServerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let login: [UInt8]
    let reply: [UInt8]
    let cancels: CancelLog
    private var received = ByteBuffer()
    private var loggedIn = false
    private var replied = false

    init(login: [UInt8], reply: [UInt8], cancels: CancelLog) {
        self.login = login
        self.reply = reply
        self.cancels = cancels
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        if !loggedIn {
            guard let length = received.getInteger(at: received.readerIndex, as: Int32.self),
                  received.readableBytes >= Int(length),
                  let code = received.getInteger(at: received.readerIndex + 4, as: Int32.self)
            else { return }
            received.moveReaderIndex(forwardBy: Int(length))
            if code == 80_877_102 {  // CancelRequest: nothing to say
                cancels.append(Int(length))
                context.close(promise: nil)
                return
            }
            loggedIn = true
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: login)), promise: nil)
            return
        }
        if !replied && received.readableBytes > 0 {
            replied = true
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: reply)), promise: nil)
        }
    }
}

/// Backend messages as bytes, for the scripts.
enum Wire {
    static func message(_ id: Character, _ body: [UInt8] = []) -> [UInt8] {
        let length = UInt32(body.count + 4)
        return [id.asciiValue!] + withUnsafeBytes(of: length.bigEndian, Array.init) + body
    }

    static func cString(_ text: String) -> [UInt8] { Array(text.utf8) + [0] }
    static func int32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian, Array.init) }

    static func negotiate(version: UInt32, options: [String]) -> [UInt8] {
        message("v", int32(version) + int32(UInt32(options.count)) + options.flatMap(cString))
    }

    static let authenticationOk = message("R", int32(0))
    static func backendKey(bytes: Int) -> [UInt8] { message("K", int32(4242) + [UInt8](repeating: 7, count: bytes)) }
    static let readyForQuery = message("Z", [UInt8(ascii: "I")])
    static let parseComplete = message("1")
    static let bindComplete = message("2")
    static let copyDone = message("c")
    static let cancelled = message("E", [UInt8(ascii: "S")] + cString("ERROR") + [UInt8(ascii: "C")]
        + cString("57014") + [UInt8(ascii: "M")] + cString("canceling statement due to user request") + [0])
}

@Suite("probes against a misbehaving server", .serialized)
struct ProbeMisbehavingServerTests {
    static func probe(_ name: ProbeName, login: [UInt8], reply: [UInt8], cancels: CancelLog? = nil) async throws
        -> ProbeSummary
    {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await ScriptedServer(group: group, login: login, reply: reply)
        defer { cancels?.append(contentsOf: server.cancelRequestLengths.all) }
        var options = ProbeOptions(names: [name])
        options.rounds = 1
        options.clients = 1
        options.timeoutSeconds = 1
        let results = await Probes.run(options, settings: server.settings(), group: group)
        await server.close()
        try await group.shutdownGracefully()
        return try #require(results[name.rawValue])
    }

    @Test("a NegotiateProtocolVersion nobody asked for, options never sent, an 8-byte key at 3.0 are violations")
    func negotiationViolations() async throws {
        let login = Wire.negotiate(version: 0x0003_0000, options: ["_pq_.bogus"]) + Wire.authenticationOk
            + Wire.backendKey(bytes: 8) + Wire.readyForQuery
        let summary = try await Self.probe(.negotiation, login: login, reply: Wire.cancelled + Wire.readyForQuery)
        let report = Probes.describe("negotiation", summary).joined(separator: "\n")
        // Four cases: 3.0, 3.2, 3.9999 with one option, 3.0 with two options.
        #expect(summary.rounds == 4, "\(report)")
        #expect(summary.passed == 0, "\(report)")
        #expect(summary.violations["negotiate_unasked"] == 1, "\(report)")
        #expect(summary.violations["option_listed_not_sent"] == 4, "\(report)")
        #expect(summary.violations["option_not_listed"] == 3, "\(report)")
        #expect(summary.violations["key_length"] == 4, "\(report)")
    }

    @Test("NegotiateProtocolVersion twice, or after authentication, is a violation")
    func negotiationRepeated() async throws {
        let negotiate = Wire.negotiate(version: 0x0003_0000, options: [])
        let twice = try await Self.probe(.negotiation,
                                         login: negotiate + negotiate + Wire.authenticationOk + Wire.readyForQuery,
                                         reply: [])
        #expect(twice.violations["negotiate_repeated"] == 4, "\(twice)")
        let late = try await Self.probe(.negotiation,
                                        login: Wire.authenticationOk + negotiate + Wire.readyForQuery, reply: [])
        #expect(late.violations["negotiate_after_authentication"] == 4, "\(late)")
    }

    @Test("a message out of place during startup is a desync; a 300-byte key a key_length violation")
    func startupDesync() async throws {
        let summary = try await Self.probe(.negotiation, login: Wire.authenticationOk + Wire.copyDone, reply: [])
        #expect(summary.desyncs == ["CopyDone": 4], "\(summary)")
        #expect(summary.failures == ["protocol": 4], "\(summary)")
        let early = try await Self.probe(.negotiation, login: Wire.readyForQuery, reply: [])
        #expect(early.desyncs == ["ReadyForQuery": 4], "\(early)")
        let huge = try await Self.probe(.negotiation,
                                        login: Wire.authenticationOk + Wire.backendKey(bytes: 300) + Wire.readyForQuery,
                                        reply: [])
        #expect(huge.violations["key_length"] == 4, "\(huge)")
        #expect(huge.failures == ["undecodable": 4], "\(huge)")
    }

    @Test("garbage during startup is counted as undecodable, not a crash")
    func undecodable() async throws {
        let summary = try await Self.probe(.negotiation, login: Wire.authenticationOk + [0xFF, 0, 0, 0, 4],
                                           reply: [])
        #expect(summary.failures["undecodable"] == 4, "\(summary)")
        #expect(summary.passed == 0)
    }

    @Test("a pipeline answered out of order is a desync named by the message that came")
    func pipelineDesync() async throws {
        let summary = try await Self.probe(
            .pipeline, login: Wire.authenticationOk + Wire.backendKey(bytes: 4) + Wire.readyForQuery,
            reply: Wire.parseComplete + Wire.bindComplete + Wire.copyDone + Wire.readyForQuery)
        let report = Probes.describe("pipeline", summary).joined(separator: "\n")
        #expect(summary.desyncs == ["CopyDone": 1], "\(report)")
        #expect(summary.passed == 0, "\(report)")
        #expect(summary.findings.contains { $0.contains("CopyDone where DataRow was due") }, "\(report)")
    }

    @Test("a 3.2 server's 32-byte key: fine at 3.2, quoted whole in the CancelRequest, a violation at 3.0")
    func longKey() async throws {
        let cancels = CancelLog()
        let summary = try await Self.probe(.negotiation,
                                           login: Wire.authenticationOk + Wire.backendKey(bytes: 32)
                                               + Wire.readyForQuery,
                                           reply: Wire.cancelled + Wire.readyForQuery, cancels: cancels)
        let report = Probes.describe("negotiation", summary).joined(separator: "\n")
        // 3.0 and 3.0 with options: a 32-byte key where 4 bytes are due. 3.9999 answered without any
        // NegotiateProtocolVersion: a server claiming a version that does not exist and an option nobody knows.
        #expect(summary.violations == ["key_length": 2, "negotiate_missing": 1, "option_not_listed": 3],
                "\(report)")
        #expect(summary.counters["key_bytes_32"] == 4, "\(report)")
        // The 3.2 case passes and its CancelRequest carries the whole key: 12 + 32 bytes.
        #expect(summary.passed == 1, "\(report)")
        #expect(summary.counters["cancelled"] == 2, "\(report)")
        #expect(cancels.all == [44, 44], "\(report)")
    }

    @Test("a message right behind the login's ReadyForQuery reaches the probe that reads next")
    func nothingLostBetweenReaders() async throws {
        // One write: the login, then a stray CopyDone. The login stops reading at ReadyForQuery; the pipeline probe
        // must still see the CopyDone first.
        let summary = try await Self.probe(
            .pipeline, login: Wire.authenticationOk + Wire.readyForQuery + Wire.copyDone, reply: Wire.readyForQuery)
        #expect(summary.desyncs == ["CopyDone": 1], "\(summary)")
    }

    @Test("a server that ignores CancelRequests: three tries a case, then cancel_not_honoured")
    func cancelIgnored() async throws {
        let cancels = CancelLog()
        let summary = try await Self.probe(
            .negotiation, login: Wire.authenticationOk + Wire.backendKey(bytes: 4) + Wire.readyForQuery, reply: [],
            cancels: cancels)
        #expect(summary.violations["cancel_not_honoured"] == 4, "\(summary)")
        #expect(summary.counters["cancels_sent"] == 12, "\(summary)")
        #expect(cancels.all == [Int](repeating: 16, count: 12), "\(summary)")
        #expect(summary.findings.contains { $0.hasPrefix("a CancelRequest quoting the 4-byte key did not cancel") })
    }
}
