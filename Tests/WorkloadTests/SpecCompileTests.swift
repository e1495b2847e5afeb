import Foundation
import Testing

@testable import Workload

/// A spec compiled into a plan: per-script settings reach the compiled scripts and commands, variables run first in
/// every script, pipelines are added, and script errors point back at the spec.
@Suite struct SpecCompileTests {
    static let mixed = #"""
        [workload]
        mode = "prepared"
        database_scale = 3

        [variables]
        aid = "random(1, 100000 * :scale)"
        twice = ":aid * 2"

        [[script]]
        name = "read"
        weight = 3
        tags = ["reads"]
        sql = """
        SELECT :aid;
        SELECT :twice;
        """

        [[script]]
        name = "simple"
        mode = "simple"
        connection = "reconnect-each"
        sql = "SELECT :aid;"

        [[script]]
        name = "piped"
        mode = "extended"
        pipeline = 2
        reconnect_every = 10
        sql = """
        SELECT 1;
        SELECT 2;
        SELECT 3;
        \\set x 1
        SELECT :x;
        """
        """#

    @Test func perScriptSettingsReachThePlan() throws {
        let plan = try WorkloadSpec.parse(Self.mixed, path: "m.toml").compilePlan()
        #expect(plan.mode == .prepared)
        #expect(plan.scripts.map(\.name) == ["read", "simple", "piped"])
        #expect(plan.scripts.map(\.mode) == [.prepared, .simple, .extended])
        #expect(plan.scripts.map(\.tags) == [["reads"], [], []])
        #expect(plan.scripts.map(\.connection) == [.persistent, .reconnectEach, .reconnectEvery(10)])
        #expect(plan.totalWeight == 5)
        for script in plan.scripts {
            for command in script.sqlCommands {
                #expect(command.mode == script.mode)
                #expect(command.statementName.isEmpty == (command.mode != .prepared))
            }
        }
        // Simple mode keeps the text; the others send parameters.
        #expect(plan.scripts[1].sqlCommands[0].sql == "SELECT :aid;")
        #expect(plan.scripts[0].sqlCommands[0].sql == "SELECT $1;")
        let names = plan.sqlCommands.map(\.statementName).filter { !$0.isEmpty }
        #expect(names.count == 2 && Set(names).count == names.count)
    }

    @Test func variablesRunFirstInEveryScript() throws {
        let plan = try WorkloadSpec.parse(Self.mixed, path: "m.toml").compilePlan()
        for script in plan.scripts {
            guard case .set(_, let first, _) = script.commands[0], case .set(_, let second, _) = script.commands[1]
            else {
                Issue.record("\(script.name) does not start with the variables")
                continue
            }
            #expect([first, second] == ["aid", "twice"])
        }
        // database_scale is :scale; every script runs the \set lines in order before its first SQL command.
        var runner = ScriptRunner(plan: plan, clientID: 0)
        for _ in 0..<20 {
            runner.beginTransaction()
            // The pipelined script starts its pipeline first; the variables are set by then all the same.
            var step = try runner.next()
            if case .startPipeline = step { step = try runner.next() }
            guard case .sql = step else {
                Issue.record("no SQL after the variables")
                return
            }
            guard case .int(let aid)? = runner.value(of: "aid"), case .int(let twice)? = runner.value(of: "twice")
            else {
                Issue.record("variables not set")
                return
            }
            #expect(twice == aid * 2)
            #expect(aid >= 1 && aid <= 300_000)
        }
    }

    @Test func pipelineDepthGroupsConsecutiveSQL() throws {
        let plan = try WorkloadSpec.parse(Self.mixed, path: "m.toml").compilePlan()
        let shape = plan.scripts[2].commands.map { command -> String in
            switch command {
            case .startPipeline: "start"
            case .endPipeline: "end"
            case .sql: "sql"
            case .set: "set"
            default: "other"
            }
        }
        // Two variables, then SELECT 1-2 | SELECT 3 | \set | SELECT :x, each run in pipelines of at most 2.
        #expect(
            shape == [
                "set", "set", "start", "sql", "sql", "end", "start", "sql", "end", "set", "start", "sql", "end",
            ]
        )
        #expect(plan.scripts[2].lines.count == plan.scripts[2].commands.count)
        #expect(plan.scripts[2].sourceCommands.contains { $0.text == "\\startpipeline" && !$0.isSQL })
    }

    @Test func pipelineDepthRefusesExplicitPipelines() {
        let source = ScriptSource(
            name: "p",
            text: "\\startpipeline\nSELECT 1;\n\\endpipeline\n",
            mode: .extended,
            pipelineDepth: 3
        )
        #expect(throws: WorkloadError.self) { try Plan.compile(sources: [source], mode: .simple) }
        let simple = ScriptSource(name: "s", text: "SELECT 1;\n", pipelineDepth: 3)
        #expect(throws: WorkloadError.self) { try Plan.compile(sources: [simple], mode: .simple) }
    }

    @Test func pgbenchScriptsKeepTheirDefaults() throws {
        let plan = try Plan.compile(sources: [BuiltinScript.tpcbLike], mode: .extended)
        #expect(plan.scripts[0].mode == .extended)
        #expect(plan.scripts[0].tags.isEmpty)
        #expect(plan.scripts[0].connection == .persistent)
        #expect(plan.sqlCommands.allSatisfy { $0.mode == .extended })
    }

    @Test func inlineScriptErrorPointsIntoTheSpec() {
        let text = "[[script]]\nname = \"bad\"\nsql = '''\nSELECT 1;\n\\sleep 1 parsecs\n'''\n"
        do {
            _ = try WorkloadSpec.parse(text, path: "w.toml").compilePlan()
            Issue.record("compiled")
        } catch {
            #expect(error.file == "w.toml")
            #expect(error.line == 5)
            #expect(error.message.hasPrefix("script \"bad\": "))
            #expect(error.sourceLine == "\\sleep 1 parsecs")
        }
    }

    @Test func singleLineScriptErrorKeepsItsColumn() {
        let text = "[[script]]\nsql = \"\\\\set x 1 +\"\n"
        do {
            _ = try WorkloadSpec.parse(text, path: "w.toml").compilePlan()
            Issue.record("compiled")
        } catch {
            #expect(error.line == 2)
            // `\set x 1 +` fails at its end; the script starts at column 8 of the spec line.
            #expect(error.column > 8)
            #expect(error.sourceLine == "sql = \"\\\\set x 1 +\"")
        }
    }

    @Test func variableErrorPointsAtTheVariable() {
        let text = "[variables]\nok = \"1\"\nbad = \"random(1,\"\n[[script]]\nsql = \"SELECT :bad\"\n"
        do {
            _ = try WorkloadSpec.parse(text, path: "w.toml").compilePlan()
            Issue.record("compiled")
        } catch {
            #expect(error.line == 3)
            #expect(error.message.hasPrefix("variable \"bad\": "))
            #expect(error.column >= 8)
            #expect(error.sourceLine == "bad = \"random(1,\"")
        }
    }

    @Test func fileScriptErrorNamesTheFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("broken.sql")
        try "SELECT 1;\n\\set x 1 +\nSELECT 2;\n".write(to: file, atomically: true, encoding: .utf8)
        let specURL = directory.appendingPathComponent("w.toml")
        try "[variables]\nv = \"1\"\n[[script]]\nfile = \"broken.sql\"\n".write(
            to: specURL,
            atomically: true,
            encoding: .utf8
        )
        do {
            _ = try WorkloadSpec.load(path: specURL.path).compilePlan()
            Issue.record("compiled")
        } catch {
            #expect(error.file == file.path)
            #expect(error.message.hasPrefix("script \"broken\": "))
            // Line numbers are the file's own, without the spec's variable line.
            #expect(error.line == 2)
            #expect(error.sourceLine == "\\set x 1 +")
        }
    }
}
