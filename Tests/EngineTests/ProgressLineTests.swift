import Foundation
import Testing
import Workload

@testable import Connection
@testable import Engine
import TestSupport

/// `-P` lines in pgbench's two forms: seconds since the start, or Unix time with `--progress-timestamp`.
@Suite(.serialized) struct ProgressLineTests {
    static func progressLines(timestamp: Bool) async throws -> [String] {
        let settings = try await RunRig.initialisedDatabase()
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .prepared)
        var configuration = RunRig.configuration(settings, clients: 2, limit: .duration(seconds: 2.2))
        configuration.progressInterval = 1
        configuration.progressTimestamp = timestamp
        let lines = LineCollector()
        _ = try await Benchmark.run(configuration: configuration, plan: plan, print: lines.append)
        return lines.text.split(separator: "\n").map(String.init).filter { $0.hasPrefix("progress: ") }
    }

    @Test func secondsSinceTheStart() async throws {
        let lines = try await Self.progressLines(timestamp: false)
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first?.hasPrefix("progress: 1.0 s, ") == true, "\(lines)")
    }

    @Test func unixTime() async throws {
        let before = Date().timeIntervalSince1970
        let lines = try await Self.progressLines(timestamp: true)
        let after = Date().timeIntervalSince1970
        #expect(lines.count == 2, "\(lines)")
        for line in lines {
            let time = line.dropFirst("progress: ".count).prefix { $0 != " " }
            #expect(time.split(separator: ".").last?.count == 3, "\(line)")
            let seconds = try #require(Double(time))
            #expect(seconds > before && seconds < after, "\(line)")
        }
    }
}
