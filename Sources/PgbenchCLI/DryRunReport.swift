import Workload
import Connection
import Engine
import PoolerChecks

/// `pgswarm run --dry-run` and `pgswarm init --dry-run`: what would run, one `key: value` line each, without
/// connecting anywhere. Lets a user (and the CLI tests) check how a pgbench command line was understood.
public enum DryRunReport {
    public static func lines(configuration: RunConfiguration, poolerChecks: PoolerCheckOptions = PoolerCheckOptions(),
                             plan: Plan) -> [String] {
        var lines = connectionLines(configuration.connection)
        let scripts = plan.scripts.map { "\($0.name)@\($0.weight)" }
        lines.append("scripts: " + scripts.joined(separator: ", "))
        lines.append("query mode: \(configuration.mode.rawValue)")
        lines.append("clients: \(configuration.clients)")
        lines.append("threads: \(configuration.threads)")
        lines.append("io driver: " + (configuration.ioDriver == .auto
            ? "auto (direct unless TLS is in use)" : configuration.ioDriver.rawValue))
        lines.append("cpu steering: " + (configuration.cpuSteering
            ? "auto (a local server with the direct driver: loops pinned one per CPU, connections follow their backend)"
            : "off"))
        lines.append("client start: " + (configuration.clientsStartTogether
            ? "together (every client connects first, then all start; tps counts from then)"
            : "each as it connects"))
        switch configuration.limit {
        case .duration(let seconds): lines.append("duration: \(number(seconds)) s")
        case .transactionsPerClient(let count): lines.append("transactions per client: \(count)")
        }
        lines.append("rate: " + (configuration.rate.map { "\(number($0)) tps" } ?? "unlimited"))
        lines.append(
            "latency limit: " + (configuration.latencyLimitMicroseconds.map { "\(number($0 / 1000)) ms" } ?? "none")
        )
        lines.append("progress: " + (configuration.progressInterval.map { "every \(number($0)) s" } ?? "none"))
        lines.append("connect per transaction: \(configuration.connectPerTransaction)")
        lines.append("max tries: " + (configuration.maxTries == Int.max ? "unlimited" : "\(configuration.maxTries)"))
        lines.append("random seed: " + (configuration.randomSeed.map { "\($0)" } ?? "none"))
        lines.append("report per command: \(configuration.reportPerCommand)")
        lines.append(
            "vacuum: "
                + (configuration.noVacuum ? "none" : configuration.vacuumAll ? "all" : "branches, tellers, history")
        )
        // As the engine does: without -s, built-in scripts read the scale from pgbench_branches, others use 1.
        let builtinNames = Set(BuiltinScript.list().map(\.source.name))
        let usesBuiltin = plan.scripts.contains { builtinNames.contains($0.name) }
        let defaultScale = usesBuiltin ? "from pgbench_branches" : "1"
        lines.append("scale: " + (configuration.scale.map { "\($0)" } ?? defaultScale))
        lines.append("continue on error: \(configuration.continueOnError)")
        lines += poolerLines(configuration, poolerChecks)
        lines += probeLines(poolerChecks.probes)
        lines.append("results: " + (configuration.outputDirectory ?? "pgswarm-results/<UTC timestamp>"))
        return lines
    }

    public static func lines(connection: ConnectionSettings, initOptions: InitOptions) -> [String] {
        var lines = connectionLines(connection)
        lines.append("init steps: \(initOptions.steps)")
        lines.append("scale: \(initOptions.scale)")
        lines.append("fillfactor: \(initOptions.fillfactor)")
        lines.append(
            "partitions: \(initOptions.partitions)"
                + (initOptions.effectivePartitionMethod.map { " (\($0.rawValue))" } ?? "")
        )
        lines.append("unlogged tables: \(initOptions.unloggedTables)")
        lines.append("quiet: \(initOptions.quiet)")
        return lines
    }

    package static func connectionLines(_ connection: ConnectionSettings) -> [String] {
        [
            "server: \(connection.endpointDescription)",
            "user: \(connection.user)",
            "database: \(connection.database)",
            "password: " + (connection.password == nil ? "none" : "given"),
            "application name: \(connection.applicationName)",
            "protocol version: \(connection.protocolRequest.rawValue)",
            "sslmode: \(connection.sslMode.rawValue)" + (connection.sslRootCert.map { " (root certificate \($0))" } ?? ""),
        ]
    }

    /// 10 rather than 10.0, 0.5 as 0.5.
    package static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension DryRunReport {
    /// The connection behaviours a run adds for a pooler's sake (nothing when none is asked for).
    package static func poolerLines(_ configuration: RunConfiguration, _ checks: PoolerCheckOptions) -> [String] {
        var lines: [String] = []
        if checks.connectStorm > 0 {
            lines.append("connect storm: \(checks.connectStorm) connections, "
                         + (checks.stormRate.map { "\(number($0))/s" }
                            ?? "as fast as accepted, \(ConnectionStorm.windowPerLoop) connects under way per thread"))
        }
        if checks.idleConnections > 0 {
            lines.append("idle connections: \(checks.idleConnections)"
                         + (checks.idleInTransaction ? ", in an open transaction" : ""))
        }
        if configuration.cancelFraction > 0 {
            let low = configuration.cancelDelayMicroseconds / 1000
            let high = low + configuration.cancelDelaySpreadMicroseconds / 1000
            let delay = high > low ? "\(number(low))-\(number(high)) ms" : "\(number(low)) ms"
            lines.append("cancels: \(number(configuration.cancelFraction)) of transactions, after \(delay), "
                         + (configuration.cancelClosesImmediately ? "connection closed at once"
                            : "connection closed by the server (as libpq)"))
        }
        if checks.stateLeakCheck { lines.append("state leak check: on") }
        if configuration.scramCache { lines.append("SCRAM salted passwords: cached across logins") }
        return lines
    }

    /// The probes a run would start, and how (nothing when none).
    package static func probeLines(_ probes: ProbeOptions) -> [String] {
        var lines: [String] = []
        if !probes.isEmpty {
            var line = "probes: " + probes.names.map(\.rawValue).joined(separator: ", ")
            line += " (rounds \(probes.rounds), clients \(probes.clients)"
            if probes.storm > 0 { line += ", storm \(probes.storm)" }
            line += ", timeout \(number(probes.timeoutSeconds)) s)"
            lines.append(line)
        }
        if probes.poolerStats {
            let address = probes.poolerStatsAddress ?? "the run's address"
            lines.append("pooler stats: \(address), database pgbouncer")
        }
        return lines
    }
}
