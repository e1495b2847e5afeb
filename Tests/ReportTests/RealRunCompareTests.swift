import Foundation
import Testing

@testable import Report

/// compare on real runs of the binary against one server (see `RealRuns`).
@Suite("compare real runs", .serialized)
struct RealRunCompareTests {
    /// Generous thresholds: a 2-core machine shared with builds is noisy, a 3x slower server is not subtle.
    static let thresholds = ["--fail-on", "p50>+50%", "--fail-on", "tps<-50%"]

    @Test("two runs against the same server compare as same: exit 0, nothing crossed")
    func sameServer() throws {
        let runs = try RealRuns.shared()
        let outcome = try PgswarmBinary.run(["compare", runs.base, runs.again, "--format", "json"] + Self.thresholds)
        #expect(outcome.status == 0, "\(outcome.standardOutput)\(outcome.standardError)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8))
                as? [String: Any])
        #expect(json["regressed"] as? Bool == false)
        let thresholds = try #require(json["thresholds"] as? [[String: Any]])
        #expect(thresholds.count == 2)
        #expect(thresholds.allSatisfy { $0["crossed"] as? Bool == false })
    }

    @Test("a run against a slowed server fails the threshold: exit 1, JUnit failure, p50 worse")
    func slowedServer() throws {
        let runs = try RealRuns.shared()
        let junitFile = TemporaryDirectory.make() + "/compare.xml"
        let outcome = try PgswarmBinary.run(
            ["compare", runs.base, runs.slowed, "--format", "junit", "--output", junitFile] + Self.thresholds
        )
        #expect(outcome.status == 1, "\(outcome.standardOutput)\(outcome.standardError)")
        let junit = try String(contentsOfFile: junitFile, encoding: .utf8)
        #expect(junit == outcome.standardOutput)
        #expect(junit.contains("name=\"p50&gt;+50%\"><failure"))
        let text = try PgswarmBinary.run(["compare", runs.base, runs.slowed] + Self.thresholds)
        #expect(text.status == 1)
        let p50 = try #require(text.standardOutput.split(separator: "\n").first { $0.hasPrefix("p50 (ms)") })
        #expect(p50.contains(" worse "))
        #expect(text.standardOutput.contains("FAIL p50>+50%"))
        #expect(text.standardOutput.hasSuffix("result: regression\n"))

        // The same limits from a file; a generous p99.9 limit passes, the p50 one still fails.
        let file = TemporaryDirectory.make() + "/limits.txt"
        try "# CI limits\np50>+50%\np99.9>+1000%\n".write(toFile: file, atomically: true, encoding: .utf8)
        let fromFile = try PgswarmBinary.run(["compare", runs.base, runs.slowed, "--thresholds", file])
        #expect(fromFile.status == 1)
        #expect(fromFile.standardOutput.contains("FAIL p50>+50%"))
        #expect(fromFile.standardOutput.contains("ok   p99.9>+1000%"))
    }

    @Test("repeated runs per side: --new separates them and the bootstrap judges")
    func repeatedRuns() throws {
        let runs = try RealRuns.shared()
        let outcome = try PgswarmBinary.run(
            ["compare", runs.base, runs.again, "--new", runs.slowed, runs.slowed, "--format", "markdown"]
        )
        // No thresholds: verdicts are reported, nothing fails.
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("_Significance: bootstrap over 2 vs 2 runs._"))
        #expect(outcome.standardOutput.contains("| p50 (ms) |"))
    }

    @Test("bad input and usage errors exit 2 with a message naming the file")
    func badInput() throws {
        let runs = try RealRuns.shared()
        let copy = TemporaryDirectory.make() + "/truncated"
        try FileManager.default.copyItem(atPath: runs.again, toPath: copy)
        let hlog = copy + "/latency.hlog"
        let text = try String(contentsOfFile: hlog, encoding: .utf8)
        try String(text.dropLast(40)).write(toFile: hlog, atomically: true, encoding: .utf8)
        let lineCount = text.split(separator: "\n").count
        let truncated = try PgswarmBinary.run(["compare", runs.base, copy])
        #expect(truncated.status == 2)
        #expect(truncated.standardError.hasPrefix("pgswarm: \(hlog):\(lineCount): bad"), "\(truncated.standardError)")

        let threshold = try PgswarmBinary.run(["compare", runs.base, runs.again, "--fail-on", "p99 up"])
        #expect(threshold.status == 2)
        #expect(threshold.standardError.contains("threshold \"p99 up\""))

        let format = try PgswarmBinary.run(["compare", runs.base, runs.again, "--format", "yaml"])
        #expect(format.status == 2)
    }

    @Test("hlog prints the percentile table of a run's log, per tag")
    func hlogCommand() throws {
        let runs = try RealRuns.shared()
        let path = runs.base + "/latency.hlog"
        let outcome = try PgswarmBinary.run(["hlog", path])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput == (try HlogTable.text(path: path, selection: .untagged)))
        #expect(outcome.standardOutput.hasPrefix("       Value     Percentile TotalCount 1/(1-Percentile)"))
        let all = try PgswarmBinary.run(["hlog", path, "--all-tags"])
        #expect(all.standardOutput.contains("#[Tag: connect]"))
        let unknown = try PgswarmBinary.run(["hlog", path, "--tag", "nope"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("no series tagged \"nope\""))
    }
}
