import Foundation
import Testing

@testable import Workload

/// Malformed scripts: each must fail to compile with its own message at the right line and column, never crash,
/// and (where pgbench checks the same thing while parsing) be rejected by pgbench too.
@Suite struct ParseErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let script: String
        let line: Int
        let column: Int
        let message: String
        /// False where pgbench accepts the script and fails only at run time (we check earlier).
        let pgbenchRejects: Bool

        init(_ script: String, _ line: Int, _ column: Int, _ message: String, pgbenchRejects: Bool) {
            self.script = script
            self.line = line
            self.column = column
            self.message = message
            self.pgbenchRejects = pgbenchRejects
        }

        var testDescription: String { script.replacingOccurrences(of: "\n", with: "⏎") }
    }

    static let cases: [Case] = [
        Case(
            "\\set",
            1,
            1,
            "missing argument in command \"set\": expected a variable name and an expression",
            pgbenchRejects: true
        ),
        Case("\\set x", 1, 7, "missing expression in command \"set\"", pgbenchRejects: true),
        Case("\\set 1x 5", 1, 6, "invalid variable name: \"1x\"", pgbenchRejects: false),
        Case(
            "\\set x 1 +",
            1,
            11,
            "syntax error: unexpected end of expression in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x (1 + 2",
            1,
            14,
            "syntax error: expected ')' but found end of line in command \"set\"",
            pgbenchRejects: true
        ),
        Case("\\set x foo(1)", 1, 8, "unexpected function name \"foo\" in command \"set\"", pgbenchRejects: true),
        Case(
            "\\set x abs(1, 2)",
            1,
            8,
            "unexpected number of arguments (abs): expected 1, got 2 in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x least()",
            1,
            8,
            "at least one argument expected (least) in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x random(1)",
            1,
            8,
            "unexpected number of arguments (random): expected 2, got 1 in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x 1 2",
            1,
            10,
            "syntax error: unexpected integer 2 after expression in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x 1 < 2 < 3",
            1,
            14,
            "syntax error: comparison operators cannot be chained; use parentheses in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x 99999999999999999999",
            1,
            8,
            "bigint constant overflow \"99999999999999999999\" in command \"set\"",
            pgbenchRejects: true
        ),
        Case("\\set x @", 1, 8, "unexpected character \"@\" in command \"set\"", pgbenchRejects: true),
        Case(
            "\\set x hash(1, 2, 3)",
            1,
            8,
            "unexpected number of arguments (hash): expected 1 or 2, got 3 in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x CASE 1 END",
            1,
            13,
            "syntax error: expected WHEN after CASE in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x CASE WHEN true 1 END",
            1,
            23,
            "syntax error: expected THEN after WHEN condition in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x CASE WHEN true THEN 1",
            1,
            29,
            "syntax error: expected WHEN, ELSE or END in CASE expression in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x 1 IS 2",
            1,
            13,
            "syntax error: expected NULL, TRUE or FALSE after IS in command \"set\"",
            pgbenchRejects: true
        ),
        Case("\\set x :", 1, 8, "unexpected character \":\" in command \"set\"", pgbenchRejects: true),
        Case(
            "\\set x abs",
            1,
            11,
            "syntax error: expected '(' after function name \"abs\" in command \"set\"",
            pgbenchRejects: true
        ),
        Case("\\set x abs(1", 1, 13, "expected ')' after function arguments in command \"set\"", pgbenchRejects: true),
        Case("\\set x random(1, 2,)", 1, 20, "syntax error: unexpected \")\" in command \"set\"", pgbenchRejects: true),
        Case("\\sleep", 1, 1, "missing argument in command \"sleep\": expected a duration", pgbenchRejects: true),
        Case("\\sleep 1 2 3", 1, 12, "too many arguments in command \"sleep\"", pgbenchRejects: true),
        Case("\\sleep abc", 1, 8, "invalid sleep time, must be an integer: \"abc\"", pgbenchRejects: true),
        Case(
            "\\sleep 10 minutes",
            1,
            11,
            "unrecognized time unit, must be us, ms or s: \"minutes\"",
            pgbenchRejects: true
        ),
        Case("\\sleep 10xs", 1, 10, "unrecognized time unit, must be us, ms or s: \"xs\"", pgbenchRejects: true),
        Case(
            "\\setshell x",
            1,
            1,
            "missing argument in command \"setshell\": expected a variable name and a command",
            pgbenchRejects: true
        ),
        Case(
            "\\setshell",
            1,
            1,
            "missing argument in command \"setshell\": expected a variable name and a command",
            pgbenchRejects: true
        ),
        Case("\\shell", 1, 1, "missing command in command \"shell\"", pgbenchRejects: true),
        Case("\\else", 1, 1, "\\else without matching \\if", pgbenchRejects: true),
        Case("\\endif", 1, 1, "\\endif without matching \\if", pgbenchRejects: true),
        Case("\\elif true", 1, 1, "\\elif without matching \\if", pgbenchRejects: true),
        Case("\\if true", 1, 1, "\\if without matching \\endif", pgbenchRejects: true),
        Case("\\if true\n\\else\n\\else\n\\endif", 3, 1, "\\else after \\else", pgbenchRejects: true),
        Case("\\if true\n\\else\n\\elif false\n\\endif", 3, 1, "\\elif after \\else", pgbenchRejects: true),
        Case("\\foo", 1, 1, "invalid command \"\\foo\"", pgbenchRejects: true),
        Case("\\gset", 1, 1, "\\gset must follow an SQL command", pgbenchRejects: true),
        Case("\\set x 1\n\\gset", 2, 1, "\\gset must follow an SQL command", pgbenchRejects: true),
        Case("SELECT 1 \\gset a b", 1, 18, "too many arguments in command \"gset\"", pgbenchRejects: true),
        Case("\\startpipeline x", 1, 16, "unexpected argument in command \"startpipeline\"", pgbenchRejects: true),
        Case("\\endpipeline 1", 1, 14, "unexpected argument in command \"endpipeline\"", pgbenchRejects: true),
        Case("\\if", 1, 4, "missing expression in command \"if\"", pgbenchRejects: true),
        Case(
            "SELECT 1;\n\\set y 2 * (3 +",
            2,
            16,
            "syntax error: unexpected end of expression in command \"set\"",
            pgbenchRejects: true
        ),
        Case("-- only a comment", 0, 0, "empty command list for script \"bad.sql\"", pgbenchRejects: true),
        Case("\\set x 5 ** 2", 1, 11, "syntax error: unexpected \"*\" in command \"set\"", pgbenchRejects: true),
        Case("\\set x 1.5e", 1, 8, "syntax error: invalid number \"1.5e\" in command \"set\"", pgbenchRejects: true),
        Case(
            "\\set x pi(1)",
            1,
            8,
            "unexpected number of arguments (pi): expected 0, got 1 in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x permute(1)",
            1,
            8,
            "unexpected number of arguments (permute): expected 2 or 3, got 1 in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x random_zipfian(1, 2)",
            1,
            8,
            "unexpected number of arguments (random_zipfian): expected 3, got 2 in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x NOT",
            1,
            11,
            "syntax error: unexpected end of expression in command \"set\"",
            pgbenchRejects: true
        ),
        Case(
            "\\set x 9223372036854775808",
            1,
            8,
            "bigint constant overflow \"9223372036854775808\" in command \"set\"",
            pgbenchRejects: true
        ),
    ]

    @Test(arguments: cases)
    func malformedScriptIsRejectedWithItsMessage(_ badCase: Case) throws {
        let error = #expect(throws: WorkloadError.self) {
            _ = try Plan.compile(sources: [ScriptSource(name: "bad.sql", text: badCase.script)], mode: .extended)
        }
        let caught = try #require(error)
        #expect(caught.file == "bad.sql")
        #expect(caught.line == badCase.line)
        #expect(caught.column == badCase.column)
        #expect(caught.message == badCase.message)
        if badCase.line > 0 {
            // The description shows the location, the line, and a caret under the column.
            let shown = caught.description.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(shown[0] == "bad.sql:\(badCase.line):\(badCase.column): \(badCase.message)")
            let sourceLines = badCase.script.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(shown[1] == sourceLines[badCase.line - 1])
            #expect(shown[2] == String(repeating: " ", count: badCase.column - 1) + "^")
        }
    }

    @Test(.enabled(if: OracleServer.pgbenchPath != nil, "needs pgbench"), arguments: cases.filter(\.pgbenchRejects))
    func pgbenchRejectsTheSameScriptWhileParsing(_ badCase: Case) throws {
        // No server: pgbench parses scripts before it connects, so a parse error shows before any connection error.
        let run = try Pgbench.run(script: badCase.script + "\n", fileName: "bad.sql", server: nil)
        #expect(run.status != 0)
        #expect(!run.stderr.contains("connection to server"), "pgbench accepted it: \(run.stderr)")
    }

    @Test func errorsInLaterScriptsNameTheirFile() throws {
        let error = #expect(throws: WorkloadError.self) {
            _ = try Plan.compile(
                sources: [
                    ScriptSource(name: "good.sql", text: "SELECT 1;\n"),
                    ScriptSource(name: "select-only.sql", text: "\\set aid random(1, 10)\nSELECT 1;\n\\set x abs(1\n"),
                ],
                mode: .simple
            )
        }
        #expect(error?.location == "select-only.sql:3:13")
        #expect(error?.message == "expected ')' after function arguments in command \"set\"")
    }

    @Test func badDefinesAndWeightsAreRejected() throws {
        #expect(throws: WorkloadError.self) {
            _ = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: .simple, defines: [("1bad", "x")])
        }
        #expect(throws: WorkloadError.self) { _ = try ScriptSource.splitWeight("x.sql@abc") }
        #expect(throws: WorkloadError.self) { _ = try ScriptSource.splitWeight("x.sql@-1") }
        #expect(throws: WorkloadError.self) {
            _ = try Plan.compile(sources: [ScriptSource(name: "w", text: "SELECT 1;", weight: 0)], mode: .simple)
        }
        #expect(throws: WorkloadError.self) { _ = try Plan.compile(sources: [], mode: .simple) }
    }
}
