import Foundation
import Workload
import Connection

/// Everything a benchmark run needs besides the compiled plan: the pgbench options that shape the load.
public struct RunConfiguration: Sendable {
    public enum Limit: Sendable, Equatable {
        /// `-T`: run for this many seconds.
        case duration(seconds: Double)
        /// `-t`: each client runs this many transactions.
        case transactionsPerClient(Int)
    }

    public var connection: ConnectionSettings
    public var clients: Int = 1
    /// Event-loop threads (`-j`); defaults to the core count.
    public var threads: Int = Machine.coreCount
    public var limit: Limit = .transactionsPerClient(10)
    public var mode: QueryMode = .simple
    /// `-R`: target transactions per second over all clients (open loop), or nil for closed loop.
    public var rate: Double?
    /// `-L`: transactions slower than this (in microseconds) count as late.
    public var latencyLimitMicroseconds: Double?
    /// `-P`: seconds between progress lines; nil prints none. The hlog interval is this or 1 s.
    public var progressInterval: Double?
    /// `--progress-timestamp`: progress lines carry the Unix time instead of the seconds since the start.
    public var progressTimestamp = false
    /// `-C`: a new connection for each transaction.
    public var connectPerTransaction: Bool = false
    /// `--max-tries`: attempts for a transaction that failed with a serialization failure or deadlock.
    public var maxTries: Int = 1
    public var randomSeed: UInt64?
    /// `-s`: the scale for custom scripts; nil reads it from pgbench_branches when a built-in script runs.
    public var scale: Int?
    /// Names given with `-D`, which the run must not override (e.g. `-D scale=5`).
    public var definedVariables: Set<String> = []
    /// `-r`: per-command latencies in the report.
    public var reportPerCommand: Bool = false
    /// `-n`: skip the vacuum before the run.
    public var noVacuum: Bool = false
    /// `-v`: vacuum all four standard tables before the run.
    public var vacuumAll: Bool = false
    /// `--continue-on-error` (pgbench 18): count any SQL error as a failed transaction and go on, instead of
    /// aborting the client.
    public var continueOnError: Bool = false
    /// `--reconnect=always` (default): a client whose connection is lost counts it and connects again with
    /// bounded backoff; `--reconnect=never` stops that client instead.
    public var reconnect: Bool = true
    /// `--io`: which driver runs the clients' connections (see `ClientDriverChoice`).
    public var ioDriver: IODriverRequest = .auto
    /// `--cpu-steering auto|off`: whether clients of a loopback run move to the loop on their backend's CPU
    /// (see `ConnectionSteering`).
    public var cpuSteering = true
    /// `--start-clients together|each`: whether every client connects before any starts its transactions (pgbench's
    /// way), or each starts as soon as it is connected (see `StartBarrier`).
    public var clientsStartTogether = true
    /// For tests: clients change loops at every steering check (see `ConnectionSteering.init(alternatingBetween:)`).
    var alternateLoopsForTesting = false
    /// How long a client keeps trying to reconnect (with backoff) before it gives up and aborts.
    public var reconnectGiveUpSeconds: Double = 30
    /// `--failures-detailed`: serialization and deadlock failures on lines of their own, as pgbench prints them.
    public var failuresDetailed: Bool = false
    /// `--cancel-fraction F`: send a CancelRequest for this fraction of transactions (0...1), `--cancel-delay` µs
    /// after the transaction's first statement went out, plus a uniform draw in 0...spread (`--cancel-delay A-B`).
    public var cancelFraction: Double = 0
    public var cancelDelayMicroseconds: Double = 1000
    public var cancelDelaySpreadMicroseconds: Double = 0
    /// `--cancel-close-immediately`: close a cancel's connection as soon as the request is written, instead of
    /// waiting for the server to close it as libpq does (PgBouncer 1.18 aborts when a client does this while the
    /// cancel is being forwarded).
    public var cancelClosesImmediately: Bool = false
    /// `--scram-cache`: keep SCRAM's salted password per (password, salt, iterations), as poolers do, instead of
    /// computing it for every login, as applications do.
    public var scramCache: Bool = false
    /// `--verbose-errors`.
    public var verboseErrors: Bool = false
    /// A workload spec's phases, in order; empty for a plain pgbench-style run (one steady phase of `limit`).
    public var phases: [RunPhase] = []
    /// SQL run once before the first phase and once after the last (spec `setup` / `teardown`).
    public var setupSQL: [String] = []
    public var teardownSQL: [String] = []
    /// SQL each connection runs right after logging in, before its first transaction (e.g. SET statements).
    public var connectionSetupSQL: [String] = []
    /// Where summary.json and latency.hlog go.
    public var outputDirectory: String?
    /// The command line as typed, recorded in summary.json.
    public var commandLine: [String] = []
    /// `--shard`: the id of this process's first client, so that shards' client ids stay distinct.
    public var firstClientID: Int = 0
    /// `--start-at`: clients start at this wall-clock time (after the connection check and vacuum).
    public var startAt: Date?

    public init(connection: ConnectionSettings) {
        self.connection = connection
    }

    /// Whether any part of the run follows a rate schedule (-R, or a phase with a rate).
    public var isOpenLoop: Bool { rate != nil || phases.contains { $0.rateFrom != nil } }

    /// The hlog interval: the progress interval, or one second.
    public var intervalSeconds: Double { progressInterval ?? 1.0 }

    /// `-c 0` (with probes): no clients, so nothing of pgbench's (tables, vacuum, transaction summary) applies.
    public var hasNoClients: Bool { clients == 0 && phases.isEmpty }
}
