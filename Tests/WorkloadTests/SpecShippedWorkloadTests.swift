import Foundation
import Testing

@testable import Workload

/// The workload specs shipped in Workloads/: each loads and compiles, and each shows what it is there to show.
@Suite struct SpecShippedWorkloadTests {
    static let workloads = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Workloads")

    static func load(_ name: String) throws -> WorkloadSpec {
        try WorkloadSpec.load(path: workloads.appendingPathComponent(name).path)
    }

    @Test func everyShippedSpecCompiles() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.workloads.path)
            .filter { $0.hasSuffix(".toml") }.sorted()
        #expect(names == ["every-feature.toml", "pipelined.toml", "read-heavy.toml", "write-heavy.toml"])
        for name in names {
            let spec = try Self.load(name)
            let plan = try spec.compilePlan()
            #expect(plan.scripts.count == spec.scripts.count, "\(name)")
            #expect(!spec.describe().isEmpty)
        }
    }

    @Test func mixesHavePhasesAndTheirShare() throws {
        let read = try Self.load("read-heavy.toml")
        let write = try Self.load("write-heavy.toml")
        for spec in [read, write] {
            #expect(spec.phases.map(\.kind) == [.warmup, .ramp, .steady])
            #expect(spec.phases[1].clientsFrom < spec.phases[1].clientsTo)
        }
        func share(_ spec: WorkloadSpec, tag: String) -> Double {
            let total = spec.scripts.reduce(0) { $0 + $1.weight }
            let tagged = spec.scripts.filter { $0.tags.contains(tag) }.reduce(0) { $0 + $1.weight }
            return Double(tagged) / Double(total)
        }
        #expect(share(read, tag: "reads") >= 0.9)
        #expect(share(write, tag: "writes") >= 0.75)
        #expect(!write.setupSQL.isEmpty && !write.teardownSQL.isEmpty)
        #expect(write.phases[1].rateFrom! < write.phases[1].rateTo!)
    }

    @Test func pipelinedWorkloadPipelinesEveryScript() throws {
        let spec = try Self.load("pipelined.toml")
        #expect(spec.scripts.allSatisfy { $0.pipelineDepth > 0 && ($0.mode ?? spec.defaultMode) != .simple })
        let plan = try spec.compilePlan()
        for script in plan.scripts {
            #expect(script.commands.contains { if case .startPipeline = $0 { true } else { false } })
        }
    }

    @Test func everyFeatureWorkloadUsesEveryFeature() throws {
        let spec = try Self.load("every-feature.toml")
        #expect(spec.scale != nil)
        #expect(spec.variables.count >= 2)
        #expect(!spec.setupSQL.isEmpty && !spec.teardownSQL.isEmpty && !spec.connectionSetupSQL.isEmpty)
        let bodies = Set(
            spec.scripts.map { script -> String in
                switch script.body {
                case .inline: "inline"
                case .file: "file"
                case .builtin: "builtin"
                }
            }
        )
        #expect(bodies == ["inline", "file", "builtin"])
        let connections = spec.scripts.map(\.connection)
        #expect(connections.contains(.persistent) && connections.contains(.reconnectEach))
        #expect(connections.contains { if case .reconnectEvery = $0 { true } else { false } })
        #expect(Set(spec.scripts.map { $0.mode ?? spec.defaultMode }) == Set(QueryMode.allCases))
        #expect(spec.scripts.contains { $0.pipelineDepth > 0 })
        #expect(spec.scripts.contains { $0.tags.count > 1 })
        #expect(spec.phases.map(\.kind) == [.warmup, .ramp, .steady])
        let ramp = spec.phases[1]
        #expect(ramp.clientsFrom < ramp.clientsTo && ramp.rateFrom! < ramp.rateTo!)
        #expect(spec.phases.contains { $0.threads != nil })

        // Every key the spec language has appears in the file.
        let text = try String(contentsOf: Self.workloads.appendingPathComponent("every-feature.toml"), encoding: .utf8)
        let keys = WorkloadSpecParser.workloadKeys + WorkloadSpecParser.scriptKeys + WorkloadSpecParser.phaseKeys
        for key in keys {
            #expect(text.contains("\n\(key) = ") || text.contains("{ \(key) = "), "\(key) not shown")
        }
        for table in WorkloadSpecParser.topLevelKeys {
            #expect(text.contains("[\(table)]"), "[\(table)] not shown")
        }
    }
}
