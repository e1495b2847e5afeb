import Foundation
import Workload
import Connection
import Engine
import PoolerChecks

/// The benchmarking options of `pgswarm run` as typed (pgbench's, plus pgswarm's own), before any check. The CLI
/// fills it; `makeRunConfiguration` checks it with pgbench's rules and messages and maps it onto `RunConfiguration`,
/// and `makePlan` compiles the scripts it names. Kept free of ArgumentParser so tests can drive it directly.
public struct PgbenchOptions: Sendable, Equatable {
    /// `-b`, `-f`, `-S`, `-N` in command-line order; none means pgbench's default, `tpcb-like`.
    public var scripts: [PgbenchArguments.ScriptChoice] = []
    /// `-c`, `-j`, `-t`, `-T`, `-R`, `-L`, `-M`, `-P`, `-s`, `--max-tries`, `--random-seed`, as typed.
    public var clients: String?
    public var jobs: String?
    public var transactions: String?
    public var time: String?
    public var rate: String?
    public var latencyLimit: String?
    public var queryMode: String?
    public var progress: String?
    public var scale: String?
    public var maxTries: String?
    public var randomSeed: String?
    /// `-D name=value`, each as typed.
    public var defines: [String] = []
    public var connectPerTransaction = false
    public var reportPerCommand = false
    public var noVacuum = false
    public var vacuumAll = false
    public var verboseErrors = false
    /// `--continue-on-error` (pgbench 18).
    public var continueOnError = false
    /// `--reconnect=always|never` (ours).
    public var reconnect: String?
    /// `--io=auto|direct|nio` (ours).
    public var io: String?
    /// `--cpu-steering=auto|off` (ours).
    public var cpuSteering: String?
    /// `--start-clients=together|each` (ours).
    public var startClients: String?
    /// `--cancel-fraction F`, `--cancel-delay MS` (ours).
    public var cancelFraction: String?
    public var cancelDelay: String?
    /// `--connect-storm NUM`, `--storm-rate NUM` (ours).
    public var connectStorm: String?
    public var stormRate: String?
    /// `--idle-connections NUM`, `--idle-in-transaction` (ours).
    public var idleConnections: String?
    public var idleInTransaction = false
    /// `--state-leak-check` (ours): probe whether a session SET leaks between clients through a pooler.
    public var stateLeakCheck = false
    /// `--scram-cache` (ours).
    public var scramCache = false
    /// `--cancel-close-immediately` (ours).
    public var cancelClosesImmediately = false
    /// `--probe NAME[,NAME]`, `--probe-rounds N`, `--probe-clients N`, `--probe-storm N` (ours).
    public var probe: String?
    public var probeRounds: String?
    public var probeClients: String?
    public var probeStorm: String?
    /// `--pooler-stats [HOST:PORT]` (ours): "" for the run's own endpoint.
    public var poolerStats: String?
    /// Accepted for pgbench compatibility; pgswarm's per-interval .hlog replaces the per-transaction log.
    public var log = false
    public var logPrefix: String?
    public var samplingRate: String?
    public var aggregateInterval: String?
    public var progressTimestamp = false
    public var failuresDetailed = false
    public var debug = false
    /// `--out`: the results directory; nil leaves the engine's default, `pgswarm-results/<UTC timestamp>`.
    public var outputDirectory: String?
    /// The command line as typed, recorded in summary.json.
    public var commandLine: [String] = []
    /// `--shard i/N` and `--start-at TIME`, as typed (see `ShardSpec`, `StartTime`).
    public var shard: String?
    public var startAt: String?

    public init() {}

    /// Checks every option as pgbench does and builds the run's configuration. `now` seeds `--random-seed=time`
    /// (pgbench's default).
    public func makeRunConfiguration(
        connection: ConnectionSettings,
        now: Date = Date()
    ) throws(PgswarmError) -> RunConfiguration {
        var configuration = RunConfiguration(connection: connection)
        let int32Max = Int(Int32.max)

        if let clients {
            // `-c 0` runs only the probes.
            let fewest = probe == nil && poolerStats == nil ? 1 : 0
            configuration.clients = try PgbenchNumber.integer(clients, option: "-c/--client", range: fewest...int32Max)
        }
        if let jobs {
            configuration.threads = try PgbenchNumber.integer(jobs, option: "-j/--jobs", range: 1...int32Max)
        }
        if let shard {
            let spec = try ShardSpec(parsing: shard)
            let total = configuration.clients
            configuration.clients = try spec.clients(of: total)
            configuration.firstClientID = spec.firstClientID(of: total)
        }
        // More event loops than clients would only idle.
        configuration.threads = max(1, min(configuration.threads, configuration.clients))

        if transactions != nil && time != nil {
            throw PgswarmError(.usage, "specify either a number of transactions (-t) or a duration (-T), not both")
        }
        var duration: Int?
        if let transactions {
            let count = try PgbenchNumber.integer(transactions, option: "-t/--transactions", range: 1...int32Max)
            configuration.limit = .transactionsPerClient(count)
        }
        if let time {
            let seconds = try PgbenchNumber.integer(time, option: "-T/--time", range: 1...int32Max)
            duration = seconds
            configuration.limit = .duration(seconds: Double(seconds))
        }

        if let rate {
            guard let value = PgbenchNumber.decimal(rate), value > 0 else {
                throw PgswarmError(.usage, "invalid rate limit: \"\(rate)\"")
            }
            configuration.rate = value
            if let shard {
                // The rate follows the clients, so every client keeps the per-client rate of the whole run.
                let total = try PgbenchNumber.integer(clients ?? "1", option: "-c/--client", range: 1...int32Max)
                configuration.rate = value * Double(try ShardSpec(parsing: shard).clients(of: total)) / Double(total)
            }
        }
        if let latencyLimit {
            guard let milliseconds = PgbenchNumber.decimal(latencyLimit), milliseconds > 0 else {
                throw PgswarmError(.usage, "invalid latency limit: \"\(latencyLimit)\"")
            }
            configuration.latencyLimitMicroseconds = milliseconds * 1000
        }
        if let queryMode {
            guard let mode = QueryMode(rawValue: queryMode) else {
                throw PgswarmError(.usage, "invalid query mode (-M): \"\(queryMode)\"")
            }
            configuration.mode = mode
        }
        if let progress {
            // pgbench takes whole seconds; a fraction (-P 0.5) is pgswarm's extension.
            guard let seconds = PgbenchNumber.decimal(progress), seconds > 0 else {
                throw PgswarmError(.usage, "invalid value \"\(progress)\" for option -P/--progress")
            }
            configuration.progressInterval = seconds
        }
        if progressTimestamp && progress == nil {
            throw PgswarmError(.usage, "--progress-timestamp is allowed only under --progress")
        }
        configuration.progressTimestamp = progressTimestamp
        configuration.scale = try scaleValue()
        configuration.definedVariables = Set(try parsedDefines().map(\.0))

        if let maxTries {
            guard let tries = Int(maxTries.trimmingSpaces()), tries >= 0 else {
                throw PgswarmError(.usage, "invalid number of maximum tries: \"\(maxTries)\"")
            }
            if tries == 0 && latencyLimit == nil && time == nil {
                throw PgswarmError(
                    .usage,
                    "an unlimited number of transaction tries can only be used with --latency-limit or a duration (-T)"
                )
            }
            // 0 is pgbench's "unlimited": the duration or the latency limit ends the retries instead.
            configuration.maxTries = tries == 0 ? Int.max : tries
        }
        configuration.randomSeed = try resolvedRandomSeed(now: now)
        try checkLogOptions(duration: duration)

        configuration.connectPerTransaction = connectPerTransaction
        configuration.reportPerCommand = reportPerCommand
        configuration.noVacuum = noVacuum
        configuration.vacuumAll = vacuumAll
        configuration.verboseErrors = verboseErrors
        configuration.continueOnError = continueOnError
        configuration.failuresDetailed = failuresDetailed
        configuration.scramCache = scramCache
        configuration.cancelClosesImmediately = cancelClosesImmediately
        if let cancelFraction {
            guard let fraction = Double(cancelFraction.trimmingCharacters(in: .whitespaces)), (0...1).contains(fraction)
            else {
                throw PgswarmError(.usage, "invalid --cancel-fraction value: \"\(cancelFraction)\" (0 to 1)")
            }
            configuration.cancelFraction = fraction
        }
        if let cancelDelay {
            // "MS" or "A-B": a fixed delay, or one drawn uniformly per cancel.
            let bounds = cancelDelay.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
                .map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard let low = bounds.first ?? nil, let high = bounds.last ?? nil, low >= 0, high >= low, high.isFinite
            else {
                throw PgswarmError(.usage, "invalid --cancel-delay value: \"\(cancelDelay)\" (milliseconds, or a "
                                  + "range such as 0-50)")
            }
            configuration.cancelDelayMicroseconds = low * 1000
            configuration.cancelDelaySpreadMicroseconds = (high - low) * 1000
        }
        configuration.reconnect = try Self.choice(reconnect, "--reconnect", [("always", true), ("never", false)])
        configuration.ioDriver = try Self.choice(io, "--io", [("auto", .auto), ("direct", .direct), ("nio", .nio)])
        configuration.cpuSteering = try Self.choice(cpuSteering, "--cpu-steering", [("auto", true), ("off", false)])
        configuration.clientsStartTogether = try Self.choice(
            startClients, "--start-clients", [("together", true), ("each", false)])
        configuration.outputDirectory = outputDirectory
        configuration.commandLine = commandLine
        configuration.startAt = try startAt.map { (text) throws(PgswarmError) in try StartTime.parse(text) }
        return configuration
    }

    /// The scripts to run, read from their files or the built-ins, with their weights.
    public func scriptSources() throws(WorkloadError) -> [ScriptSource] {
        guard !scripts.isEmpty else { return [BuiltinScript.tpcbLike] }
        var sources: [ScriptSource] = []
        for choice in scripts {
            switch choice {
            case .builtin(let option): sources.append(try ScriptSource.builtin(option))
            case .file(let option): sources.append(try ScriptSource.file(option))
            }
        }
        return sources
    }

    /// Compiles the scripts for `configuration` (its query mode and random seed) with the `-D` definitions and
    /// `-s` scale.
    public func makePlan(configuration: RunConfiguration) throws -> Plan {
        try Plan.compile(
            sources: scriptSources(),
            mode: configuration.mode,
            defines: parsedDefines(),
            scale: scaleValue() ?? 1,
            randomSeed: configuration.randomSeed ?? 0,
            // With the client count, client n draws the same random values as pgbench's client n.
            clients: configuration.clients
        )
    }

    /// `-s`, when given. (For the built-in scripts pgbench reads the scale from pgbench_branches instead.)
    public func scaleValue() throws(PgswarmError) -> Int? {
        guard let scale else { return nil }
        return try PgbenchNumber.integer(scale, option: "-s/--scale", range: 1...Int(Int32.max))
    }

    /// `-D name=value` split at the first `=`.
    public func parsedDefines() throws(PgswarmError) -> [(String, String)] {
        var result: [(String, String)] = []
        for definition in defines {
            guard let equals = definition.firstIndex(of: "="), equals != definition.startIndex else {
                throw PgswarmError(.usage, "invalid variable definition: \"\(definition)\"")
            }
            result.append((String(definition[..<equals]), String(definition[definition.index(after: equals)...])))
        }
        return result
    }

    /// `--random-seed`: "time" (the default: the clock in microseconds, as pgbench), "rand", or an unsigned integer.
    public func resolvedRandomSeed(now: Date) throws(PgswarmError) -> UInt64 {
        switch randomSeed {
        case nil, "time":
            return UInt64(max(0, now.timeIntervalSince1970 * 1_000_000))
        case "rand":
            return UInt64.random(in: .min ... .max)
        case let text?:
            guard let seed = UInt64(text.trimmingSpaces()) else {
                throw PgswarmError(
                    .usage,
                    "unrecognized random seed option \"\(text)\": expecting an unsigned integer, \"time\" or \"rand\""
                )
            }
            return seed
        }
    }

    /// pgbench's rules for -l and its companions; pgswarm accepts them but writes its .hlog instead of the log.
    /// The meaning of a keyword option's `value` among `choices` (name, meaning); the first is the default.
    private static func choice<T>(_ value: String?, _ option: String, _ choices: [(name: String, meaning: T)])
        throws(PgswarmError) -> T
    {
        guard let value else { return choices[0].meaning }
        if let match = choices.first(where: { $0.name == value }) { return match.meaning }
        let names = choices.map(\.name)
        let expected = names.dropLast().joined(separator: ", ") + " or " + names.last!
        throw PgswarmError(.usage, "invalid \(option) value: \"\(value)\" (expected \(expected))")
    }

    private func checkLogOptions(duration: Int?) throws(PgswarmError) {
        if let samplingRate {
            guard log else {
                throw PgswarmError(
                    .usage,
                    "log sampling (--sampling-rate) is allowed only when logging transactions (-l)"
                )
            }
            guard let rate = PgbenchNumber.decimal(samplingRate), rate > 0, rate <= 1 else {
                throw PgswarmError(.usage, "invalid sampling rate: \"\(samplingRate)\"")
            }
        }
        if let aggregateInterval {
            let seconds = try PgbenchNumber.integer(
                aggregateInterval,
                option: "--aggregate-interval",
                range: 1...Int(Int32.max)
            )
            guard log else {
                throw PgswarmError(.usage, "log aggregation is allowed only when actually logging transactions")
            }
            if samplingRate != nil {
                throw PgswarmError(
                    .usage,
                    "log sampling (--sampling-rate) and aggregation (--aggregate-interval) cannot be used at the "
                        + "same time"
                )
            }
            if let duration, duration % seconds != 0 {
                throw PgswarmError(
                    .usage,
                    "duration (\(duration)) must be a multiple of aggregation interval (\(seconds))"
                )
            }
        }
        if logPrefix != nil && !log {
            throw PgswarmError(.usage, "log file prefix (--log-prefix) is allowed only when logging transactions (-l)")
        }
    }
}

// MARK: Workload specs

extension PgbenchOptions {
    /// A run described by a workload spec (`pgswarm run workload.toml`): the spec gives the scripts, phases, setup,
    /// teardown and per-connection SQL; the command line still gives the connection, `--out`, `-P`, `-D`, `-s`,
    /// `--random-seed`, `-j` and `-M` (which replaces the spec's default mode, not a script's own). With phases,
    /// `-c`, `-t`, `-T` and `-R` are refused: the phases say how many clients, how long and how fast.
    public func makeSpecRun(
        spec: WorkloadSpec,
        connection: ConnectionSettings,
        now: Date = Date()
    ) throws -> (configuration: RunConfiguration, poolerChecks: PoolerCheckOptions, plan: Plan) {
        var spec = spec
        if !spec.phases.isEmpty {
            let given = [("-c", clients), ("-t", transactions), ("-T", time), ("-R", rate)].filter { $0.1 != nil }
            if let first = given.first {
                throw PgswarmError(
                    .usage,
                    "\(first.0) cannot be combined with the phases of \(spec.path): its [[phase]] tables set the "
                        + "clients, the duration and the rate"
                )
            }
        }
        if !scripts.isEmpty {
            throw PgswarmError(.usage, "-b, -f, -S and -N cannot be combined with a workload spec; add a [[script]]")
        }
        var configuration = try makeRunConfiguration(connection: connection, now: now)
        if let mode = queryMode, let parsed = QueryMode(rawValue: mode) { spec.defaultMode = parsed }
        configuration.mode = spec.defaultMode
        if let scale = try scaleValue() {
            spec.scale = scale
        }
        configuration.scale = spec.scale
        configuration.setupSQL = spec.setupSQL
        configuration.teardownSQL = spec.teardownSQL
        configuration.connectionSetupSQL = spec.connectionSetupSQL
        applyPooler(spec.pooler, to: &configuration)
        var poolerChecks = try makePoolerChecks(connection: connection)
        applyPooler(spec.pooler, to: &poolerChecks)
        if let probe = spec.probe, self.probe == nil {
            poolerChecks.probes.apply(probe)
            try applyProbeOptions(to: &poolerChecks, connection: connection)  // --probe-rounds and the like still win
        }
        if !spec.phases.isEmpty {
            configuration.phases = spec.phases
            configuration.clients = spec.phases.map { max($0.clientsFrom, $0.clientsTo) }.max() ?? 1
            configuration.limit = .duration(seconds: spec.durationSeconds)
            configuration.rate = nil
            // The event loops are made once for the run: the most any phase asks for, unless -j says otherwise.
            if let jobs {
                configuration.threads = try PgbenchNumber.integer(jobs, option: "-j/--jobs", range: 1...Int(Int32.max))
            } else {
                configuration.threads = spec.phases.compactMap(\.threads).max() ?? Machine.coreCount
            }
            configuration.threads = min(configuration.threads, configuration.clients)
        }
        let plan = try spec.compilePlan(
            defines: parsedDefines(),
            randomSeed: configuration.randomSeed ?? 0,
            clients: configuration.clients
        )
        return (configuration, poolerChecks, plan)
    }
}

extension PgbenchOptions {
    /// The spec's `[pooler]` table, for each client behaviour the command line did not set itself (its options win).
    package func applyPooler(_ pooler: SpecPooler, to configuration: inout RunConfiguration) {
        if cancelFraction == nil, let fraction = pooler.cancelFraction { configuration.cancelFraction = fraction }
        if cancelDelay == nil, let seconds = pooler.cancelDelaySeconds {
            configuration.cancelDelayMicroseconds = seconds * 1e6
            let latest = pooler.cancelDelayMaxSeconds ?? seconds
            configuration.cancelDelaySpreadMicroseconds = max(latest - seconds, 0) * 1e6
        }
    }

    /// The spec's `[pooler]` table, for each companion the command line did not set itself (its options win).
    package func applyPooler(_ pooler: SpecPooler, to checks: inout PoolerCheckOptions) {
        if connectStorm == nil, let count = pooler.connectStorm { checks.connectStorm = count }
        if stormRate == nil, let rate = pooler.stormRate { checks.stormRate = rate }
        if idleConnections == nil, let count = pooler.idleConnections { checks.idleConnections = count }
        if !idleInTransaction, pooler.idleInTransaction == true { checks.idleInTransaction = true }
        if !stateLeakCheck, pooler.stateLeakCheck == true { checks.stateLeakCheck = true }
    }

    /// The storm, the idle connections, the state-leak check and the probes, checked as the other options are.
    public func makePoolerChecks(connection: ConnectionSettings) throws(PgswarmError) -> PoolerCheckOptions {
        var checks = PoolerCheckOptions()
        if let idleConnections {
            checks.idleConnections = try PgbenchNumber.integer(
                idleConnections, option: "--idle-connections", range: 0...1_000_000)
        }
        checks.idleInTransaction = idleInTransaction
        checks.stateLeakCheck = stateLeakCheck
        if let connectStorm {
            checks.connectStorm = try PgbenchNumber.integer(connectStorm, option: "--connect-storm", range: 0...1_000_000)
        }
        if let stormRate {
            guard let rate = PgbenchNumber.decimal(stormRate), rate > 0 else {
                throw PgswarmError(.usage, "invalid --storm-rate value: \"\(stormRate)\" (connections per second)")
            }
            checks.stormRate = rate
        }
        try applyProbeOptions(to: &checks, connection: connection)
        return checks
    }

    /// `--probe` and the options that shape the probes.
    package func applyProbeOptions(to checks: inout PoolerCheckOptions, connection: ConnectionSettings)
        throws(PgswarmError)
    {
        if let probe {
            checks.probes.names = try ProbeName.parseList(probe)
        }
        if let probeRounds {
            checks.probes.rounds = try PgbenchNumber.integer(probeRounds, option: "--probe-rounds", range: 1...100_000)
        }
        if let probeClients {
            checks.probes.clients = try PgbenchNumber.integer(probeClients, option: "--probe-clients", range: 1...10_000)
        }
        if let probeStorm {
            checks.probes.storm = try PgbenchNumber.integer(probeStorm, option: "--probe-storm", range: 0...100_000)
        }
        if let poolerStats {
            checks.probes.poolerStats = true
            checks.probes.poolerStatsAddress = poolerStats.isEmpty ? nil : poolerStats
        }
        if checks.probes.poolerStats {
            // Checked now, so that a typo stops the run before it starts.
            _ = try PoolerStatsPoller.consoleSettings(run: connection, address: checks.probes.poolerStatsAddress)
        }
    }
}
