@testable import Engine
import Foundation
import LocalCluster
import Stats
import Testing
import Workload
@testable import Connection
@testable import DirectIO
import TestSupport

/// Both drivers of the clients' connections against a real server: the same runs give the same counts, and the
/// choice follows TLS.
@Suite("Client drivers: direct and NIO", .serialized)
struct ClientDriverRunTests {
    static func run(_ settings: ConnectionSettings, io: IODriverRequest, clients: Int = 4, perClient: Int = 200,
                    connectEach: Bool = false) async throws -> Benchmark.Outcome
    {
        var configuration = RunRig.configuration(settings, clients: clients,
                                                            limit: .transactionsPerClient(perClient))
        configuration.ioDriver = io
        configuration.connectPerTransaction = connectEach
        configuration.mode = .prepared
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .prepared)
        return try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
    }

    @Test("select-only over TCP completes every transaction with either driver, and the summary names the driver",
          arguments: [IODriverRequest.direct, .nio, .auto])
    func bothDriversOverTCP(io: IODriverRequest) async throws {
        let settings = try await RunRig.initialisedDatabase()
        let outcome = try await Self.run(settings, io: io)
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions == 800)
        #expect(outcome.summary.failedTransactions == 0)
        #expect(outcome.summary.ioDriver == (io == .nio ? "nio" : "direct"))
        let log = try HlogReader.read(path: outcome.outputDirectory + "/latency.hlog")
        #expect(log.merged(tag: nil).totalCount == 800)
        #expect(log.merged(tag: "connect").totalCount == 4)
    }

    @Test("the direct driver over a Unix socket, and with a connection per transaction (-C)")
    func directOverUnixSocketAndReconnecting() async throws {
        let tcp = try await RunRig.initialisedDatabase()
        let pg = try await TestPostgres.shared()
        var settings = tcp
        settings.endpoint = .unixSocket(path: ConnectionResolver.socketPath(directory: pg.socketDirectory, port: pg.port))
        let overSocket = try await Self.run(settings, io: .direct)
        #expect(overSocket.summary.transactions == 800)
        #expect(overSocket.summary.ioDriver == "direct")

        let reconnecting = try await Self.run(tcp, io: .direct, clients: 3, perClient: 40, connectEach: true)
        #expect(reconnecting.abortedClients == 0, "\(reconnecting.abortMessages)")
        #expect(reconnecting.summary.transactions == 120)
        let log = try HlogReader.read(path: reconnecting.outputDirectory + "/latency.hlog")
        #expect(log.merged(tag: "connect").totalCount == 120)
    }

    @Test("the direct driver with requests larger than the socket takes at once and replies larger than its buffer",
          arguments: [IODriverRequest.direct, .nio])
    func largeRequestsAndReplies(io: IODriverRequest) async throws {
        let settings = try await RunRig.initialisedDatabase()
        // A 6 MB literal cannot go out in one send(2) on loopback (the unsent part waits for the socket to be
        // writable), and a 2 MB reply arrives over many reads into the loop's 64 KB buffer (reassembled).
        let big = String(repeating: "x", count: 6_000_000)
        let text = "SELECT length('\(big)');\nSELECT repeat('y', 2000000);\n"
        let plan = try Plan.compile(sources: [ScriptSource(name: "large.sql", text: text)], mode: .simple)
        var configuration = RunRig.configuration(settings, clients: 2, limit: .transactionsPerClient(3))
        configuration.ioDriver = io
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions == 6)
        #expect(outcome.summary.failedTransactions == 0)
    }

    @Test("a refused connect through the direct driver aborts the client with host, port and the reason")
    func refusedConnect() async throws {
        let settings = try await RunRig.initialisedDatabase()
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .simple)
        var configuration = RunRig.configuration(settings, clients: 1, limit: .transactionsPerClient(5))
        // Port 1 on loopback: nothing listens there, the kernel refuses at once.
        configuration.connection.endpoint = .tcp(host: "127.0.0.1", port: 1)
        let endpoint = try DirectEndpoint(settings: configuration.connection)
        let group = DirectEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully(queue: .global()) { _ in } }
        let loop = group.loops[0]
        let run = RunContext(plan: plan, configuration: configuration, startNanos: Client.now(), variableOverrides: [])
        let context = LoopContext(series: run.series, commandCount: plan.sqlCommandCount)
        let done = loop.makePromise(of: Void.self)
        let client = Client(clientID: 0, run: run, loopContext: context, loop: loop, driver: .direct(endpoint),
                            done: done)
        loop.execute { client.start() }
        try await done.futureResult.get()
        let messages = try await loop.submit { context.abortMessages }.get()
        #expect(messages.count == 1)
        #expect(messages.first?.contains("127.0.0.1:1") == true, "\(messages)")
        #expect(messages.first?.contains("Connection refused") == true, "\(messages)")
    }

    @Test("--io direct refuses a run that must use TLS, naming the option to use instead")
    func directRefusesTLS() throws {
        var settings = ConnectionSettings(endpoint: .tcp(host: "127.0.0.1", port: 5432), user: "u", database: "d")
        settings.sslMode = .require
        #expect(throws: PgswarmError.self) {
            try ClientDriverChoice.choose(.direct, settings: settings, adminUsedTLS: false)
        }
        let auto = try ClientDriverChoice.choose(.auto, settings: settings, adminUsedTLS: false)
        guard case .nio = auto else { Issue.record("auto with sslmode=require chose \(auto)"); return }
        settings.sslMode = .prefer
        let preferPlain = try ClientDriverChoice.choose(.auto, settings: settings, adminUsedTLS: false)
        guard case .direct(let endpoint) = preferPlain else { Issue.record("prefer, plain: \(preferPlain)"); return }
        #expect(endpoint.sendsSSLRequest)
        let preferTLS = try ClientDriverChoice.choose(.auto, settings: settings, adminUsedTLS: true)
        guard case .nio = preferTLS else { Issue.record("prefer over TLS chose \(preferTLS)"); return }
    }
}
