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

    @Option(name: .long, help: ArgumentHelp("The tagged series to print (default: the untagged one).",
                                            valueName: "TAG"))
    var tag: String?

    @Flag(name: .long, help: "Print every series, each under a #[Tag: ...] line.")
    var allTags = false

    func validate() throws {
        if tag != nil && allTags { throw ValidationError("--tag and --all-tags exclude each other") }
    }

    func run() throws {
        let selection: HlogTable.Selection = allTags ? .all : tag.map { .tag($0) } ?? .untagged
        do {
            print(try HlogTable.text(path: file, selection: selection), terminator: "")
        } catch {
            throw ReportFailure.exit(error)
        }
    }
}
