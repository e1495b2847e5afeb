import ArgumentParser
import Foundation
import Report

/// `pgswarm merge DIR... --out DIR`: one result from the shards of a run spread over processes or machines.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the results of shards (pgswarm run --shard i/N) into one results directory.",
        discussion: """
            Interval histograms are aligned by absolute time and added exactly; the summary sums transactions, \
            failures and tps, and recomputes the percentiles from the merged histograms.
            """
    )

    @Argument(help: ArgumentHelp("The shards' results directories.", valueName: "DIR"))
    var directories: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Where to write the merged summary.json and latency.hlog.",
            valueName: "DIR"))
    var out: String

    @Flag(name: .long, help: "Also write report.html into the merged directory.")
    var report = false

    func run() throws {
        do {
            guard !directories.isEmpty else { throw ReportError(.usage, "merge needs results directories") }
            let runs = try directories.map { (path) throws(ReportError) in try ResultDirectory.load(path) }
            let commandLine = CommandLine.arguments.joined(separator: " ")
            let merged = try ResultMerger.merge(runs, commandLine: commandLine)
            try ResultMerger.write(merged, to: out, comment: "pgswarm merge of " + directories.joined(separator: " "))
            let summary = merged.summary
            print(
                "merged \(runs.count) results into \(out): \(summary.transactions) transactions, "
                    + String(format: "tps = %.1f, p99 = %.3f ms", summary.tps, summary.latencyMicroseconds.p99 / 1000))
            if report {
                try HTMLReport.write(runs: [try ResultDirectory.load(out)], to: out + "/report.html")
            }
        } catch let error as ReportError {
            throw ReportFailure.exit(error)
        }
    }
}
