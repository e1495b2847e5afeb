import Foundation
import Testing

@testable import Workload

/// Bad specs: each mistake has its own message, at the file:line:column of the key or value that caused it, with
/// the line shown — found while loading, before anything connects.
@Suite struct SpecErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let spec: String
        let line: Int
        let column: Int
        let message: String

        init(_ spec: String, _ line: Int, _ column: Int, _ message: String) {
            self.spec = spec
            self.line = line
            self.column = column
            self.message = message
        }

        var testDescription: String { message }
    }

    static let script = "[[script]]\nsql = \"SELECT 1\"\n"

    static let cases: [Case] = [
        // TOML syntax, located by TOMLKit.
        Case("[workload]\nname = \"x\nmode = 1\n", 2, 10, "invalid TOML: "),
        Case("[workload\n", 1, 10, "invalid TOML: "),
        // Unknown keys, with a suggestion when one is close.
        Case(
            "[workload]\nname = \"x\"\nmod = \"simple\"\n" + script,
            3,
            1,
            "unknown key \"mod\" in [workload]; did you mean \"mode\"?"
        ),
        Case(script + "wieght = 3\n", 3, 1, "unknown key \"wieght\" in [[script]] #1; did you mean \"weight\"?"),
        Case(
            script + "\n[scenario]\nx = 1\n",
            4,
            1,
            "unknown key \"scenario\" in the workload spec; expected one of: workload, variables, setup"
        ),
        Case(
            script + "[[phase]]\nduration = \"1s\"\nclients = 1\nramp_up = 3\n",
            6,
            1,
            "unknown key \"ramp_up\" in [[phase]] #1; expected one of: name, kind, duration"
        ),
        Case(
            script + "[[phase]]\nkind = \"ramp\"\nduration = \"1s\"\nclients = { from = 1, too = 3 }\n",
            6,
            23,
            "unknown key \"too\" in clients of [[phase]] #1; did you mean \"to\"?"
        ),
        // Wrong types.
        Case(script + "weight = \"8\"\n", 3, 10, "\"weight\" in [[script]] #1 must be an integer, not a string"),
        Case(
            script + "tags = \"reads\"\nmode = 3\n",
            4,
            8,
            "\"mode\" in [[script]] #1 must be a string, not an integer"
        ),
        Case(
            script + "tags = [\"a\", 2]\n",
            3,
            14,
            "\"tags\" in [[script]] #1 must be an array of strings; element 2 is an integer"
        ),
        Case(
            "[workload]\ndatabase_scale = 1.5\n" + script,
            2,
            18,
            "\"database_scale\" in [workload] must be an integer, not a number with a fraction"
        ),
        Case("workload = 3\n" + script, 1, 12, "\"workload\" in the workload spec must be a table, not an integer"),
        Case("[script]\nsql = \"SELECT 1\"\n", 1, 1, "\"script\" must be an array of tables: write [[script]]"),
        Case("[variables]\nx = true\n" + script, 2, 5, "variable \"x\" must be an expression"),
        Case(
            script + "[[phase]]\nduration = \"1s\"\nclients = \"many\"\n",
            5,
            11,
            "\"clients\" in [[phase]] #1 must be an integer or { from, to }, not a string"
        ),
        Case(script + "tags = [\"a\", \"b\", \"a\"]\n", 3, 19, "tag \"a\" is given twice"),
        Case(script + "tags = [\"\"]\n", 3, 9, "a tag must not be empty"),
        // Unknown script references.
        Case(
            "[[script]]\nbuiltin = \"tpcc\"\n",
            2,
            11,
            "unknown builtin script \"tpcc\": expected one of tpcb-like, simple-update, select-only"
        ),
        Case("[[script]]\nfile = \"missing.sql\"\n", 2, 8, "script file \"missing.sql\" not found"),
        Case("[[script]]\nname = \"a\"\n", 1, 1, "[[script]] #1 needs one of sql, file or builtin"),
        Case(
            "[[script]]\nsql = \"SELECT 1\"\nbuiltin = \"select-only\"\n",
            3,
            1,
            "[[script]] #1 has both sql and builtin: give exactly one"
        ),
        Case("[workload]\nname = \"x\"\n", 0, 0, "no [[script]]: a workload needs at least one script"),
        Case(
            script + "name = \"a\"\n[[script]]\nname = \"a\"\nsql = \"SELECT 2\"\n",
            5,
            8,
            "duplicate script name \"a\""
        ),
        // Bad durations and phase values.
        Case(
            script + "[[phase]]\nduration = \"10 sec\"\nclients = 1\n",
            4,
            12,
            "invalid duration \"10 sec\" for \"duration\": expected a number of seconds greater than 0"
        ),
        Case(script + "[[phase]]\nduration = 0\nclients = 1\n", 4, 12, "invalid duration 0 for \"duration\""),
        Case(script + "[[phase]]\nduration = \"-1m\"\nclients = 1\n", 4, 12, "invalid duration \"-1m\""),
        Case(
            script + "[[phase]]\nduration = true\nclients = 1\n",
            4,
            12,
            "\"duration\" in [[phase]] #1 must be a duration such as \"30s\", not a boolean"
        ),
        Case(script + "[[phase]]\nclients = 1\n", 3, 1, "[[phase]] #1 needs a duration"),
        Case(script + "[[phase]]\nduration = \"1s\"\n", 3, 1, "[[phase]] #1 needs clients"),
        Case(
            script + "[[phase]]\nkind = \"cooldown\"\nduration = \"1s\"\nclients = 1\n",
            4,
            8,
            "invalid phase kind \"cooldown\": expected \"warmup\", \"ramp\" or \"steady\""
        ),
        Case(
            script + "[[phase]]\nduration = \"1s\"\nclients = { from = 1, to = 4 }\n",
            5,
            11,
            "clients = { from, to } is only for a ramp phase; a steady phase takes one number"
        ),
        Case(
            script + "[[phase]]\nkind = \"ramp\"\nduration = \"1s\"\nclients = { from = 1 }\n",
            6,
            11,
            "clients of a ramp needs both from and to"
        ),
        Case(
            script + "[[phase]]\nduration = \"1s\"\nclients = 0\n",
            5,
            11,
            "\"clients\" in [[phase]] #1 must be at least 1, not 0"
        ),
        Case(
            script + "[[phase]]\nduration = \"1s\"\nclients = 1\nrate = -3\n",
            6,
            8,
            "\"rate\" in [[phase]] #1 must be greater than 0"
        ),
        Case(
            script + "[[phase]]\nduration = \"1s\"\nclients = 1\n[[phase]]\nduration = \"1s\"\nclients = 1\n",
            6,
            1,
            "duplicate phase name \"steady\""
        ),
        // Script settings.
        Case(
            script + "mode = \"fast\"\n",
            3,
            8,
            "invalid mode \"fast\": expected \"simple\", \"extended\" or \"prepared\""
        ),
        Case(
            script + "connection = \"sometimes\"\n",
            3,
            14,
            "invalid connection \"sometimes\": expected \"persistent\", \"reconnect-each\" or { reconnect_every = N }"
        ),
        Case(
            script + "connection = { reconnect_every = 0 }\n",
            3,
            34,
            "\"reconnect_every\" in connection must be at least 1, not 0"
        ),
        Case(
            script + "connection = \"persistent\"\nreconnect_every = 3\n",
            4,
            1,
            "give either connection or reconnect_every, not both"
        ),
        Case(script + "pipeline = 2\n", 3, 12, "pipeline = 2 needs mode \"extended\" or \"prepared\""),
        Case(script + "weight = -1\n", 3, 10, "\"weight\" in [[script]] #1 must be at least 0, not -1"),
        Case(script + "weight = 0\n", 3, 10, "every script has weight 0: nothing would run"),
        Case("[variables]\n\"1x\" = \"5\"\n" + script, 2, 1, "invalid variable name \"1x\""),
        Case("[workload]\nmode = \"fast\"\n" + script, 2, 8, "invalid mode \"fast\""),
    ]

    @Test(arguments: cases) func mistakeIsLocated(_ testCase: Case) {
        do {
            let spec = try WorkloadSpec.parse(testCase.spec, path: "bad.toml")
            Issue.record("accepted: \(spec)")
        } catch {
            #expect(error.file == "bad.toml")
            #expect(error.message.hasPrefix(testCase.message), "\(error.message)")
            #expect(error.line == testCase.line, "\(error)")
            #expect(error.column == testCase.column, "\(error)")
            if testCase.line > 0 {
                let lines = testCase.spec.split(separator: "\n", omittingEmptySubsequences: false)
                #expect(error.sourceLine == String(lines[testCase.line - 1]))
                #expect(error.description.contains("bad.toml:\(testCase.line):\(testCase.column): "))
            }
        }
    }

    @Test func errorShowsTheLineWithACaret() {
        do {
            _ = try WorkloadSpec.parse(Self.script + "[[phase]]\nduration = \"10 sec\"\nclients = 1\n", path: "w.toml")
            Issue.record("accepted")
        } catch {
            let lines = error.description.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 3)
            #expect(lines[0].hasPrefix("w.toml:4:12: invalid duration \"10 sec\""))
            #expect(lines[1] == "duration = \"10 sec\"")
            #expect(lines[2] == "           ^")
        }
    }

    @Test func metaCommandInABasicStringGetsAHint() {
        do {
            _ = try WorkloadSpec.parse("[[script]]\nsql = \"\"\"\n\\set x 1\nSELECT :x;\n\"\"\"\n", path: "w.toml")
            Issue.record("accepted")
        } catch {
            #expect(error.line == 3)
            #expect(error.message.contains("escape sequence"))
            #expect(error.message.hasSuffix("or put a script with meta-commands in a '''...''' literal string)"))
        }
    }

    @Test func missingSpecFile() {
        #expect(throws: WorkloadError.self) { try WorkloadSpec.load(path: "/nonexistent/w.toml") }
        do {
            _ = try WorkloadSpec.load(path: "/nonexistent/w.toml")
        } catch {
            #expect(error.message == "could not open workload spec \"/nonexistent/w.toml\": No such file or directory")
        }
    }
}
