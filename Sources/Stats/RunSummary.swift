import Foundation

/// `summary.json`: the machine-readable result of one run, read back by `compare` and `merge`.
///
/// Keys are snake_case; the file is pretty-printed with sorted keys so that two summaries diff cleanly.
/// Optional fields are left out when absent.
public struct RunSummary: Codable, Sendable, Equatable {
    public var pgswarmVersion: String
    /// "closed" (as fast as possible) or "rate" (open loop, Poisson schedule), or another engine mode name.
    public var mode: String
    public var commandLine: String
    public var serverVersion: String?
    /// The protocol version actually in use, e.g. "3.0".
    public var protocolVersion: String?
    public var startedAt: Date
    public var durationSeconds: Double
    public var clients: Int
    public var threads: Int
    /// Target transactions per second for rate mode.
    public var rate: Double?
    public var transactions: UInt64
    public var failedTransactions: UInt64
    public var skippedTransactions: UInt64?
    public var retries: UInt64?
    public var tps: Double
    public var tpsIncludingConnect: Double?
    /// True when the run was stopped early (signal, fatal error) and the numbers cover only part of it.
    public var interrupted: Bool
    public var errorsBySQLState: [String: UInt64]
    public var latencyMicroseconds: LatencySummary
    public var connectMicroseconds: LatencySummary?
    public var serviceMicroseconds: LatencySummary?
    public var lagMicroseconds: LatencySummary?
    public var scripts: [ScriptSummary]
    /// The interval log written beside this summary, relative to it.
    public var hlogFile: String?
    /// Failed transactions in each interval, in the order of the hlog's untagged intervals (absent in older runs).
    public var failedPerInterval: [UInt64]? = nil
    /// Which driver ran the clients' connections: "direct" (pgswarm's own epoll loops) or "nio" (SwiftNIO).
    public var ioDriver: String? = nil
    /// With `--cpu-steering` in effect: how many times a client moved to the loop on its backend's CPU.
    public var connectionsMoved: UInt64? = nil
    /// With `--start-clients together`: seconds from the run's start until every client was connected and the
    /// transactions began (the part of `duration_s` that `tps` leaves out).
    public var initialConnectionSeconds: Double? = nil
    /// With `--start-clients together`: clients still connecting when the run was stopped, so that none started.
    public var clientsConnectingAtStop: Int? = nil
    /// For a summary made by `pgswarm merge`: the command lines of the runs it combines.
    public var mergedCommandLines: [String]? = nil
    /// Connections the server or a pooler closed under running clients (each reconnected unless told not to).
    public var lostConnections: UInt64?
    /// Clients that stopped on an error (pgbench's "aborted"); their messages are printed with the summary.
    public var abortedClients: Int?
    /// `--idle-connections`: how many opened, and how many still answered at the end.
    public var idleConnectionsOpened: Int?
    public var idleConnectionsAlive: Int?
    /// `--connect-storm`: what happened to the storm of connections opened before the run.
    public var storm: StormSummary?
    /// `--cancel-fraction`: CancelRequests sent and what became of them.
    public var cancels: CancelSummary?
    /// `--state-leak-check`: session state of one connection seen by another (through a pooler).
    public var stateLeak: StateLeakSummary?
    /// The TLS handshakes alone (each also counted in `connect_us`), when the run used TLS.
    public var tlsHandshakeMicroseconds: LatencySummary?
    /// `--probe NAME[,NAME]`: what each pooler-correctness probe found, by probe name.
    public var probes: [String: ProbeSummary]?
    /// NoticeResponses the clients received (warnings, notices a pooler or server sent beside the replies).
    public var notices: UInt64?
    /// How evenly the clients were served.
    public var fairness: FairnessSummary?
    /// The phases of the run's connects.
    public var connectPhases: ConnectPhasesSummary?
    /// Errors by severity, SQLSTATE and (folded) message, most frequent first.
    public var errorsDetailed: [ErrorDetailCount]?

    enum CodingKeys: String, CodingKey {
        case pgswarmVersion = "pgswarm_version"
        case mode
        case commandLine = "command_line"
        case serverVersion = "server_version"
        case protocolVersion = "protocol_version"
        case startedAt = "started_at"
        case durationSeconds = "duration_s"
        case clients
        case threads
        case rate
        case transactions
        case failedTransactions = "failed_transactions"
        case skippedTransactions = "skipped_transactions"
        case retries
        case tps
        case tpsIncludingConnect = "tps_including_connect"
        case interrupted
        case errorsBySQLState = "errors_by_sqlstate"
        case latencyMicroseconds = "latency_us"
        case connectMicroseconds = "connect_us"
        case serviceMicroseconds = "service_us"
        case lagMicroseconds = "lag_us"
        case scripts
        case hlogFile = "hlog_file"
        case failedPerInterval = "failed_per_interval"
        case ioDriver = "io_driver"
        case connectionsMoved = "connections_moved"
        case initialConnectionSeconds = "initial_connection_s"
        case clientsConnectingAtStop = "clients_connecting_at_stop"
        case mergedCommandLines = "merged_command_lines"
        case lostConnections = "lost_connections"
        case abortedClients = "aborted_clients"
        case idleConnectionsOpened = "idle_connections_opened"
        case idleConnectionsAlive = "idle_connections_alive"
        case storm = "connect_storm"
        case cancels
        case stateLeak = "state_leak"
        case tlsHandshakeMicroseconds = "tls_handshake_us"
        case probes
        case notices
        case fairness
        case connectPhases = "connect_phases"
        case errorsDetailed = "errors_detailed"
    }

    public init(
        pgswarmVersion: String,
        mode: String,
        commandLine: String,
        serverVersion: String? = nil,
        protocolVersion: String? = nil,
        startedAt: Date,
        durationSeconds: Double,
        clients: Int,
        threads: Int,
        rate: Double? = nil,
        transactions: UInt64,
        failedTransactions: UInt64,
        skippedTransactions: UInt64? = nil,
        retries: UInt64? = nil,
        tps: Double,
        tpsIncludingConnect: Double? = nil,
        interrupted: Bool,
        errorsBySQLState: [String: UInt64] = [:],
        latencyMicroseconds: LatencySummary,
        connectMicroseconds: LatencySummary? = nil,
        serviceMicroseconds: LatencySummary? = nil,
        lagMicroseconds: LatencySummary? = nil,
        scripts: [ScriptSummary] = [],
        hlogFile: String? = nil
    ) {
        self.pgswarmVersion = pgswarmVersion
        self.mode = mode
        self.commandLine = commandLine
        self.serverVersion = serverVersion
        self.protocolVersion = protocolVersion
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.clients = clients
        self.threads = threads
        self.rate = rate
        self.transactions = transactions
        self.failedTransactions = failedTransactions
        self.skippedTransactions = skippedTransactions
        self.retries = retries
        self.tps = tps
        self.tpsIncludingConnect = tpsIncludingConnect
        self.interrupted = interrupted
        self.errorsBySQLState = errorsBySQLState
        self.latencyMicroseconds = latencyMicroseconds
        self.connectMicroseconds = connectMicroseconds
        self.serviceMicroseconds = serviceMicroseconds
        self.lagMicroseconds = lagMicroseconds
        self.scripts = scripts
        self.hlogFile = hlogFile
    }

    /// The encoder summary.json is written with: sorted keys, pretty printed, ISO 8601 dates.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }

    public func jsonData() throws -> Data {
        var data = try Self.makeEncoder().encode(self)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    public func write(to path: String) throws {
        try jsonData().write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    public static func read(from path: String) throws -> RunSummary {
        try makeDecoder().decode(RunSummary.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}

/// A connection storm's figures in summary.json: attempts, successes, failures by cause, connect-time percentiles.
public struct StormSummary: Codable, Sendable, Equatable {
    public var attempted: Int
    public var connected: Int
    public var seconds: Double
    public var failures: [String: Int]
    public var connectMicroseconds: LatencySummary

    enum CodingKeys: String, CodingKey {
        case attempted, connected, seconds, failures
        case connectMicroseconds = "connect_us"
    }

    public init(attempted: Int, connected: Int, seconds: Double, failures: [String: Int],
                connectMicroseconds: LatencySummary)
    {
        self.attempted = attempted
        self.connected = connected
        self.seconds = seconds
        self.failures = failures
        self.connectMicroseconds = connectMicroseconds
    }
}

/// What `--cancel-fraction` did: CancelRequests sent, queries they cancelled (57014), cancels that came too late.
public struct CancelSummary: Codable, Sendable, Equatable {
    public var sent: UInt64
    public var cancelled: UInt64
    public var late: UInt64
    /// Cancels sent at least 20 ms before their transaction ended normally: a pooler dropped them.
    public var lost: UInt64?
    /// Cancels that arrived after their transaction ended and cancelled the connection's next one.
    public var misdirected: UInt64
    /// 57014 errors on connections with no cancel of their own pending: someone else's cancel reached them (through a
    /// pooler, a cancel forwarded to the wrong server connection).
    public var wrongVictim: UInt64?
    public var timeToCancelMicroseconds: LatencySummary

    enum CodingKeys: String, CodingKey {
        case sent, cancelled, late, lost, misdirected
        case wrongVictim = "wrong_victim"
        case timeToCancelMicroseconds = "time_to_cancel_us"
    }

    public init(sent: UInt64, cancelled: UInt64, late: UInt64, lost: UInt64? = nil, misdirected: UInt64,
                wrongVictim: UInt64? = nil,
                timeToCancelMicroseconds: LatencySummary)
    {
        self.sent = sent
        self.cancelled = cancelled
        self.late = late
        self.lost = lost
        self.misdirected = misdirected
        self.wrongVictim = wrongVictim
        self.timeToCancelMicroseconds = timeToCancelMicroseconds
    }
}

/// What `--state-leak-check` saw: reads of the marker, how many returned another connection's SET, an example.
public struct StateLeakSummary: Codable, Sendable, Equatable {
    public var checks: Int
    public var leaks: Int
    /// A leaked value as read (e.g. "client-1"); absent without leaks.
    public var example: String?
    /// SET statements made by the setters, and failed statements or connects of the probe.
    public var sets: Int
    public var errors: Int

    public init(checks: Int, leaks: Int, example: String?, sets: Int, errors: Int) {
        self.checks = checks
        self.leaks = leaks
        self.example = example
        self.sets = sets
        self.errors = errors
    }
}
