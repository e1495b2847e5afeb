import ArgumentParser
import Engine
import Foundation
import LocalCluster
import Workload

/// `pgswarm run`: pgbench's benchmarking mode, same options, same meaning.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a benchmark; takes pgbench's command line (pgbench -i: see pgswarm init, or pass -i here).",
        usage: "pgswarm run [OPTION]... [DBNAME]"
    )

    @OptionGroup(title: "Options to select what to run") var scripts: ScriptSelectionArguments
    @OptionGroup(title: "Benchmarking options") var benchmark: BenchmarkArguments
    @OptionGroup(title: "Transaction log options") var log: PgbenchLogArguments
    @OptionGroup(title: "Connection") var connection: ConnectionArguments

    @Option(
        name: .long,
        help: ArgumentHelp("Results directory (default: Results/<UTC timestamp>).", valueName: "DIR")
    )
    var out: String?

    @Flag(name: .long, help: "Start a throwaway PostgreSQL for this run and remove it afterwards.")
    var tempPostgres = false

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

        var settings = try connection.resolve()
        let options = pgbenchOptions()
        var configuration = try options.makeRunConfiguration(connection: settings)
        let plan = try options.makePlan(configuration: configuration)
        if dryRun {
            for line in DryRunReport.lines(configuration: configuration, plan: plan) { print(line) }
            return
        }

        var cluster: LocalPostgres?
        defer { cluster?.stop() }
        if tempPostgres {
            let started = try LocalPostgres.start()
            cluster = started
            configuration.connection = try await Self.prepareTemporaryServer(
                started,
                settings: settings,
                databaseGiven: connection.database != nil || connection.dbname != nil,
                plan: plan,
                scale: configuration.scale
            )
        }

        let stop = StopSignal()
        let interrupts = InterruptHandler(stop: stop)
        defer { interrupts.cancel() }
        let outcome: Benchmark.Outcome
        do {
            outcome = try await Benchmark.run(
                configuration: configuration,
                plan: plan,
                print: StandardOutput.write,
                stop: stop
            )
        } catch let error as EngineError where error.kind == .connection && !configuration.connection.hostWasGiven {
            // Nothing was named, so the user may not know where pgswarm looked or what else to do.
            throw EngineError(
                error.kind,
                error.message + " (no server given: use -h/PGHOST, or --temp-postgres for a throwaway one)"
            )
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

    /// Points the run at a throwaway server, and creates the pgbench tables there when a built-in script needs them.
    static func prepareTemporaryServer(
        _ server: LocalPostgres,
        settings: ConnectionSettings,
        databaseGiven: Bool,
        plan: Plan,
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
        let builtinNames = Set(BuiltinScript.list().map(\.source.name))
        if plan.scripts.contains(where: { builtinNames.contains($0.name) }) {
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
        options.failuresDetailed = benchmark.failuresDetailed
        options.debug = benchmark.debug
        options.log = log.log
        options.logPrefix = log.logPrefix
        options.samplingRate = log.samplingRate
        options.aggregateInterval = log.aggregateInterval
        options.progressTimestamp = log.progressTimestamp
        options.outputDirectory = out
        options.commandLine = CommandLine.arguments
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
