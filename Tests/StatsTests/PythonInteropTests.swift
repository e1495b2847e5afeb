import Foundation
import Testing

@testable import Stats

/// An independent reader: the PyPI `hdrhistogram` package decodes every line pgswarm writes.
///
/// CI installs it (`pip install hdrhistogram`); a missing python3 or hdrh FAILS this test. Set PGSWARM_SKIP_PY=1
/// to skip it on a machine without them.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["PGSWARM_SKIP_PY"] != "1"))
struct PythonInteropTests {
    @Test func pythonHdrhDecodesEveryLine() throws {
        let directory = try TestResources.temporaryDirectory()
        let path = directory.appendingPathComponent("interop.hlog").path
        let writer = try HlogWriter(path: path, startTime: Date(timeIntervalSince1970: 1_764_036_000))
        var expectedLines: [String] = []
        var expectedTotal: UInt64 = 0
        var generator = SeededGenerator(state: 7)
        for second in 0..<5 {
            var latency = LatencyHistogram()
            var connect = LatencyHistogram()
            // Interval 2 is empty; the others mix small, large and clamped values, and one huge count.
            if second != 2 {
                for _ in 0..<(1_000 * (second + 1)) {
                    latency.record(UInt64.random(in: 50_000...80_000_000, using: &generator))
                }
                latency.record(10_000_000_000_000)
                connect.record(UInt64(second + 1) * 1_000_000, count: 1 << 40)
            }
            try writer.writeInterval(tag: nil, start: Double(second), length: 1, histogram: latency)
            try writer.writeInterval(tag: "connect", start: Double(second), length: 1, histogram: connect)
            expectedLines.append("LINE - \(latency.totalCount) \(latency.max)")
            expectedLines.append("LINE connect \(connect.totalCount) \(connect.max)")
            expectedTotal += latency.totalCount + connect.totalCount
        }
        try writer.close()

        let output = try runDecoder(on: path)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.dropLast() == expectedLines[...])
        #expect(lines.last == "TOTAL \(expectedTotal)")
    }

    @Test func pythonHdrhReadsTheCanonicalLog() throws {
        let output = try runDecoder(on: TestResources.url("A_canonical.hlog").path)
        #expect(output.hasSuffix("TOTAL 75\n"))
    }

    private func runDecoder(on path: String) throws -> String {
        let script = TestResources.directory.appendingPathComponent("decode_hlog.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, path]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorText = String(decoding: errors, as: UTF8.self)
        #expect(
            process.terminationStatus == 0,
            "decode_hlog.py failed (is python3 with `pip install hdrhistogram` available?): \(errorText)"
        )
        return String(decoding: output, as: UTF8.self)
    }
}
