import Foundation
import Testing

@testable import Workload

@Suite struct BuiltinScriptTests {
    @Test func prefixesResolveUnambiguously() throws {
        #expect(BuiltinScript.named("tpcb")?.name == "<builtin: TPC-B (sort of)>")
        #expect(BuiltinScript.named("se")?.name == "<builtin: select only>")
        #expect(BuiltinScript.named("si")?.name == "<builtin: simple update>")
        #expect(BuiltinScript.named("s") == nil)  // ambiguous
        #expect(BuiltinScript.named("x") == nil)
        #expect(throws: WorkloadError.self) { try BuiltinScript.find("s") }
        let source = try ScriptSource.builtin("select-only@7")
        #expect(source.weight == 7)
    }

    @Test func listIsInPgbenchOrder() {
        #expect(BuiltinScript.list().map(\.name) == ["tpcb-like", "simple-update", "select-only"])
    }

    @Test func tpcbLikeCompilesInEveryMode() throws {
        for mode in QueryMode.allCases {
            let plan = try Plan.compile(sources: [BuiltinScript.tpcbLike], mode: mode, scale: 3)
            let script = plan.scripts[0]
            #expect(script.sqlCommands.count == 7)
            #expect(plan.sqlCommandCount == 7)
            let update = script.sqlCommands[1]
            if mode == .simple {
                #expect(update.sql == "UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;")
            } else {
                #expect(update.sql == "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;")
            }
            #expect(update.parameterNames == ["delta", "aid"])
            #expect(update.textParts == ["UPDATE pgbench_accounts SET abalance = abalance + ", " WHERE aid = ", ";"])
            #expect(update.statementName == (mode == .prepared ? "P_1" : ""))
            #expect(update.line == 6)
        }
    }

    @Test func selectOnlyRunsWithinRange() throws {
        let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .extended, scale: 2, randomSeed: 42)
        var runner = ScriptRunner(plan: plan, clientID: 0)
        let aidSlot = try #require(plan.slot(named: "aid"))
        for _ in 0..<1000 {
            runner.beginTransaction()
            guard case .sql(let command) = try runner.next() else {
                Issue.record("expected SQL")
                return
            }
            #expect(command.parameterSlots == [aidSlot])
            guard case .int(let aid) = runner.parameter(aidSlot) else {
                Issue.record("aid is not an int")
                return
            }
            #expect(aid >= 1 && aid <= 200_000)
            guard case .endOfScript = try runner.next() else {
                Issue.record("expected end")
                return
            }
        }
    }

    @Test func scriptFilesWithWeights() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pgswarm-\(UUID()).sql").path
        try "SELECT 1;\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try ScriptSource.file(path + "@5")
        #expect(source.name == path)
        #expect(source.weight == 5)
        #expect(source.text == "SELECT 1;\n")
        let missing = #expect(throws: WorkloadError.self) { try ScriptSource.file("/nonexistent/x.sql") }
        #expect(missing?.message == "could not open file \"/nonexistent/x.sql\": No such file or directory")
    }

    @Test func shippedWorkloadFilesAreTheBuiltins() throws {
        // Workloads/*.sql are pgbench's built-ins as files: the same text compiles to the same SQL.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        for entry in BuiltinScript.list() {
            let file = try ScriptSource.file(root.appendingPathComponent("Workloads/\(entry.name).sql").path)
            #expect(file.text == entry.source.text, "\(entry.name)")
        }
    }
}
