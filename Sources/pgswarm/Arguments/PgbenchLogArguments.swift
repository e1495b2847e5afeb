import ArgumentParser

/// pgbench's per-transaction log options: accepted and checked as pgbench checks them, so command lines keep working,
/// but pgswarm writes its interval histograms (latency.hlog) and summary.json instead of pgbench_log files.
struct PgbenchLogArguments: ParsableArguments {
    @Flag(name: [.customShort("l"), .long], help: "Accepted; pgswarm writes latency.hlog and summary.json instead.")
    var log = false

    @Option(name: .long, help: ArgumentHelp("Accepted with -l; no pgbench_log files are written.", valueName: "PREFIX"))
    var logPrefix: String?

    @Option(name: .long, help: ArgumentHelp("Accepted with -l; the .hlog records every transaction.", valueName: "NUM"))
    var samplingRate: String?

    @Option(name: .long, help: ArgumentHelp("Accepted with -l; the .hlog interval is -P or 1 s.", valueName: "NUM"))
    var aggregateInterval: String?

    @Flag(name: .long, help: "Accepted with -P.")
    var progressTimestamp = false
}
