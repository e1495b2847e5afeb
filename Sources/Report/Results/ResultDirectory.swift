import Foundation
import Stats

/// One run's results as `pgswarm run` leaves them: `summary.json` and the `latency.hlog` beside it.
public struct ResultDirectory: Sendable {
    public let path: String
    public let summary: RunSummary
    public let hlog: HlogLog
    public let hlogPath: String

    public init(path: String, summary: RunSummary, hlog: HlogLog, hlogPath: String) {
        self.path = path
        self.summary = summary
        self.hlog = hlog
        self.hlogPath = hlogPath
    }

    /// Reads a results directory (or a summary.json path). Every failure names the file, and the line when the
    /// hlog is at fault.
    public static func load(_ path: String) throws(ReportError) -> ResultDirectory {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ReportError(.input, "\(path): no such results directory")
        }
        let directory = isDirectory.boolValue ? path : (path as NSString).deletingLastPathComponent
        let summaryPath = isDirectory.boolValue ? directory + "/summary.json" : path
        let summary = try SummaryFile.read(summaryPath)
        // The summary names its hlog; a copied directory keeps the hlog beside the summary under its own name.
        let hlogName = summary.hlogFile.map { ($0 as NSString).lastPathComponent } ?? "latency.hlog"
        let hlogPath = (directory.isEmpty ? "." : directory) + "/" + hlogName
        guard FileManager.default.fileExists(atPath: hlogPath) else {
            throw ReportError(.input, "\(hlogPath): missing (summary.json names it as the run's interval log)")
        }
        let hlog: HlogLog
        do {
            hlog = try HlogReader.read(path: hlogPath)
        } catch let error as HlogError {
            throw ReportError(.input, error.description)
        } catch {
            throw ReportError(.input, "\(hlogPath): \(error)")
        }
        guard hlog.intervals.contains(where: { $0.tag == nil }) else {
            throw ReportError(.input, "\(hlogPath): no untagged (transaction latency) intervals")
        }
        return ResultDirectory(path: directory, summary: summary, hlog: hlog, hlogPath: hlogPath)
    }

    /// A short name for tables and legends: the directory's last component.
    public var label: String {
        let name = (path as NSString).lastPathComponent
        return name.isEmpty ? path : name
    }
}
