import Foundation
import Stats
import Testing

@testable import Report

@Suite("hlog table")
struct HlogTableTests {
    @Test("prints Java's percentile distribution for the untagged series, a tag, or all tags")
    func tables() throws {
        let run = SyntheticResults.run(intervals: 4)
        let path = "/x/latency.hlog"
        let untagged = try HlogTable.text(log: run.hlog, path: path, selection: .untagged)
        #expect(untagged == PercentileDistribution.text(run.hlog.merged(tag: nil)))
        #expect(untagged.hasPrefix("       Value     Percentile TotalCount 1/(1-Percentile)\n\n"))
        #expect(untagged.contains("#[Max     = "))
        let connect = try HlogTable.text(log: run.hlog, path: path, selection: .tag("connect"))
        #expect(connect.contains("Total count    =            4]"))
        let microseconds = try HlogTable.text(log: run.hlog, path: path, selection: .untagged, unitRatio: 1000)
        #expect(microseconds == PercentileDistribution.text(run.hlog.merged(tag: nil), unitRatio: 1000))
        #expect(microseconds != untagged)
        let all = try HlogTable.text(log: run.hlog, path: path, selection: .all)
        #expect(all.components(separatedBy: "#[Tag: ").count == 4)
        #expect(all.hasPrefix("#[Tag: (untagged)]\n"))
        #expect {
            try HlogTable.text(log: run.hlog, path: path, selection: .tag("lag"))
        } throws: { error in
            "\(error)" == "/x/latency.hlog: no series tagged \"lag\"; tags: connect, script.bench.sql"
        }
    }
}
