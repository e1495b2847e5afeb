import PoolerChecks
import ArgumentParser
import Engine
import Foundation
import LocalCluster
import Report
import Workload
import Connection
import PgbenchCLI

/// `pgswarm run`: pgbench's benchmarking mode, same options, same meaning; or a workload spec (`run workload.toml`).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a benchmark; takes pgbench's command line (pgbench -i: see pgswarm init, or pass -i here).",
        usage: """
            pgswarm run [OPTION]... [DBNAME]
            pgswarm run [OPTION]... WORKLOAD.toml [--dbname DBNAME]   (a workload spec: docs/workload-specs.md)
            """
    )

    @OptionGroup(title: "Options to select what to run") var scripts: ScriptSelectionArguments
    @OptionGroup(title: "Benchmarking options") var benchmark: BenchmarkArguments
    @OptionGroup(title: "Transaction log options") var log: PgbenchLogArguments
    @OptionGroup(title: "Connection") var connection: ConnectionArguments

    @Option(
        name: .long,
        help: ArgumentHelp("Results directory (default: pgswarm-results/<UTC timestamp>).", valueName: "DIR")
    )
    var out: String?

    @Flag(name: .long, help: "Start a throwaway PostgreSQL for this run and remove it afterwards.")
    var tempPostgres = false

    @Flag(name: .long, help: "Write report.html (plots, summary) into the results directory at the end.")
    var report = false

    @Flag(name: .long, help: "Print how the options were understood, then exit without connecting.")
    var dryRun = false

    @Flag(name: [.customShort("i"), .long], help: "Initialise instead of benchmarking (as pgswarm init).")
    var initialize = false

    func run() async throws {
        // pgbench acts on these as soon as it reads them, before checking anything else.
        if scripts.builtin.contains("list") {
            print(Self.builtinList())
            return
        }
        if let name = scripts.showScript {
            print(try Self.showScript(name), terminator: "")
            return
        }

        let settings: ConnectionSettings
        var configuration: RunConfiguration
        let poolerChecks: PoolerCheckOptions
        let plan: Plan
        var databaseGiven = connection.database != nil || connection.dbname != nil
        var needsPgbenchTables = false
        if let specPath = workloadSpecPath() {
            // `pgswarm run workload.toml`: the spec is read and compiled completely before anything connects.
            let spec = try WorkloadSpec.load(path: specPath)
            var connection = connection
            if connection.database == specPath {
                connection.database = nil
                databaseGiven = connection.dbname != nil
            }
            settings = try connection.resolve()
            var options = pgbenchOptions()
            options.scripts = Invocation.scripts.filter { $0 != .file(specPath) }
            (configuration, poolerChecks, plan) = try options.makeSpecRun(spec: spec, connection: settings)
            needsPgbenchTables = spec.scripts.contains { $0.text.contains("pgbench_") }
        } else {
            settings = try connection.resolve()
            let options = pgbenchOptions()
            configuration = try options.makeRunConfiguration(connection: settings)
            poolerChecks = try options.makePoolerChecks(connection: settings)
            plan = try options.makePlan(configuration: configuration)
            let builtinNames = Set(BuiltinScript.list().map(\.source.name))
            needsPgbenchTables = plan.scripts.contains { builtinNames.contains($0.name) }
        }
        if dryRun {
            for line in DryRunReport.lines(configuration: configuration, poolerChecks: poolerChecks, plan: plan) { print(line) }
            return
        }

        var cluster: LocalPostgres?
        defer {
            if let cluster {
                cluster.stop()
                StandardOutput.write("pgswarm: stopped and removed the temporary PostgreSQL")
            }
        }
        if tempPostgres {
            let started = try LocalPostgres.start()
            cluster = started
            configuration.connection = try await Self.prepareTemporaryServer(
                started,
                settings: settings,
                databaseGiven: databaseGiven,
                needsPgbenchTables: needsPgbenchTables,
                scale: configuration.scale
            )
        }

        if let startAt = configuration.startAt {
            // Shards wait for one another; say why nothing happens yet (Kubernetes logs show this line).
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            StandardOutput.write("pgswarm: clients start at \(formatter.string(from: startAt)) (--start-at)")
        }
        let stop = StopSignal()
        let interrupts = InterruptHandler(stop: stop)
        defer { interrupts.cancel() }
        let outcome: Benchmark.Outcome
        do {
            outcome = try await Benchmark.run(
                configuration: configuration,
                plan: plan,
                companions: poolerChecks.companions,
                print: StandardOutput.write,
                stop: stop
            )
        } catch let error as PgswarmError where error.kind == .connection && !configuration.connection.hostWasGiven {
            // Nothing was named, so the user may not know where pgswarm looked or what else to do.
            throw PgswarmError(
                error.kind,
                error.message + " (no server given: use -h/PGHOST, or --temp-postgres for a throwaway one)"
            )
        }
        if report {
            let path = outcome.outputDirectory + "/report.html"
            do {
                try HTMLReport.write(runs: [try ResultDirectory.load(outcome.outputDirectory)], to: path)
                StandardOutput.write("report: \(path)")
            } catch {
                StandardError.write("pgswarm: cannot write the report: \(error)")
            }
        }
        if outcome.summary.interrupted {
            // pgbench's convention for a run that did not complete: exit 1, results still written.
            throw ExitCode(1)
        }
        if outcome.abortedClients > 0 {
            StandardError.write(
                "pgswarm: \(outcome.abortedClients) of \(configuration.clients) clients aborted; the results are "
                    + "incomplete"
            )
            throw ExitCode(1)
        }
    }

    /// The workload spec to run, if one was named: the last argument, or `-f`, naming an existing `.toml` file.
    func workloadSpecPath() -> String? {
        var candidates: [String] = []
        if let database = connection.database { candidates.append(database) }
        for case .file(let path) in Invocation.scripts { candidates.append(path) }
        return candidates.first { path in
            var isDirectory: ObjCBool = false
            return path.lowercased().hasSuffix(".toml")
                && FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// Points the run at a throwaway server, and creates the pgbench tables there when the scripts need them (a
    /// built-in, or a spec's script that names a pgbench_ table).
    static func prepareTemporaryServer(
        _ server: LocalPostgres,
        settings: ConnectionSettings,
        databaseGiven: Bool,
        needsPgbenchTables: Bool,
        scale: Int?
    ) async throws -> ConnectionSettings {
        var settings = settings
        settings.endpoint = .unixSocket(
            path: ConnectionResolver.socketPath(directory: server.socketDirectory, port: server.port)
        )
        settings.user = server.superuser
        settings.password = nil
        if !databaseGiven { settings.database = "postgres" }
        settings.hostWasGiven = true
        StandardOutput.write("pgswarm: started a temporary PostgreSQL at \(settings.endpointDescription)")
        if needsPgbenchTables {
            var options = InitOptions()
            options.scale = scale ?? 1
            options.quiet = true
            try await InitRunner.run(connection: settings, options: options)
        }
        return settings
    }

    /// The parsed options in the engine's terms.
    func pgbenchOptions() -> PgbenchOptions {
        var options = PgbenchOptions()
        options.scripts = Invocation.scripts
        options.clients = benchmark.client
        options.jobs = benchmark.jobs
        options.transactions = benchmark.transactions
        options.time = benchmark.time
        options.rate = benchmark.rate
        options.latencyLimit = benchmark.latencyLimit
        options.queryMode = benchmark.queryMode
        options.progress = benchmark.progress
        options.scale = benchmark.scale
        options.maxTries = benchmark.maxTries
        options.randomSeed = benchmark.randomSeed
        options.defines = benchmark.define
        options.connectPerTransaction = benchmark.connect
        options.reportPerCommand = benchmark.reportPerCommand
        options.noVacuum = benchmark.noVacuum
        options.vacuumAll = benchmark.vacuumAll
        options.verboseErrors = benchmark.verboseErrors
        options.continueOnError = benchmark.continueOnError
        options.reconnect = benchmark.reconnect
        options.io = benchmark.io
        options.cpuSteering = benchmark.cpuSteering
        options.startClients = benchmark.startClients
        options.idleConnections = benchmark.idleConnections
        options.connectStorm = benchmark.connectStorm
        options.cancelFraction = benchmark.cancelFraction
        options.cancelDelay = benchmark.cancelDelay
        options.stormRate = benchmark.stormRate
        options.idleInTransaction = benchmark.idleInTransaction
        options.stateLeakCheck = benchmark.stateLeakCheck
        options.scramCache = benchmark.scramCache
        options.cancelClosesImmediately = benchmark.cancelCloseImmediately
        options.probe = benchmark.probe
        options.probeRounds = benchmark.probeRounds
        options.probeClients = benchmark.probeClients
        options.probeStorm = benchmark.probeStorm
        options.poolerStats = benchmark.poolerStats
        options.failuresDetailed = benchmark.failuresDetailed
        options.debug = benchmark.debug
        options.log = log.log
        options.logPrefix = log.logPrefix
        options.samplingRate = log.samplingRate
        options.aggregateInterval = log.aggregateInterval
        options.progressTimestamp = log.progressTimestamp
        options.outputDirectory = out
        options.commandLine = CommandLine.arguments
        options.shard = benchmark.shard
        options.startAt = benchmark.startAt
        return options
    }

    /// pgbench's `-b list` output.
    static func builtinList() -> String {
        let entries = BuiltinScript.list()
        let width = entries.map(\.name.count).max() ?? 0
        let lines = entries.map {
            String(repeating: " ", count: width - $0.name.count + 2) + "\($0.name): \($0.description)"
        }
        return (["Available builtin scripts:"] + lines).joined(separator: "\n")
    }

    /// pgbench's `--show-script` output; the name may be an unambiguous prefix.
    static func showScript(_ prefix: String) throws -> String {
        _ = try BuiltinScript.find(prefix)
        let entry = BuiltinScript.list().first { $0.name.hasPrefix(prefix) }!
        return BuiltinScript.showScript(entry)
    }
}
