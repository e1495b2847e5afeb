import Connection
import DirectIO
import NIOCore
import Stats

/// Something that runs beside a run's clients: a connection storm before them, an idle horde, a pooler probe, a
/// poller of the pooler's or the server's statistics. The run knows companions only through this protocol: it
/// starts each (in the order given) before the clients start, tells each of every interval, finishes each once the
/// clients are done, and folds what each reports into the summary and the printed report.
public protocol RunCompanion: AnyObject, Sendable {
    /// Connections it holds while the clients run, and the most it holds at once before they start (a storm);
    /// the run checks the open-files limit against them.
    var connectionsBesideClients: Int { get }
    var connectionsBeforeClients: Int { get }

    /// Before the clients start: what must be over before they start (a storm) is done here; what runs beside
    /// them is set going. A thrown error ends the run before it starts.
    func start(_ context: RunCompanionContext) async throws

    /// After each recorded or unrecorded interval, with every loop's figures merged.
    func interval(_ snapshot: IntervalSnapshot, endSeconds: Double) async

    /// Once the clients have finished (or the run was interrupted): stop, and say what was found.
    func finish(interrupted: Bool) async -> RunCompanionReport
}

extension RunCompanion {
    public var connectionsBesideClients: Int { 0 }
    public var connectionsBeforeClients: Int { 0 }
    public func interval(_ snapshot: IntervalSnapshot, endSeconds: Double) async {}
}

/// What a companion gets to work with: the run's connection settings and loops, where the run's files go.
public struct RunCompanionContext: Sendable {
    public let configuration: RunConfiguration
    /// NIO's loops: admin connections, probes, hordes.
    public let group: any EventLoopGroup
    /// The loops the clients run on (the direct driver's, or NIO's), for work that must cost what a client's
    /// connect costs (a storm).
    public let clientGroup: any EventLoopGroup
    /// With the direct driver: where its sockets connect.
    package let directEndpoint: DirectEndpoint?
    public let outputDirectory: String
    public let print: Benchmark.Printer

    public var settings: ConnectionSettings { configuration.connection }
}

/// A companion's part of the results: lines for the printed report and its fields of summary.json.
public struct RunCompanionReport: Sendable {
    public var lines: [String]
    public var fillSummary: @Sendable (inout RunSummary) -> Void

    public init(lines: [String] = [], fillSummary: @escaping @Sendable (inout RunSummary) -> Void = { _ in }) {
        self.lines = lines
        self.fillSummary = fillSummary
    }
}
