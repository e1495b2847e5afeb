import Foundation
import NIOCore
import NIOPosix
import Stats
import Synchronization
import Workload
import Connection

/// Runs a benchmark: connects the clients, drives the plan, prints progress and the summary, writes results.
public enum Benchmark {
    /// Where the run's human-readable lines go (progress, summary); stdout in the CLI, captured in tests.
    public typealias Printer = @Sendable (String) -> Void

    /// What a finished run hands back: the summary (also written as summary.json) and where the files went.
    public struct Outcome: Sendable {
        public var summary: RunSummary
        public var outputDirectory: String
        /// Messages of clients that stopped on an error (pgbench's "client N aborted ...").
        public var abortMessages: [String]
        public var abortedClients: Int
    }

    /// Runs `plan` under `configuration`, with `companions` beside the clients. Throws `PgswarmError` for what prevents the run from starting
    /// (unreachable server, refused login, missing tables); errors during the run are counted instead.
    public static func run(
        configuration: RunConfiguration,
        plan: Plan,
        companions: [any RunCompanion] = [],
        print: @escaping Printer,
        stop: StopSignal = StopSignal()
    ) async throws -> Outcome {
        try OpenFileLimit.ensureRoom(for: configuration, companions: companions)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        do {
            let outcome = try await BenchmarkRun(configuration: configuration, plan: plan, companions: companions, group: group,
                                                 print: print, stop: stop).execute()
            try? await group.shutdownGracefully()
            return outcome
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }
}

/// Lets a caller (the CLI's SIGINT handler, a test) end a run early; the run still writes its results.
public final class StopSignal: Sendable {
    private let requested = Atomic<Int>(0)
    public init() {}
    /// First call: stop starting transactions and finish. Second call: close everything now.
    public func request() { requested.add(1, ordering: .relaxed) }
    public var count: Int { requested.load(ordering: .relaxed) }
}
