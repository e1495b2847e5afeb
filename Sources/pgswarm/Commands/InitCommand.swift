import ArgumentParser
import Engine
import PgbenchCLI

/// `pgswarm init`: pgbench's initialisation mode (`pgbench -i`), same options.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create and fill the pgbench tables; takes pgbench -i's options.",
        usage: "pgswarm init [OPTION]... [DBNAME]"
    )

    @Option(name: [.customShort("s"), .long], help: ArgumentHelp("Scaling factor (default: 1).", valueName: "NUM"))
    var scale: String?

    @Option(name: [.customShort("F"), .long], help: ArgumentHelp("Set the fill factor (10..100).", valueName: "NUM"))
    var fillfactor: String?

    @Option(
        name: [.customShort("I"), .long],
        help: ArgumentHelp("Run the selected initialization steps (default: \"dtgvp\").", valueName: "[dtgGvpf]+")
    )
    var initSteps: String?

    @Flag(name: [.customShort("n"), .long], help: "Do not run VACUUM during initialization.")
    var noVacuum = false

    @Flag(name: [.customShort("q"), .long], help: "Quiet logging (one message each 5 seconds).")
    var quiet = false

    @Flag(name: .long, help: "Create foreign key constraints between the tables.")
    var foreignKeys = false

    @Flag(name: .long, help: "Create the tables as unlogged tables.")
    var unloggedTables = false

    @Option(
        name: .long,
        help: ArgumentHelp("Partition pgbench_accounts into NUM parts (default: 0).", valueName: "NUM")
    )
    var partitions: String?

    @Option(
        name: .long,
        help: ArgumentHelp("Partition pgbench_accounts with this method (default: range).", valueName: "range|hash")
    )
    var partitionMethod: String?

    @Option(name: .long, help: ArgumentHelp("Create the tables in this tablespace.", valueName: "TABLESPACE"))
    var tablespace: String?

    @Option(name: .long, help: ArgumentHelp("Create the indexes in this tablespace.", valueName: "TABLESPACE"))
    var indexTablespace: String?

    @Flag(name: [.customShort("d"), .long], help: "Print debugging output.")
    var debug = false

    @Flag(name: .long, help: "Print how the options were understood, then exit without connecting.")
    var dryRun = false

    @OptionGroup(title: "Connection") var connection: ConnectionArguments

    func run() async throws {
        let options = try InitOptions(
            scale: scale,
            fillfactor: fillfactor,
            initSteps: initSteps,
            noVacuum: noVacuum,
            quiet: quiet,
            foreignKeys: foreignKeys,
            unloggedTables: unloggedTables,
            partitions: partitions,
            partitionMethod: partitionMethod,
            tablespace: tablespace,
            indexTablespace: indexTablespace
        )
        let settings = try connection.resolve()
        if dryRun {
            for line in DryRunReport.lines(connection: settings, initOptions: options) { print(line) }
            return
        }
        try await InitRunner.run(connection: settings, options: options)
    }
}
