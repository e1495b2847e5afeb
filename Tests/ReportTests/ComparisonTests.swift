import Foundation
import Testing

@testable import Report

@Suite("compare on synthetic runs")
struct ComparisonTests {
    let base = SyntheticResults.run(path: "/r/base", latencyMs: 2, seed: 1)

    @Test("two runs of the same distribution: every metric same, no threshold crossed")
    func sameDistribution() throws {
        let new = SyntheticResults.run(path: "/r/new", latencyMs: 2, seed: 2)
        let thresholds = [try Threshold(parsing: "p99>+10%"), try Threshold(parsing: "tps<-5%")]
        let comparison = try Comparison.compare(base: [base], new: [new], thresholds: thresholds)
        #expect(comparison.metrics.map(\.verdict) == [Verdict](repeating: .same, count: Metric.allCases.count))
        #expect(!comparison.regressed)
        #expect(comparison.metric(.p50)?.method == "Mann–Whitney over 20 vs 20 intervals")
    }

    @Test("a slower run is worse and crosses the latency threshold")
    func slower() throws {
        let new = SyntheticResults.run(path: "/r/new", latencyMs: 2.6, seed: 2)
        let comparison = try Comparison.compare(
            base: [base], new: [new],
            thresholds: [try Threshold(parsing: "p99>+10%"), try Threshold(parsing: "tps<-5%")]
        )
        let p99 = try #require(comparison.metric(.p99))
        #expect(p99.verdict == .worse)
        #expect(p99.changePercent! > 25 && p99.changePercent! < 35)
        #expect(p99.pValue! < 0.001)
        #expect(comparison.thresholds.map(\.crossed) == [true, false])
        #expect(comparison.regressed)
        // Faster is better, and a latency threshold is not crossed by an improvement.
        let reverse = try Comparison.compare(base: [new], new: [base], thresholds: [try Threshold(parsing: "p99>+10%")])
        #expect(reverse.metric(.p99)?.verdict == .better)
        #expect(!reverse.regressed)
    }

    @Test("a change beyond the threshold but within the noise does not fail")
    func withinNoise() throws {
        // Two short, very noisy runs: p99 differs by chance.
        let noisyBase = SyntheticResults.run(path: "/r/a", intervals: 3, perInterval: 20, noise: 0.9, seed: 7)
        let noisyNew = SyntheticResults.run(path: "/r/b", intervals: 3, perInterval: 20, noise: 0.9, seed: 8)
        let comparison = try Comparison.compare(
            base: [noisyBase], new: [noisyNew],
            thresholds: [try Threshold(parsing: "max>+0%"), try Threshold(parsing: "max<-0%")])
        let max = try #require(comparison.metric(.max))
        #expect(max.changePercent != 0)
        #expect(!max.significant)
        #expect(!comparison.regressed)
        #expect(comparison.thresholds.contains { $0.explanation.contains("within noise") })
    }

    @Test("repeated runs use a bootstrap over the runs")
    func repeatedRuns() throws {
        let bases = (1...3).map { SyntheticResults.run(path: "/r/b\($0)", latencyMs: 2, seed: UInt64($0)) }
        let same = (4...6).map { SyntheticResults.run(path: "/r/n\($0)", latencyMs: 2, seed: UInt64($0)) }
        let slow = (4...6).map { SyntheticResults.run(path: "/r/s\($0)", latencyMs: 3, seed: UInt64($0)) }
        let threshold = try Threshold(parsing: "p50>+10%")
        let unchanged = try Comparison.compare(base: bases, new: same, thresholds: [threshold])
        #expect(unchanged.metric(.p50)?.method == "bootstrap over 3 vs 3 runs")
        #expect(unchanged.metric(.p50)?.verdict == .same)
        #expect(!unchanged.regressed)
        let regressed = try Comparison.compare(base: bases, new: slow, thresholds: [threshold])
        #expect(regressed.metric(.p50)?.verdict == .worse)
        #expect(regressed.metric(.p50)?.intervalPercent.map { $0.lowerBound > 40 } == true)
        #expect(regressed.regressed)
    }

    @Test("different workloads are refused unless forced")
    func differentWorkloads() throws {
        let other = SyntheticResults.run(path: "/r/other", seed: 2, script: "other.sql")
        #expect {
            try Comparison.compare(base: [base], new: [other])
        } throws: { error in
            let text = "\(error)"
            return text.contains("/r/base and /r/other ran different workloads") && text.contains("--force")
        }
        let forced = try Comparison.compare(base: [base], new: [other], options: ComparisonOptions(force: true))
        #expect(forced.warnings.contains { $0.contains("different workloads") })
    }

    @Test("formats: aligned text, Markdown table, JSON, JUnit with one failing test per crossed threshold")
    func formats() throws {
        let new = SyntheticResults.run(path: "/r/new", latencyMs: 2.6, seed: 2)
        let comparison = try Comparison.compare(
            base: [base], new: [new],
            thresholds: [try Threshold(parsing: "p99>+10%"), try Threshold(parsing: "tps<-5%")]
        )
        let text = ComparisonFormatter.render(comparison, as: .text)
        let lines = text.split(separator: "\n")
        let header = try #require(lines.first { $0.hasPrefix("metric") })
        let p99Line = try #require(lines.first { $0.hasPrefix("p99 (ms)") })
        // Right-aligned numbers end in the same column as their header.
        let changeEnd = header.distance(
            from: header.startIndex, to: try #require(header.range(of: "change")).upperBound)
        #expect(p99Line.prefix(changeEnd).hasSuffix("%"))
        #expect(text.contains("FAIL p99>+10%"))
        #expect(text.contains("ok   tps<-5%"))

        let markdown = ComparisonFormatter.render(comparison, as: .markdown)
        #expect(markdown.contains("| metric | base | new | change | verdict | noise |"))
        #expect(markdown.contains("| `p99>+10%` | ❌ crossed |"))
        #expect(
            markdown.split(separator: "\n").filter {
                $0.hasPrefix("| p") || $0.hasPrefix("| tps") || $0.hasPrefix("| max")
            }.count == 6)

        let json = ComparisonFormatter.render(comparison, as: .json)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["regressed"] as? Bool == true)
        let metrics = try #require(object["metrics"] as? [[String: Any]])
        #expect(metrics.map { $0["metric"] as? String } == Metric.allCases.map(\.rawValue))
        #expect(metrics.first { $0["metric"] as? String == "p99" }?["verdict"] as? String == "worse")

        let junit = ComparisonFormatter.render(comparison, as: .junit)
        #expect(junit.contains("<testsuite name=\"pgswarm compare\" tests=\"2\" failures=\"1\" errors=\"0\">"))
        #expect(junit.contains("<testcase classname=\"pgswarm.compare\" name=\"p99&gt;+10%\"><failure"))
        #expect(junit.components(separatedBy: "<failure").count == 2)
    }
}
