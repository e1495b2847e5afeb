import NIOCore
import PGWire
import Stats
import Synchronization
import Workload
import Connection

/// The indexes of the histogram series every loop records, fixed before the run so that recording a sample never
/// looks a name up. Index 0, the untagged series of the hlog, is transaction latency.
struct SeriesLayout: Sendable {
    static let latency = 0
    static let connect = 1
    static let service = 2
    static let lag = 3
    /// Time from sending a CancelRequest to the cancelled transaction's end (`--cancel-fraction`).
    static let cancel = 4
    /// The phases of a connect (their sum is `connect`): TCP (and TLS, when used) up to the first protocol byte,
    /// then StartupMessage to AuthenticationOk (every authentication round trip), then AuthenticationOk to the first
    /// ReadyForQuery (the server's backend start, or the pooler's). `scram` is the client's own CPU for a SCRAM proof.
    static let transport = 5
    static let authentication = 6
    static let ready = 7
    static let scram = 8
    /// The TLS handshake alone (also inside `connect` and `connect.transport`), for connections that negotiated TLS.
    static let tls = 9
    /// Series written to the log only in intervals where they recorded something (many runs never do).
    static let sparse: Set<Int> = [transport, authentication, ready, scram, tls]
    static let firstScript = 10

    let names: [String]
    /// For each script, the series of its tags (a workload spec's `tags`), each recorded besides the script's own.
    let tagSeries: [[Int]]

    init(plan: Plan) {
        var names = ["latency", "connect", "service", "lag", "cancel", "connect.transport", "connect.auth",
                     "connect.ready", "scram", "tls"]
        // Built-ins are tagged by their short names (script.select-only), files by their path.
        let builtinShortNames = Dictionary(
            BuiltinScript.list().map { ($0.source.name, $0.name) }, uniquingKeysWith: { first, _ in first })
        names += plan.scripts.map { "script." + Self.tagSafe(builtinShortNames[$0.name] ?? $0.name) }
        var tagIndex: [String: Int] = [:]
        var tagSeries: [[Int]] = []
        for script in plan.scripts {
            tagSeries.append(script.tags.map { tag in
                let name = "tag." + Self.tagSafe(tag)
                if let index = tagIndex[name] { return index }
                names.append(name)
                tagIndex[name] = names.count - 1
                return names.count - 1
            })
        }
        self.names = names
        self.tagSeries = tagSeries
    }

    static func script(_ index: Int) -> Int { firstScript + index }

    /// hlog tags may not hold commas, spaces or '='.
    static func tagSafe(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
    }
}

/// What every client of a run shares: the plan, its pre-encoded statements, the limits. Immutable but for the stop
/// flag, which the signal handler and the deadline set.
final class RunContext: Sendable {
    let plan: Plan
    let statements: StatementEncoder
    let configuration: RunConfiguration
    let startup: StartupConfiguration
    let series: SeriesLayout
    /// The run's start on the monotonic clock (NIODeadline.uptimeNanoseconds).
    let startNanos: UInt64
    /// When no new transaction may start (duration runs), on the same clock. As pgbench's -T, it counts from the
    /// run's start, the time spent connecting included.
    let deadlineNanos: UInt64?
    /// When the clients began their transactions: the run's start, or the release of `startBarrier`.
    private let measuredStart: Atomic<UInt64>
    /// Holds every client until all are connected (`--start-clients together`, pgbench's way); nil when clients
    /// start as they connect.
    let startBarrier: StartBarrier?
    /// The open-loop schedule, when a rate is set (by -R or by a phase).
    let pacer: RatePacer?
    /// A spec's phases, or nil for a plain run.
    let timeline: PhaseTimeline?
    let latencyLimitNanos: UInt64?
    /// Each script's connection behaviour, looked up per transaction without touching the script itself.
    let scriptConnection: [ConnectionPolicy]
    /// Per-client overrides of automatic variables (e.g. the scale read from the server).
    let variableOverrides: [(String, Value)]
    private let stopFlag = Atomic<Bool>(false)
    private let finishedClients = Atomic<Int>(0)
    private let keepConnections: Atomic<Bool>

    init(plan: Plan, configuration: RunConfiguration, startNanos: UInt64, variableOverrides: [(String, Value)]) {
        self.plan = plan
        self.statements = StatementEncoder(plan: plan)
        self.configuration = configuration
        var startup = Connector.startupConfiguration(configuration.connection)
        if configuration.scramCache { startup.saltedPasswordCache = SaltedPasswordCache() }
        self.startup = startup
        self.series = SeriesLayout(plan: plan)
        self.scriptConnection = plan.scripts.map(\.connection)
        self.startNanos = startNanos
        let timeline = configuration.phases.isEmpty ? nil : PhaseTimeline(phases: configuration.phases)
        self.timeline = timeline
        // Phases activate clients on their own schedule, and -C holds no connection between transactions: both
        // start clients as they come.
        startBarrier = configuration.clientsStartTogether && timeline == nil && !configuration.connectPerTransaction
            ? StartBarrier(clients: max(configuration.clients, 1)) : nil
        measuredStart = Atomic(startNanos)
        // -C closes every connection after its transaction anyway.
        keepConnections = Atomic(!configuration.connectPerTransaction)
        if let timeline {
            deadlineNanos = startNanos + UInt64(timeline.totalSeconds * 1e9)
            pacer = timeline.rateProfile.map { RatePacer(profile: $0, clients: timeline.clientProfile) }
        } else {
            if case .duration(let seconds) = configuration.limit {
                deadlineNanos = startNanos + UInt64(seconds * 1e9)
            } else {
                deadlineNanos = nil
            }
            if let rate = configuration.rate, rate > 0 {
                pacer = RatePacer(profile: .constant(rate), clients: configuration.clients)
            } else {
                pacer = nil
            }
        }
        latencyLimitNanos = configuration.latencyLimitMicroseconds.map { UInt64($0 * 1000) }
        self.variableOverrides = variableOverrides
    }

    /// When the clients began their transactions (after connecting, with the start barrier).
    var measuredStartNanos: UInt64 { measuredStart.load(ordering: .relaxed) }

    /// A client is connected and ready (`resume` continues it, on its loop), or finished before it got there (nil).
    /// The last one to arrive starts the measured run (tps counts from now) and resumes every client.
    func arriveAtStart(resume: (@Sendable () -> Void)?) {
        guard let barrier = startBarrier, let ready = barrier.arrive(resume: resume) else { return }
        if measuredStart.load(ordering: .relaxed) == startNanos {
            measuredStart.store(NIODeadline.now().uptimeNanoseconds, ordering: .relaxed)
        }
        for resume in ready { resume() }
    }

    var stopRequested: Bool { stopFlag.load(ordering: .relaxed) }

    /// Clients that have finished so far (read by the run to see the end of the run progress).
    var finishedClientCount: Int { finishedClients.load(ordering: .relaxed) }

    func clientFinished() { finishedClients.add(1, ordering: .relaxed) }

    /// Whether a client that finishes at the end of the run keeps its connection open until the run is over
    /// (`Client.closeHeldConnection`); true (but with -C) until the run sees clients stop finishing.
    var keepsConnectionsAtEnd: Bool { keepConnections.load(ordering: .relaxed) }

    func stopKeepingConnections() { keepConnections.store(false, ordering: .relaxed) }

    /// The spec's per-connection setup as one simple query, or nil.
    var connectionSetupQuery: String? {
        let statements = configuration.connectionSetupSQL
        return statements.isEmpty ? nil : statements.joined(separator: ";\n")
    }

    /// Seconds since the run's start for a monotonic time.
    func seconds(_ now: UInt64) -> Double {
        Double(Int64(bitPattern: now &- startNanos)) / 1e9
    }

    /// Whether transactions starting now follow the rate schedule (-R, or a phase with a rate).
    func isOpenLoop(at now: UInt64) -> Bool {
        guard pacer != nil else { return false }
        return timeline?.hasRate(at: seconds(now)) ?? true
    }

    /// Clients to create: the most any phase runs at once, or -c.
    var clientCount: Int {
        max(configuration.clients, timeline?.maximumClients ?? 0)
    }
    func requestStop() { stopFlag.store(true, ordering: .relaxed) }

    /// True when a client may not start another transaction at `now`.
    func isOver(now: UInt64) -> Bool {
        if stopRequested { return true }
        if let deadlineNanos, now >= deadlineNanos { return true }
        return false
    }
}

/// Per-command figures for `-r`, kept per loop and summed at the end.
struct CommandStatistics: Sendable {
    var count: UInt64 = 0
    var totalNanos: UInt64 = 0
    var failures: UInt64 = 0
}

/// What one event loop owns: its recorder and the counters that are not histograms. Touched only on that loop.
final class LoopContext: @unchecked Sendable {
    let recorder: LoopRecorder
    var commands: [CommandStatistics]
    var counters = LoopCounters()
    var openConnections = 0
    var abortMessages: [String] = []
    /// Errors by severity, SQLSTATE and folded message (at most `ErrorDetail.limit` of them, then "other").
    var errorDetails: [ErrorDetail: UInt64] = [:]

    func noteError(_ detail: ErrorDetail) {
        if errorDetails[detail] == nil && errorDetails.count >= ErrorDetail.limit {
            errorDetails[ErrorDetail.other, default: 0] += 1
        } else {
            errorDetails[detail, default: 0] += 1
        }
    }

    init(series: SeriesLayout, commandCount: Int) {
        recorder = LoopRecorder(seriesNames: series.names)
        commands = [CommandStatistics](repeating: CommandStatistics(), count: commandCount)
    }
}

/// One client's share of a run, for the fairness figures: transactions it finished, and the longest time it went
/// without finishing one (from its start, between transactions, to its end).
struct ClientFairness: Sendable {
    var transactions: Int
    var longestStallNanos: UInt64
}
