import Stats
import Workload

/// Runs a benchmark: connects the clients, drives the plan, prints progress and the summary, writes results.
public enum Benchmark {
    /// Where the run's human-readable lines go (progress, summary); stdout in the CLI, captured in tests.
    public typealias Printer = @Sendable (String) -> Void

    /// Runs `plan` under `configuration`. Throws `EngineError` for what prevents the run from starting
    /// (unreachable server, refused login); errors during the run are counted in the summary instead.
    public static func run(configuration: RunConfiguration, plan: Plan, print: @escaping Printer) async throws
        -> RunSummary
    {
        fatalError("not yet implemented")
    }
}

/// What stops pgswarm from doing what was asked; each reads as one line naming what and where.
public struct EngineError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case connection, authentication, server, usage, io }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    public var description: String { message }
}
