import Engine
import NIOCore
import PGWire
import Stats
import Connection

/// `--probe prepared-churn`: each probe connection works over a working set of named statements larger than a
/// pooler's prepared-statement cache (200; PgBouncer 1.21+ keeps 100 by default, 1.18 none at all), statement
/// `pgswarm_churn_<k>` being `SELECT <k>::int AS k, $1::int AS v`. Every pipeline has four steps, each a random k:
/// Parse when the client believes k is not prepared on its connection, then Bind (a fresh v) and Execute; now and
/// then a Close of one it prepared, and behind the Sync a `DEALLOCATE ALL` or `DISCARD ALL`.
///
/// Every reply is checked (`ChurnReplyCheck`): a row with another statement's k or another step's v, or a message
/// out of protocol order, is a desync; errors are counted by SQLSTATE. Through PostgreSQL or session pooling there
/// are none; through transaction pooling the statements stay on whichever server connection parsed them, so the
/// client sees 26000 (prepared statement does not exist) and 42P05 (already exists): counted, and the probe goes on.
struct PreparedChurnProbe {
    let settings: ConnectionSettings
    let options: ProbeOptions
    let group: any EventLoopGroup
    var planner = ChurnPlanner()
    /// Pipelines per round on each connection; a round is clean when none of them met an error or a desync.
    var pipelinesPerRound = 50

    func run() async -> ProbeSummary {
        let timeout = options.timeout
        let settings = self.settings
        let rounds = max(1, options.rounds)
        let planner = self.planner
        let pipelines = max(3, pipelinesPerRound)
        var summary = await Probes.concurrently(options, group: group) { _, loop in
            var part = ProbeSummary()
            guard let connection = await ProbeLogin.openSession(settings, on: loop, timeout: timeout,
                                                                     into: &part)
            else { return part }
            var client = ChurnClient(connection: connection, planner: planner)
            for _ in 0..<rounds {
                guard await client.round(pipelines: pipelines, timeout: timeout, into: &part) else { break }
            }
            await connection.close()
            return part
        }
        Self.describe(into: &summary, workingSet: planner.workingSet)
        return summary
    }

    /// The findings in words, from the merged figures; they go first, before the connections' own notes, so that
    /// the cap on findings never drops them.
    static func describe(into summary: inout ProbeSummary, workingSet: Int) {
        let executions = summary.counters["executions"] ?? 0
        let notFound = summary.failures["26000"] ?? 0
        let alreadyExists = summary.failures["42P05"] ?? 0
        var lines: [String] = []
        if notFound > 0 {
            lines.append("26000 × \(notFound): statements this client prepared were missing — the pooler gave it "
                + "another server connection than the one they were prepared on")
        }
        if alreadyExists > 0 {
            lines.append("42P05 × \(alreadyExists): statements this client had not prepared already existed — "
                + "its server connection had served another client that prepared them")
        }
        if summary.desyncCount > 0 {
            lines.append("desyncs × \(summary.desyncCount): rows of another statement or step, or replies out of "
                + "protocol order")
        }
        if summary.failureCount == 0 && summary.desyncCount == 0 && executions > 0 {
            lines.append("no errors, no desyncs: \(executions) executions over \(workingSet) named statements per "
                + "connection, every row its own")
        }
        let notes = summary.findings
        summary.findings = []
        for line in lines + notes { summary.note(line) }
    }
}

/// One connection's side of the probe: what it believes is prepared, and its pipelines.
struct ChurnClient {
    let connection: ProbeConnection
    let planner: ChurnPlanner
    private var reader: ProbeReader
    private var believed: [Bool]
    private var random = SystemRandomNumberGenerator()

    init(connection: ProbeConnection, planner: ChurnPlanner) {
        self.connection = connection
        self.planner = planner
        self.reader = ProbeReader(connection)
        self.believed = Array(repeating: false, count: planner.workingSet)
    }

    /// `pipelines` pipelines, with a Close, a `DEALLOCATE ALL` and a `DISCARD ALL` at least once each; false when
    /// the connection is no longer usable.
    mutating func round(pipelines: Int, timeout: TimeAmount, into part: inout ProbeSummary) async -> Bool {
        part.rounds += 1
        let before = (part.violationCount, part.desyncCount, part.failureCount)
        for index in 0..<pipelines {
            let forceQuery: ChurnPipeline.Query? = switch index {
            case pipelines / 3: .deallocateAll
            case 2 * pipelines / 3: .discardAll
            default: nil
            }
            let pipeline = planner.plan(believed: believed, forceClose: index == pipelines / 2,
                                        forceQuery: forceQuery, using: &random)
            guard await send(pipeline, timeout: timeout, into: &part) else { return false }
        }
        if (part.violationCount, part.desyncCount, part.failureCount) == before { part.passed += 1 }
        return true
    }

    private mutating func send(_ pipeline: ChurnPipeline, timeout: TimeAmount, into part: inout ProbeSummary) async
        -> Bool
    {
        var encoder = connection.makeEncoder(capacity: 1024)
        pipeline.encode(into: &encoder)
        await connection.send(&encoder)
        part.count("pipelines")
        var check = ChurnReplyCheck(pipeline, believed: believed)
        // A pipeline's reply is at most a few dozen messages; the bound stops a server that never stops talking.
        for _ in 0..<10_000 {
            switch await reader.next(timeout: timeout) {
            case .message(let message):
                if check.received(message, into: &part) == .done {
                    believed = check.believed
                    return true
                }
            case .timedOut:
                part.failure("timeout")
                part.note("prepared churn: no reply within the timeout")
                return false
            case .closed:
                part.failure("closed")
                part.note("prepared churn: connection closed")
                return false
            case .undecodable(let text):
                part.failure("undecodable")
                part.note("prepared churn: \(text)")
                return false
            }
        }
        part.failure("too_many_messages")
        return false
    }
}
