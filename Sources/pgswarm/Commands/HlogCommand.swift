import ArgumentParser
import Report

/// `pgswarm hlog FILE`: the percentile-distribution table of an interval log, as HdrHistogram's tools print it.
struct HlogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hlog",
        abstract: "Print the percentile distribution (HdrHistogram .hgrm layout, ms) of an .hlog file."
    )

    @Argument(help: ArgumentHelp("An HdrHistogram interval log.", valueName: "FILE"))
    var file: String

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The tagged series to print (default: the untagged one).",
            valueName: "TAG"))
    var tag: String?

    @Flag(name: .long, help: "Print every series, each under a #[Tag: ...] line.")
    var allTags = false

    @Option(
        name: .long,
        help: ArgumentHelp("Divide recorded values by this (1000000: nanoseconds to ms).", valueName: "RATIO")
    )
    var outputValueUnitRatio: Double = 1_000_000

    func validate() throws {
        if tag != nil && allTags { throw ValidationError("--tag and --all-tags exclude each other") }
        if !(outputValueUnitRatio > 0) { throw ValidationError("--output-value-unit-ratio must be positive") }
    }

    func run() throws {
        let selection: HlogTable.Selection = allTags ? .all : tag.map { .tag($0) } ?? .untagged
        do {
            print(try HlogTable.text(path: file, selection: selection, unitRatio: outputValueUnitRatio), terminator: "")
        } catch {
            throw ReportFailure.exit(error)
        }
    }
}
