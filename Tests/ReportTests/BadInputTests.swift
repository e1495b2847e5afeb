import Foundation
import Testing

@testable import Report

@Suite("bad input names the file and the line")
struct BadInputTests {
    func writtenRun() throws -> String {
        let directory = TemporaryDirectory.make() + "/run"
        try SyntheticResults.write(SyntheticResults.run(intervals: 3), to: directory)
        return directory
    }

    @Test("a truncated hlog")
    func truncatedHlog() throws {
        let directory = try writtenRun()
        let path = directory + "/latency.hlog"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        // Cut the last interval line in the middle of its histogram, as a crash mid-write would.
        let lastLine = lines.count - 2
        var cut = lines.prefix(lastLine).joined(separator: "\n") + "\n"
        cut += String(lines[lastLine].prefix(lines[lastLine].count / 2))
        try cut.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try ResultDirectory.load(directory)
        } throws: { error in
            "\(error)".hasPrefix("\(path):\(lastLine + 1): bad")
        }
    }

    @Test("a corrupted hlog line")
    func corruptedHlog() throws {
        let directory = try writtenRun()
        let path = directory + "/latency.hlog"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "Tag=connect,0.000,", with: "Tag=connect,zero,")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try ResultDirectory.load(directory)
        } throws: { error in
            "\(error)".contains("latency.hlog:") && "\(error)".contains("bad interval start \"zero\"")
        }
    }

    @Test("a summary from another version or of another kind")
    func foreignSummary() throws {
        let directory = try writtenRun()
        let path = directory + "/summary.json"
        try #"{"pgswarm_version": "9.0.0", "tps": 12.5, "mode": "simple"}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try ResultDirectory.load(directory)
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix(path + ": missing key") && text.contains("written by pgswarm 9.0.0")
        }
        try "{\"tps\": \n  \"fast\"}".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ReportError.self) { try ResultDirectory.load(directory) }
        try "not json".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try ResultDirectory.load(directory)
        } throws: { error in
            "\(error)".hasPrefix(path + ": not valid JSON")
        }
    }

    @Test("a missing directory or hlog")
    func missing() throws {
        #expect {
            try ResultDirectory.load("/nonexistent/run")
        } throws: { error in
            "\(error)" == "/nonexistent/run: no such results directory"
        }
        let directory = try writtenRun()
        try FileManager.default.removeItem(atPath: directory + "/latency.hlog")
        #expect {
            try ResultDirectory.load(directory)
        } throws: { error in
            "\(error)".hasPrefix(directory + "/latency.hlog: missing")
        }
    }
}
