import ArgumentParser

/// pgbench's "Options to select what to run". Their order across options matters and reaches the run through
/// `Invocation.scripts`; these properties give them their help and their syntax.
struct ScriptSelectionArguments: ParsableArguments {
    @Option(
        name: [.customShort("b"), .long],
        help: ArgumentHelp(
            "Add builtin script NAME weighted at W (default: 1); \"-b list\" lists them.",
            valueName: "NAME[@W]"
        )
    )
    var builtin: [String] = []

    @Option(
        name: [.customShort("f"), .long],
        help: ArgumentHelp("Add script FILENAME weighted at W (default: 1).", valueName: "FILENAME[@W]")
    )
    var file: [String] = []

    @Flag(
        name: [.customShort("N"), .long],
        help: "Skip updates of pgbench_tellers and pgbench_branches (same as \"-b simple-update\")."
    )
    var skipSomeUpdates = false

    @Flag(name: [.customShort("S"), .long], help: "Perform SELECT-only transactions (same as \"-b select-only\").")
    var selectOnly = false

    @Option(name: .long, help: ArgumentHelp("Show builtin script code, then exit.", valueName: "NAME"))
    var showScript: String?
}
