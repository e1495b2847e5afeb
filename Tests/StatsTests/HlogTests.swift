import Foundation
import Testing

@testable import Stats

struct HlogTests {
    static let startTime = Date(timeIntervalSince1970: 1_764_036_000)

    /// Writes three one-second intervals: untagged latency plus a connect tag, one interval empty.
    static func writeSampleLog(to path: String) throws -> [LatencyHistogram] {
        let writer = try HlogWriter(path: path, startTime: startTime, comment: "pgswarm test\nsecond comment line")
        var written: [LatencyHistogram] = []
        for second in 0..<3 {
            var latency = LatencyHistogram()
            var connect = LatencyHistogram()
            if second != 1 {
                for sample in 1...(100 * (second + 1)) { latency.record(UInt64(sample) * 10_000) }
                connect.record(4_220_000)
            }
            try writer.writeInterval(tag: nil, start: Double(second), length: 1, histogram: latency)
            try writer.writeInterval(tag: "connect", start: Double(second), length: 1, histogram: connect)
            try writer.flush()
            written += [latency, connect]
        }
        try writer.close()
        return written
    }

    @Test func writerOutputHasTheRecommendedLayout() throws {
        let directory = try TestResources.temporaryDirectory()
        let path = directory.appendingPathComponent("latency.hlog").path
        _ = try Self.writeSampleLog(to: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines[0] == "#[pgswarm test]")
        #expect(lines[1] == "#[second comment line]")
        #expect(lines[2] == "#[Histogram log format version 1.3]")
        #expect(lines[3] == "#[StartTime: 1764036000.000 (seconds since epoch), Tue Nov 25 02:00:00 UTC 2025]")
        #expect(lines[4] == "#[BaseTime: 1764036000.000 (seconds since epoch)]")
        #expect(lines[5] == "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"")
        #expect(lines.count == 6 + 6)
        #expect(lines[6].hasPrefix("0.000,1.000,1.000,HISTF"))
        #expect(lines[7].hasPrefix("Tag=connect,0.000,1.000,4.223,HISTF"))  // 4.22 ms slot tops at 4_222_975 ns
        #expect(lines[8].hasPrefix("1.000,1.000,0.000,HISTF"))  // an empty interval still gets its line
        #expect(lines[9].hasPrefix("Tag=connect,1.000,1.000,0.000,HISTF"))
        #expect(lines.prefix(6).allSatisfy { $0.utf8.count < 127 })
        #expect(lines.allSatisfy { !$0.contains(" ") || $0.hasPrefix("#") })
    }

    @Test func writerOutputReadsBack() throws {
        let directory = try TestResources.temporaryDirectory()
        let path = directory.appendingPathComponent("latency.hlog").path
        let written = try Self.writeSampleLog(to: path)
        let log = try HlogReader.read(path: path)
        #expect(log.startTime == Self.startTime)
        #expect(log.baseTime == 1_764_036_000)
        #expect(log.comments == ["pgswarm test", "second comment line"])
        #expect(log.intervals.count == 6)
        #expect(log.intervals.map(\.histogram) == written)
        #expect(log.intervals.map(\.tag) == [nil, "connect", nil, "connect", nil, "connect"])
        #expect(log.intervals.map(\.start) == [0, 0, 1, 1, 2, 2])
        #expect(log.intervals.allSatisfy { $0.length == 1 })
        #expect(log.tags == [nil, "connect"])
        #expect(log.merged(tag: nil).totalCount == 400)
        #expect(log.merged(tag: "connect").totalCount == 2)
        #expect(log.intervals[4].maxMs == 3.0)
    }

    @Test func canonicalLogIsRead() throws {
        let log = try HlogReader.read(path: TestResources.url("A_canonical.hlog").path)
        #expect(log.comments == ["Logged by a reference writer"])
        #expect(log.startTime == Date(timeIntervalSince1970: 1_700_000_000))
        #expect(log.baseTime == 1_700_000_000)
        #expect(log.intervals.count == 3)
        #expect(log.tags == ["select", "insert"])
        #expect(log.intervals.map(\.start) == [0, 0, 1])
        #expect(log.intervals.map(\.maxMs) == [0.002, 3600.81, 0.002])
        #expect(log.intervals.map(\.histogram.totalCount) == [4, 67, 4])
        #expect(log.intervals[1].histogram.max == 3_600_809_983)
        #expect(log.merged(tag: "select").totalCount == 8)
        #expect(log.merged(tag: nil).totalCount == 0)
    }

    @Test func readerErrorsNameFileAndLine() throws {
        let directory = try TestResources.temporaryDirectory()
        let path = directory.appendingPathComponent("latency.hlog").path
        let text = """
            #[Histogram log format version 1.3]
            #[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]
            "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
            0.000,1.000,0.002,HISTFAAAACZ4nJNpmSzMwMDAxgABzFCaEURcm7yEwf4DROA8P9NZfjYAdKYGTw==
            1.000,1.000,0.002,HISTF!!!notbase64

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: HlogError(path: path, line: 5, message: "bad base64 histogram")) {
            try HlogReader.read(path: path)
        }
        #expect {
            try HlogReader.parse("0.000,1.000,HISTF\n", path: "x.hlog")
        } throws: { error in
            (error as? HlogError)?.description == "x.hlog:1: expected 4 fields, found 3"
        }
        #expect(throws: HlogError.self) { try HlogReader.read(path: directory.appendingPathComponent("missing").path) }
    }

    @Test func writerRejectsBadInput() throws {
        let directory = try TestResources.temporaryDirectory()
        let writer = try HlogWriter(path: directory.appendingPathComponent("a.hlog").path, startTime: Self.startTime)
        let histogram = LatencyHistogram()
        #expect(throws: HlogError.self) {
            try writer.writeInterval(tag: "a,b", start: 0, length: 1, histogram: histogram)
        }
        try writer.writeInterval(tag: nil, start: 2, length: 1, histogram: histogram)
        #expect(throws: HlogError.self) {
            try writer.writeInterval(tag: nil, start: 1, length: 1, histogram: histogram)
        }
        try writer.close()
        #expect(throws: HlogError.self) {
            try writer.writeInterval(tag: nil, start: 3, length: 1, histogram: histogram)
        }
    }

    @Test func snapshotsAreWrittenUntaggedMainLinePlusTags() throws {
        let directory = try TestResources.temporaryDirectory()
        let path = directory.appendingPathComponent("run.hlog").path
        let recorder = LoopRecorder(seriesNames: ["connect", "latency", "script:select-only"])
        recorder.record(series: 1, nanoseconds: 2_000_000)
        recorder.record(series: 2, nanoseconds: 2_000_000)
        let writer = try HlogWriter(path: path, startTime: Self.startTime)
        try writer.writeIntervals(of: recorder.takeSnapshot(), start: 0, length: 1)
        try writer.writeIntervals(of: recorder.takeSnapshot(), start: 1, length: 1)
        try writer.close()
        let log = try HlogReader.read(path: path)
        #expect(
            log.intervals.map(\.tag) == [nil, "connect", "script:select-only", nil, "connect", "script:select-only"]
        )
        #expect(log.intervals.map(\.histogram.totalCount) == [1, 0, 1, 0, 0, 0])
    }

    @Test func longCommentsAreCutToTheLineLimit() {
        let header = HlogWriter.header(startTime: Self.startTime, comment: String(repeating: "é", count: 200))
        let first = header.split(separator: "\n")[0]
        #expect(first.hasPrefix("#[é") && first.hasSuffix("é]"))
        #expect(first.utf8.count <= 126)
    }
}
