@testable import Engine
import Foundation
import LocalCluster
import Stats
import Testing
import Workload
@testable import Connection
@testable import DirectIO
import TestSupport

/// Clients that move between the direct driver's loops (`ConnectionSteering`) against a real server: nothing is lost
/// or counted twice, and the run ends as any other.
@Suite("Connection steering", .serialized)
struct ConnectionSteeringTests {
    static func settings(host: String) -> ConnectionSettings {
        ConnectionSettings(endpoint: .tcp(host: host, port: 5432), user: "postgres", database: "postgres")
    }

    @Test("steering applies to TCP on loopback only", arguments: [
        ("127.0.0.1", true), ("127.8.9.10", true), ("::1", true), ("10.1.2.3", false), ("192.168.0.1", false),
        ("::ffff:10.0.0.1", false),
    ])
    func loopbackOnly(host: String, applies: Bool) throws {
        let endpoint = try DirectEndpoint(settings: Self.settings(host: host))
        #expect(ConnectionSteering.applies(to: endpoint) == applies)
    }

    @Test("over a Unix socket too (the backend's CPU then comes from /proc)")
    func overUnixSockets() throws {
        let settings = ConnectionSettings(endpoint: .unixSocket(path: "/tmp/.s.PGSQL.5432"), user: "postgres",
                                          database: "postgres")
        #expect(ConnectionSteering.applies(to: try DirectEndpoint(settings: settings)))
    }

    @Test("a local PostgreSQL process qualifies as a backend to follow; this process, a made-up key and none do not")
    func localBackendCheck() async throws {
        let pg = try await TestPostgres.shared()
        let postmaster = try #require(pg.postmasterPID())
        #expect(ConnectionSteering.isLocalBackend(processID: postmaster))
        #expect(!ConnectionSteering.isLocalBackend(processID: getpid()))
        #expect(!ConnectionSteering.isLocalBackend(processID: nil))
        #expect(!ConnectionSteering.isLocalBackend(processID: -5))
        #expect(!ConnectionSteering.isLocalBackend(processID: Int32.max))
    }

    @Test("a process's last CPU comes from /proc/PID/stat; none for a process that does not exist")
    func lastCPU() {
        let cpu = ConnectionSteering.lastCPU(ofProcess: getpid())
        #expect(cpu >= 0 && Int(cpu) < ProcessInfo.processInfo.activeProcessorCount)
        #expect(ConnectionSteering.lastCPU(ofProcess: Int32.max) == -1)
        #expect(ConnectionSteering.lastCPU(ofProcess: nil) == -1)
    }

    static func selectOnlyRun(_ configure: (inout RunConfiguration) -> Void) async throws -> Benchmark.Outcome {
        let settings = try await RunRig.initialisedDatabase()
        var configuration = RunRig.configuration(settings, clients: 8, limit: .transactionsPerClient(1500))
        configuration.ioDriver = .direct
        configuration.mode = .prepared
        configure(&configuration)
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .prepared)
        return try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
    }

    @Test("clients moved from loop to loop every 64 receive buffers still run every transaction, counted once")
    func movesLoseNothing() async throws {
        let outcome = try await Self.selectOnlyRun { $0.alternateLoopsForTesting = true }
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions == 12_000)
        #expect(outcome.summary.failedTransactions == 0)
        // 1,500 transactions of one receive buffer each: 23 checks per client, each a move.
        #expect((outcome.summary.connectionsMoved ?? 0) >= 8 * 20)
        let log = try HlogReader.read(path: outcome.outputDirectory + "/latency.hlog")
        #expect(log.merged(tag: nil).totalCount == 12_000)
        #expect(log.merged(tag: "connect").totalCount == 8)
    }

    @Test("a duration run whose clients keep moving ends on time, its stop reaching clients wherever they are")
    func durationRunWithMovesEnds() async throws {
        let started = Date()
        let outcome = try await Self.selectOnlyRun {
            $0.alternateLoopsForTesting = true
            $0.limit = .duration(seconds: 2)
        }
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions > 0)
        #expect(outcome.summary.failedTransactions == 0)
        #expect((outcome.summary.connectionsMoved ?? 0) > 0)
        let log = try HlogReader.read(path: outcome.outputDirectory + "/latency.hlog")
        #expect(log.merged(tag: nil).totalCount == outcome.summary.transactions)
    }

    @Test("by default a loopback run on two or more CPUs steers (and says how many moves), and --cpu-steering off does not")
    func defaultAndOff() async throws {
        let steered = try await Self.selectOnlyRun { _ in }
        #expect(steered.summary.transactions == 12_000)
        #expect(steered.abortedClients == 0, "\(steered.abortMessages)")
        if ProcessInfo.processInfo.activeProcessorCount >= 2 {
            #expect(steered.summary.connectionsMoved != nil)
        }
        let unsteered = try await Self.selectOnlyRun { $0.cpuSteering = false }
        #expect(unsteered.summary.transactions == 12_000)
        #expect(unsteered.summary.connectionsMoved == nil)
    }
}
