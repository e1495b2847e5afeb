import ArgumentParser
import PgbenchCLI

/// pgbench's "Benchmarking options", kept as typed: `PgbenchOptions` checks them with pgbench's messages.
struct BenchmarkArguments: ParsableArguments {
    @Option(
        name: [.customShort("c"), .long],
        help: ArgumentHelp("Number of concurrent database clients (default: 1).", valueName: "NUM")
    )
    var client: String?

    @Flag(name: [.customShort("C"), .long], help: "Establish a new connection for each transaction.")
    var connect = false

    @Option(
        name: [.customShort("D"), .long],
        help: ArgumentHelp("Define a variable for use by the scripts.", valueName: "VARNAME=VALUE")
    )
    var define: [String] = []

    @Option(
        name: [.customShort("j"), .long],
        help: ArgumentHelp("Number of threads (event loops; default: the number of cores).", valueName: "NUM")
    )
    var jobs: String?

    @Option(
        name: [.customShort("L"), .long],
        help: ArgumentHelp("Count transactions lasting more than NUM ms as late.", valueName: "NUM")
    )
    var latencyLimit: String?

    @Option(
        name: [.customShort("M"), .customLong("protocol")],
        help: ArgumentHelp("Protocol for submitting queries (default: simple).", valueName: "simple|extended|prepared")
    )
    var queryMode: String?

    @Flag(name: [.customShort("n"), .long], help: "Do not run VACUUM before the test.")
    var noVacuum = false

    @Option(
        name: [.customShort("P"), .long],
        help: ArgumentHelp("Show a progress report every NUM seconds (fractions allowed).", valueName: "NUM")
    )
    var progress: String?

    @Flag(
        name: [.customShort("r"), .long, .customLong("report-latencies")],
        help: "Report latencies, failures and retries per command."
    )
    var reportPerCommand = false

    @Option(
        name: [.customShort("R"), .long],
        help: ArgumentHelp("Target rate in transactions per second.", valueName: "NUM")
    )
    var rate: String?

    @Option(
        name: [.customShort("s"), .long],
        help: ArgumentHelp("Scale factor: the :scale variable of custom scripts.", valueName: "NUM")
    )
    var scale: String?

    @Option(
        name: [.customShort("t"), .long],
        help: ArgumentHelp("Number of transactions each client runs (default: 10).", valueName: "NUM")
    )
    var transactions: String?

    @Option(name: [.customShort("T"), .long], help: ArgumentHelp("Duration of the test in seconds.", valueName: "NUM"))
    var time: String?

    @Flag(name: [.customShort("v"), .long], help: "Vacuum all four standard tables before the test.")
    var vacuumAll = false

    @Flag(name: .long, help: "Report the failures grouped by basic types.")
    var failuresDetailed = false

    @Option(
        name: .long,
        help: ArgumentHelp("Max number of tries to run a transaction (default: 1; 0: unlimited).", valueName: "NUM")
    )
    var maxTries: String?

    @Option(name: .long, help: ArgumentHelp("Set the random seed.", valueName: "time|rand|INTEGER"))
    var randomSeed: String?

    @Flag(name: .long, help: "Print messages of all errors.")
    var verboseErrors = false

    @Flag(name: .long, help: "Count SQL errors as failed transactions and go on, instead of aborting the client.")
    var continueOnError = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "After a lost connection: reconnect with backoff and go on (always, the default) or stop the client.",
            valueName: "always|never"
        )
    )
    var reconnect: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "How the clients' connections are driven: direct (our own epoll loop, the default when no TLS is in use) "
                + "or nio (SwiftNIO channels, always used for TLS).",
            valueName: "auto|direct|nio"
        )
    )
    var io: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Against a server on this machine (Unix socket or loopback TCP, direct driver): auto pins the loops one per "
                + "CPU and moves each connection to the loop on its server backend's CPU; off leaves them where they "
                + "started.",
            valueName: "auto|off"
        )
    )
    var cpuSteering: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "together (default, as pgbench): every client connects first, then all start their transactions at "
                + "once (tps counts from then); each: a client starts as soon as it is connected.",
            valueName: "together|each"
        )
    )
    var startClients: String?

    @Option(name: .long, help: ArgumentHelp("Send a CancelRequest for this fraction of transactions (0..1).",
                                            valueName: "FRACTION"))
    var cancelFraction: String?

    @Option(name: .long, help: ArgumentHelp(
        "Milliseconds after a transaction starts to cancel it (default: 1); A-B draws each delay from that range.",
        valueName: "MS"))
    var cancelDelay: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Before the run, open NUM connections as fast as allowed and time each.", valueName: "NUM")
    )
    var connectStorm: String?

    @Option(name: .long, help: ArgumentHelp("Connections per second for --connect-storm (default: as fast as the server accepts, 64 connects under way per thread).",
                                            valueName: "NUM"))
    var stormRate: String?

    @Option(name: .long, help: ArgumentHelp("Hold NUM extra connections idle during the run.", valueName: "NUM"))
    var idleConnections: String?

    @Flag(name: .long, help: "The idle connections sit in an open transaction (BEGIN).")
    var idleInTransaction = false

    @Flag(name: .long, help: "Probe whether a session SET made by one connection is seen by others (a pooler leak).")
    var stateLeakCheck = false
    @Flag(name: .long, help: ArgumentHelp(
        "Keep SCRAM's salted password across logins, as poolers do (default: compute it for each login).")
    )
    var scramCache = false

    @Flag(name: .long, help: ArgumentHelp(
        "Close a cancel's connection once the request is written (default: wait for the server to close it, as libpq).")
    )
    var cancelCloseImmediately = false

    @Option(name: .long, help: ArgumentHelp(
        "Pooler-correctness probes beside the clients (alone with -c 0): negotiation, pipeline, copy, notify, "
        + "prepared-churn, faults, all.",
        valueName: "NAME[,NAME]"))
    var probe: String?

    @Option(name: .long, help: ArgumentHelp("Rounds of each probe per probe connection (default: 3).",
                                            valueName: "NUM"))
    var probeRounds: String?

    @Option(name: .long, help: ArgumentHelp("Probe connections at once (default: 2).", valueName: "NUM"))
    var probeClients: String?

    @Option(name: .long, help: ArgumentHelp(
        "negotiation probe: then open NUM connections at once, each holding a short query (default: 0).",
        valueName: "NUM"))
    var probeStorm: String?

    @Option(name: .long, help: ArgumentHelp(
        "Poll PgBouncer's admin console at HOST:PORT during the run into pooler-stats.csv.", valueName: "HOST:PORT"))
    var poolerStats: String?

    @Flag(name: [.customShort("d"), .long], help: "Print debugging output.")
    var debug = false

    @Option(
        name: .long,
        help: ArgumentHelp("Run shard i (0-based) of N: this process's share of -c and -R.", valueName: "i/N")
    )
    var shard: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Start the clients at this time (ISO 8601 or seconds since the epoch).", valueName: "TIME")
    )
    var startAt: String?
}
