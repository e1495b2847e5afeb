import Foundation
import Testing

@testable import Report

@Suite("Thresholds")
struct ThresholdTests {
    @Test("parses metric, direction and signed percentage")
    func parses() throws {
        let p99 = try Threshold(parsing: "p99>+10%")
        #expect(p99 == Threshold(metric: .p99, direction: .above, percent: 10))
        #expect(p99.isBeyond(10.5) && !p99.isBeyond(9.9))
        let tps = try Threshold(parsing: " tps < -5 % ")
        #expect(tps == Threshold(metric: .tps, direction: .below, percent: -5))
        #expect(tps.isBeyond(-6) && !tps.isBeyond(-4))
        #expect(try Threshold(parsing: "p999>20").metric == .p999)
        #expect(try Threshold(parsing: "p99.9>20%").description == "p99.9>+20%")
    }

    @Test(
        "bad thresholds say what is wrong",
        arguments: [
            ("p99=10%", "expected METRIC>+N%"), ("p42>+1%", "unknown metric \"p42\""),
            ("tps<-five%", "not a percentage"),
        ])
    func rejects(text: String, expected: String) {
        #expect {
            try Threshold(parsing: text)
        } throws: { error in
            (error as? ReportError)?.kind == .usage && "\(error)".contains(expected)
        }
    }

    @Test("a thresholds file: comments skipped, errors name the file and line")
    func file() throws {
        let directory = TemporaryDirectory.make()
        let good = directory + "/good.txt"
        try "# CI limits\np99>+10%\n\n tps<-5%  # throughput\n".write(toFile: good, atomically: true, encoding: .utf8)
        #expect(try Threshold.read(file: good).map(\.description) == ["p99>+10%", "tps<-5%"])
        let bad = directory + "/bad.txt"
        try "p99>+10%\np99 up 10%\n".write(toFile: bad, atomically: true, encoding: .utf8)
        #expect {
            try Threshold.read(file: bad)
        } throws: { error in
            "\(error)".hasPrefix(bad + ":2: threshold \"p99 up 10%\"")
        }
    }
}
