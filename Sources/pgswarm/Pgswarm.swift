import ArgumentParser
import Engine

/// The root command: only its configuration; the work is in the subcommands.
struct Pgswarm: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgswarm",
        abstract: "A PostgreSQL load generator that speaks pgbench's command line.",
        discussion: """
            Replace `pgbench` by `pgswarm run` in a benchmark's command line and by `pgswarm init` in an \
            initialisation (`pgbench -i`). Latencies go to an HdrHistogram .hlog and summary.json in the results \
            directory (--out).

            Examples:
              pgswarm init -s 10 bench
              pgswarm run -c 8 -j 2 -T 60 -M prepared -S -P 1 bench
              pgswarm run -f mix.sql@3 -b select-only@1 postgresql://bob@db.example/bench
              pgswarm check Workloads/read-heavy.toml
              pgswarm run Workloads/read-heavy.toml --dbname bench
            """,
        // "pgswarm 0.1.0 (commit …)" for --version and -V (the normaliser turns -V into --version), everywhere.
        version: PgswarmVersion.description,
        subcommands: [
            RunCommand.self, InitCommand.self, CheckCommand.self, CompareCommand.self, MergeCommand.self,
            HlogCommand.self, ReportCommand.self, VersionCommand.self,
        ],
        // pgbench uses -h for the host. Its short help, -?, is turned into --help before parsing rather than declared
        // here: fish's argparse, which the generated fish completions call, accepts no '?' flag.
        helpNames: [.long]
    )
}
