import Foundation
import Testing

@testable import Workload

@Suite struct ScriptRunnerTests {
    static func plan(_ text: String, mode: QueryMode = .extended, defines: [(String, String)] = []) throws -> Plan {
        try Plan.compile(sources: [ScriptSource(name: "t.sql", text: text)], mode: mode, defines: defines)
    }

    /// All steps of one transaction, SQL shown as simple-mode text.
    static func steps(_ runner: inout ScriptRunner) throws -> [String] {
        runner.beginTransaction()
        var out: [String] = []
        for _ in 0..<1000 {
            switch try runner.next() {
            case .sql(let command): out.append(runner.simpleQueryText(command))
            case .sleep(let ns): out.append("sleep \(ns)")
            case .startPipeline: out.append("start")
            case .syncPipeline: out.append("sync")
            case .endPipeline: out.append("end")
            case .endOfScript: return out
            }
        }
        Issue.record("script did not end")
        return out
    }

    @Test func conditionalsTakeExactlyOneBranch() throws {
        let text = """
            \\if :x = 1
            SELECT 'one';
            \\elif :x = 2
            SELECT 'two';
              \\if :y
              SELECT 'two-y';
              \\endif
            \\elif :x = 3
            SELECT 'three';
            \\else
            SELECT 'other';
            \\endif
            SELECT 'after';
            """
        let expected: [(Int, Int, [String])] = [
            (1, 0, ["SELECT 'one';", "SELECT 'after';"]),
            (2, 0, ["SELECT 'two';", "SELECT 'after';"]),
            (2, 1, ["SELECT 'two';", "SELECT 'two-y';", "SELECT 'after';"]),
            (3, 1, ["SELECT 'three';", "SELECT 'after';"]),
            (9, 1, ["SELECT 'other';", "SELECT 'after';"]),
        ]
        for (x, y, sent) in expected {
            var runner = ScriptRunner(plan: try Self.plan(text, defines: [("x", "\(x)"), ("y", "\(y)")]), clientID: 0)
            #expect(try Self.steps(&runner) == sent, "x=\(x) y=\(y)")
        }
    }

    @Test func sleepUnitsAndVariables() throws {
        let text = "\\set d 3\n\\sleep 2\n\\sleep 5 ms\n\\sleep 7us\n\\sleep :d s\n\\sleep :d\n\\sleep 1 S\n"
        var runner = ScriptRunner(plan: try Self.plan(text), clientID: 0)
        #expect(
            try Self.steps(&runner) == [
                "sleep 2000000000", "sleep 5000000", "sleep 7000", "sleep 3000000000", "sleep 3000000000",
                "sleep 1000000000",
            ]
        )
    }

    @Test func pipelineStepsAndCompoundCommands() throws {
        let text = "\\startpipeline\nSELECT 1;\nSELECT 2 \\; SELECT 3;\n\\syncpipeline\n\\endpipeline\n"
        let plan = try Self.plan(text)
        var runner = ScriptRunner(plan: plan, clientID: 0)
        #expect(try Self.steps(&runner) == ["start", "SELECT 1;", "SELECT 2 ; SELECT 3;", "sync", "end"])
        #expect(plan.scripts[0].sqlCommands.map(\.isCompound) == [false, true])
    }

    @Test func parametersInEachMode() throws {
        let text =
            "\\set a 5\n\\set b 2.5\n\\set c NULL\n\\set d true\nSELECT :a, :b, :c, :d, :a, :undefined, 1::int;\n"
        for mode in QueryMode.allCases {
            let plan = try Self.plan(text, mode: mode)
            var runner = ScriptRunner(plan: plan, clientID: 0)
            runner.beginTransaction()
            guard case .sql(let command) = try runner.next() else {
                Issue.record("expected SQL")
                return
            }
            // The same variable twice is two parameters, as in pgbench.
            #expect(command.parameterNames == ["a", "b", "c", "d", "a", "undefined"])
            let texts = command.parameterSlots.map { runner.parameter($0)?.text }
            #expect(texts == ["5", "2.5", "NULL", "true", "5", nil])
            switch mode {
            case .simple:
                #expect(command.sql == "SELECT :a, :b, :c, :d, :a, :undefined, 1::int;")
                #expect(runner.simpleQueryText(command) == "SELECT 5, 2.5, NULL, true, 5, :undefined, 1::int;")
            case .extended, .prepared:
                #expect(command.sql == "SELECT $1, $2, $3, $4, $5, $6, 1::int;")
            }
            #expect(command.statementName == (mode == .prepared ? "P_0" : ""))
        }
    }

    @Test func parameterTextWithoutAllocationMatchesText() throws {
        for value: Value in [
            .int(0), .int(-42), .int(.min), .int(.max), .bool(true), .null, .double(0.1), .string("x"),
        ] {
            let bytes = value.withUTF8Text { Array($0) }
            #expect(String(decoding: bytes, as: UTF8.self) == value.text)
        }
    }

    @Test func gsetAndAsetStoreColumnsWithPrefix() throws {
        let text = """
            SELECT 1 AS one, 2 AS two \\gset p_
            SELECT 3 AS three \\aset
            \\set sum :p_one + :p_two + :three
            SELECT :sum, :p_one;
            """
        let plan = try Self.plan(text)
        var runner = ScriptRunner(plan: plan, clientID: 0)
        runner.beginTransaction()
        guard case .sql(let first) = try runner.next(), case .sql(let second) = try runner.next() else {
            Issue.record("expected two SQL commands")
            return
        }
        #expect(first.resultHandling == .gset(prefix: "p_"))
        #expect(second.resultHandling == .aset(prefix: ""))
        try runner.storeResult(
            of: first,
            queryNumber: 0,
            isLastQuery: true,
            rowCount: 1,
            columnNames: ["one", "two"],
            lastRow: ["1", "2"]
        )
        // \aset skips empty results and keeps the last row of the others.
        try runner.storeResult(
            of: second,
            queryNumber: 0,
            isLastQuery: false,
            rowCount: 0,
            columnNames: ["three"],
            lastRow: []
        )
        try runner.storeResult(
            of: second,
            queryNumber: 1,
            isLastQuery: true,
            rowCount: 4,
            columnNames: ["three"],
            lastRow: ["3"]
        )
        guard case .sql(let last) = try runner.next() else {
            Issue.record("expected SQL")
            return
        }
        #expect(runner.simpleQueryText(last) == "SELECT 6, 1;")
        #expect(runner.value(of: "p_one") == .string("1"))
        #expect(runner.value(of: "sum") == .int(6))
    }

    @Test func definesAreTextParsedWhenUsed() throws {
        let text =
            "\\set a :i + 1\n\\set b :d * 2\n\\set c :t AND true\n\\set e :n IS NULL\nSELECT :a, :b, :c, :e, :s;\n"
        let defines = [("i", " 41"), ("d", "1.25"), ("t", "yes"), ("n", "null"), ("s", "007")]
        var runner = ScriptRunner(plan: try Self.plan(text, defines: defines), clientID: 0)
        // Text variables keep their text in SQL ("007"), as pgbench keeps the string it was given.
        #expect(try Self.steps(&runner) == ["SELECT 42, 2.5, true, true, 007;"])
    }

    @Test func automaticVariables() throws {
        let plan = try Plan.compile(
            sources: [ScriptSource(name: "a", text: "SELECT :scale, :client_id, :random_seed;")],
            mode: .simple,
            scale: 7,
            randomSeed: 1234
        )
        var runner = ScriptRunner(plan: plan, clientID: 3)
        #expect(try Self.steps(&runner) == ["SELECT 7, 3, 1234;"])
        // -D overrides the automatic values.
        let overridden = try Plan.compile(
            sources: [ScriptSource(name: "a", text: "SELECT :scale, :client_id;")],
            mode: .simple,
            defines: [("scale", "9"), ("client_id", "x")],
            scale: 7
        )
        var other = ScriptRunner(plan: overridden, clientID: 3)
        #expect(try Self.steps(&other) == ["SELECT 9, x;"])
    }

    @Test func shellAndSetshell() throws {
        let text = "\\set n 20\n\\setshell x echo :n\n\\shell true\n\\shell echo ::lit :n > /dev/null\nSELECT :x;\n"
        var runner = ScriptRunner(plan: try Self.plan(text), clientID: 0)
        #expect(try Self.steps(&runner) == ["SELECT 20;"])
        var failing = ScriptRunner(plan: try Self.plan("\\shell false\n"), clientID: 0)
        #expect(throws: ScriptError.self) { _ = try Self.steps(&failing) }
        var notInteger = ScriptRunner(plan: try Self.plan("\\setshell v echo hello\n"), clientID: 0)
        do {
            _ = try Self.steps(&notInteger)
            Issue.record("expected an error")
        } catch let error as ScriptError {
            #expect(error.message == "echo: shell command must return an integer (not \"hello\n\")")
        }
    }

    @Test func weightedChoiceFollowsWeights() throws {
        let plan = try Plan.compile(
            sources: [
                ScriptSource(name: "a", text: "SELECT 'a';", weight: 1),
                ScriptSource(name: "b", text: "SELECT 'b';", weight: 3),
                ScriptSource(name: "never", text: "SELECT 'never';", weight: 0),
            ],
            mode: .simple,
            randomSeed: 11
        )
        var runner = ScriptRunner(plan: plan, clientID: 0)
        var counts = [0, 0, 0]
        for _ in 0..<40_000 { counts[runner.beginTransaction()] += 1 }
        #expect(counts[2] == 0)
        #expect(abs(Double(counts[1]) / 40_000 - 0.75) < 0.01)
        // SQL indexes run over the whole plan.
        #expect(plan.sqlCommands.map(\.index) == [0, 1, 2])
        #expect(plan.sqlCommands.map(\.scriptIndex) == [0, 1, 2])
    }

    @Test func sameSeedSameSequence() throws {
        let plan = try Plan.compile(sources: [BuiltinScript.tpcbLike], mode: .prepared, randomSeed: 77, clients: 4)
        var first = ScriptRunner(plan: plan, clientID: 2)
        var second = ScriptRunner(plan: plan, clientID: 2)
        var third = ScriptRunner(plan: plan, clientID: 1)
        let a = try Self.steps(&first)
        #expect(a == (try Self.steps(&second)))
        #expect(a != (try Self.steps(&third)))
    }

    @Test func sqlLinesAndMultilineCommands() throws {
        let text = "-- header\n\n\\set x 1\nSELECT 1,\n  2;\n\nUPDATE t\nSET a = :x\nWHERE b = 1;"
        let plan = try Self.plan(text, mode: .simple)
        #expect(plan.scripts[0].sqlCommands.map(\.line) == [4, 7])
        #expect(plan.scripts[0].sqlCommands.map(\.sql) == ["SELECT 1,\n  2;", "UPDATE t\nSET a = :x\nWHERE b = 1;"])
    }

    @Test func sourceCommandsAreNumberedLikePgbench() throws {
        let text = "\\set x 1\n\\if :x\nSELECT 1,\n  2 \\gset\n\\elif false\n\\sleep 1\n\\endif\nSELECT 3;\n"
        let script = try Self.plan(text).scripts[0]
        #expect(
            script.sourceCommands.map(\.text) == [
                "\\set x 1", "\\if :x", "SELECT 1,", "\\elif false", "\\sleep 1", "\\endif", "SELECT 3;",
            ]
        )
        #expect(script.sourceCommands.map(\.line) == [1, 2, 3, 5, 6, 7, 8])
        #expect(script.sourceCommands.map(\.isSQL) == [false, false, true, false, false, false, true])
        #expect(script.sqlCommands.map(\.commandNumber) == [2, 6])
        #expect(script.sourceCommandIndex.count == script.commands.count)
        // \elif compiles to two jumps, both from source command 3; \endif to none.
        #expect(script.sourceCommandIndex == [0, 1, 2, 3, 3, 4, 6])
    }

    @Test func windowsLineEndingsAndNonASCIINames() throws {
        var runner = ScriptRunner(plan: try Self.plan("\\set x 1\r\n\\set été :x + 1\r\nSELECT :été;\r\n"), clientID: 0)
        #expect(try Self.steps(&runner) == ["SELECT 2;"])
    }

    @Test func restartedTransactionDrawsTheSameValues() throws {
        let plan = try Plan.compile(sources: [BuiltinScript.tpcbLike], mode: .simple, randomSeed: 5)
        var runner = ScriptRunner(plan: plan, clientID: 0)
        let first = try Self.steps(&runner)
        runner.restartTransaction()
        var again: [String] = []
        for _ in 0..<100 {
            guard case .sql(let command) = try runner.next() else { break }
            again.append(runner.simpleQueryText(command))
        }
        #expect(again == first)
        #expect(try Self.steps(&runner) != first)
    }
}
