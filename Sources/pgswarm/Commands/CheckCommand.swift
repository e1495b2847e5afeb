import ArgumentParser
import Workload

/// `pgswarm check workload.toml`: reads and compiles a workload spec without a server, then says what it would run.
/// A mistake is printed as file:line:column with the line and a caret, and exits 2 (through EntryPoint).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a workload spec (TOML) without connecting: print its scripts and phases, or its first error."
    )

    @Argument(help: ArgumentHelp("The workload spec to check.", valueName: "workload.toml"))
    var file: String

    func run() throws {
        let spec = try WorkloadSpec.load(path: file)
        // Compiling finds the scripts' own mistakes (bad expressions, unbalanced \if) too.
        let plan = try spec.compilePlan()
        for line in spec.describe() { print(line) }
        print("ok: \(plan.scripts.count) scripts, \(plan.sqlCommandCount) SQL commands compiled")
    }
}
