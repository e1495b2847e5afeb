import ArgumentParser
import Foundation
import Report

/// `pgswarm compare BASE NEW`: throughput and latency percentiles side by side, with noise-aware verdicts and
/// thresholds for CI.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare results directories: base against new, with verdicts that account for noise.",
        discussion: """
            Several directories per side are repeated runs: separate the sides with --new, or give one \
            directory each. A threshold is crossed when the change is beyond it and statistically significant \
            (Mann–Whitney over the intervals of single runs; a bootstrap over repeated runs).
            Exit status: 0 nothing crossed, 1 a threshold crossed (regression), 2 a usage or input error.

            Examples:
              pgswarm compare main-run branch-run --fail-on 'p99>+10%' --fail-on 'tps<-5%'
              pgswarm compare base1 base2 base3 --new new1 new2 new3 --format markdown
            """
    )

    @Argument(
        help: ArgumentHelp(
            "BASE [NEW]: results directories (NEW may come after --new instead).",
            valueName: "DIR"))
    var directories: [String] = []

    @Option(name: .long, parsing: .upToNextOption, help: ArgumentHelp("The new side's runs.", valueName: "DIR"))
    var new: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Fail when a change crosses this, e.g. 'p99>+10%' or 'tps<-5%'.",
            valueName: "THRESHOLD"))
    var failOn: [String] = []

    @Option(name: .long, help: ArgumentHelp("A file of thresholds, one per line (# comments).", valueName: "FILE"))
    var thresholds: String?

    @Option(name: .long, help: ArgumentHelp("text, markdown, json or junit.", valueName: "FORMAT"))
    var format: String = "text"

    @Option(name: .long, help: ArgumentHelp("Also write the output to this file.", valueName: "FILE"))
    var output: String?

    @Option(name: .long, help: ArgumentHelp("Significance level.", valueName: "ALPHA"))
    var alpha: Double = 0.05

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Smallest change in percent that is not 'same'.",
            valueName: "PERCENT"))
    var minChange: Double = 2

    @Flag(name: .long, help: "Compare runs of different workloads anyway.")
    var force = false

    func run() throws {
        do {
            let (baseDirectories, newDirectories) = try sides()
            guard let format = ComparisonFormat(rawValue: format.lowercased()) else {
                throw ReportError(.usage, "unknown format \"\(format)\" (text, markdown, json or junit)")
            }
            var thresholdList = try failOn.map { (text) throws(ReportError) in try Threshold(parsing: text) }
            if let thresholds { thresholdList += try Threshold.read(file: thresholds) }
            guard alpha > 0 && alpha < 1 else { throw ReportError(.usage, "--alpha must be between 0 and 1") }
            let base = try baseDirectories.map { (path) throws(ReportError) in try ResultDirectory.load(path) }
            let new = try newDirectories.map { (path) throws(ReportError) in try ResultDirectory.load(path) }
            let comparison = try Comparison.compare(
                base: base, new: new, thresholds: thresholdList,
                options: ComparisonOptions(alpha: alpha, minimumChangePercent: minChange, force: force)
            )
            let text = ComparisonFormatter.render(comparison, as: format)
            print(text, terminator: "")
            if let output {
                do {
                    try Data(text.utf8).write(to: URL(fileURLWithPath: output))
                } catch {
                    throw ReportError(.input, "\(output): cannot write (\(error.localizedDescription))")
                }
            }
            if comparison.regressed { throw ExitCode(1) }
        } catch let error as ReportError {
            throw ReportFailure.exit(error)
        }
    }

    /// BASE NEW, or BASE... --new NEW...
    private func sides() throws(ReportError) -> ([String], [String]) {
        if !new.isEmpty {
            guard !directories.isEmpty else { throw ReportError(.usage, "compare needs a base results directory") }
            return (directories, new)
        }
        guard directories.count == 2 else {
            throw ReportError(
                .usage,
                "compare takes BASE NEW, or BASE... --new NEW... for repeated runs (got \(directories.count) "
                    + "directories)"
            )
        }
        return ([directories[0]], [directories[1]])
    }
}
