import ArgumentParser
import Report

/// `pgswarm report DIR... --out report.html`: a self-contained HTML page with plots of one or several runs.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a self-contained HTML report with plots for one or more results directories."
    )

    @Argument(help: ArgumentHelp("Results directories; several are overlaid.", valueName: "DIR"))
    var directories: [String] = []

    @Option(name: .long, help: ArgumentHelp("The HTML file to write.", valueName: "FILE"))
    var out = "report.html"

    @Option(name: .long, help: ArgumentHelp("The page's title.", valueName: "TEXT"))
    var title = "pgswarm report"

    func run() throws {
        do {
            guard !directories.isEmpty else { throw ReportError(.usage, "report needs results directories") }
            let runs = try directories.map { (path) throws(ReportError) in try ResultDirectory.load(path) }
            try HTMLReport.write(runs: runs, to: out, title: title)
            print("wrote \(out)")
        } catch let error as ReportError {
            throw ReportFailure.exit(error)
        }
    }
}
