import Engine
import Foundation
import Stats
import Testing
import Workload
@testable import Connection
import TestSupport

/// The TLS handshake timed on its own (Tag=tls, tls_handshake_us) besides the connect time that includes it.
@Suite("TLS handshake series", .serialized)
struct TlsHandshakeSeriesTests {
    static func run(mode: ConnectionSettings.SSLMode, lines: LineCollector = LineCollector()) async throws
        -> Benchmark.Outcome
    {
        let server = try TlsTestServer.shared()
        let settings = TlsConnectionTests.settings(server, mode: mode)
        let plan = try Plan.compile(sources: [ScriptSource(name: "one", text: "SELECT 1;\n")], mode: .simple)
        var configuration = RunConfiguration(connection: settings)
        configuration.clients = 2
        configuration.threads = 1
        configuration.limit = .transactionsPerClient(5)
        configuration.connectPerTransaction = true
        configuration.noVacuum = true
        configuration.outputDirectory = RunRig.temporaryDirectory()
        return try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
    }

    @Test("over TLS each connection's handshake is recorded as Tag=tls and tls_handshake_us")
    func handshakesRecorded() async throws {
        let lines = LineCollector()
        let outcome = try await Self.run(mode: .require, lines: lines)
        #expect(outcome.summary.transactions == 10)
        let connects = try #require(outcome.summary.connectMicroseconds)
        let handshakes = try #require(outcome.summary.tlsHandshakeMicroseconds)
        // -C: one connection, so one handshake, per transaction.
        #expect(connects.count == 10)
        #expect(handshakes.count == 10)
        // The handshake is part of the connect: never longer than the whole.
        #expect(handshakes.p50 <= connects.max)
        #expect(handshakes.max <= connects.max)
        let log = try HlogReader.read(path: outcome.outputDirectory + "/latency.hlog")
        #expect(log.merged(tag: "tls").totalCount == 10)
        #expect(log.merged(tag: "connect").totalCount == 10)
        let saved = try RunSummary.read(from: outcome.outputDirectory + "/summary.json")
        #expect(saved.tlsHandshakeMicroseconds == handshakes)
        #expect(lines.text.contains("TLS handshakes: 10, p50 = "))
    }

    @Test("without TLS there is no tls series and no tls_handshake_us")
    func plainHasNoTlsSeries() async throws {
        let lines = LineCollector()
        let outcome = try await Self.run(mode: .disable, lines: lines)
        #expect(outcome.summary.transactions == 10)
        #expect(outcome.summary.tlsHandshakeMicroseconds == nil)
        let log = try HlogReader.read(path: outcome.outputDirectory + "/latency.hlog")
        #expect(!log.intervals.contains { $0.tag == "tls" })
        let json = try String(contentsOfFile: outcome.outputDirectory + "/summary.json", encoding: .utf8)
        #expect(!json.contains("tls_handshake_us"))
        #expect(!lines.text.contains("TLS handshakes"))
    }
}
