import Foundation
import Testing

@testable import Workload

/// Errors while a client runs a script: same message as pgbench, checked against pgbench when it is available.
@Suite struct RuntimeErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let script: String
        let message: String
        var defines: [String: String] = [:]

        var testDescription: String { script }
    }

    static let cases: [Case] = [
        Case(script: "\\set x 1 / 0", message: "division by zero"),
        Case(script: "\\set x 5 % 0", message: "division by zero"),
        Case(script: "\\set x 9223372036854775807 + 1", message: "bigint add out of range"),
        Case(script: "\\set x -9223372036854775807 - 2", message: "bigint sub out of range"),
        Case(script: "\\set x 9223372036854775807 * 2", message: "bigint mul out of range"),
        Case(script: "\\set x (-9223372036854775807 - 1) / -1", message: "bigint div out of range"),
        Case(script: "\\set x -(-9223372036854775807 - 1)", message: "bigint sub out of range"),
        Case(script: "\\set x :nope + 1", message: "undefined variable \"nope\""),
        Case(script: "\\set x random(5, 1)", message: "empty range given to random"),
        Case(script: "\\set x random(-9223372036854775808, 9223372036854775807)", message: "random range is too large"),
        Case(
            script: "\\set x random_gaussian(1, 10, 1.5)",
            message: "gaussian parameter must be at least 2.000000 (not 1.500000)"
        ),
        Case(
            script: "\\set x random_exponential(1, 10, 0)",
            message: "exponential parameter must be greater than zero (not 0.000000)"
        ),
        Case(
            script: "\\set x random_zipfian(1, 10, 0.5)",
            message: "zipfian parameter must be in range [1.001, 1000] (not 0.500000)"
        ),
        Case(
            script: "\\set x random_zipfian(1, 10, 1001)",
            message: "zipfian parameter must be in range [1.001, 1000] (not 1001.000000)"
        ),
        Case(script: "\\set x permute(1, 0)", message: "permute size parameter must be greater than zero"),
        Case(script: "\\set x int(1e30)", message: "double to int overflow for 1000000000000000019884624838656.000000"),
        Case(script: "\\set x true + 1", message: "cannot coerce boolean to int"),
        Case(script: "\\set x true + 1.5", message: "cannot coerce boolean to double"),
        Case(script: "\\set x NOT 1", message: "cannot coerce int to boolean"),
        Case(script: "\\set x 1 AND true", message: "cannot coerce int to boolean"),
        Case(script: "\\set x least(1, true)", message: "cannot coerce boolean to int"),
        Case(script: "\\set x 1 << true", message: "cannot coerce boolean to int"),
        Case(script: "\\set x :v + 1", message: "malformed variable \"v\" value: \"abc\"", defines: ["v": "abc"]),
        Case(
            script: "\\set x :v + 1",
            message: "value \"99999999999999999999\" is out of range for type bigint",
            defines: ["v": "99999999999999999999"]
        ),
        Case(script: "\\sleep :nope", message: "sleep: undefined variable \"nope\""),
        Case(script: "\\if :nope\n\\endif", message: "undefined variable \"nope\""),
    ]

    /// Runs one transaction of `script` and returns the error it stopped with.
    static func ourError(_ errorCase: Case) throws -> ScriptError? {
        let plan = try Plan.compile(
            sources: [ScriptSource(name: "runtime.sql", text: errorCase.script + "\nSELECT 1;\n")],
            mode: .simple,
            defines: errorCase.defines.sorted { $0.key < $1.key }
        )
        var runner = ScriptRunner(plan: plan, clientID: 0)
        runner.beginTransaction()
        for _ in 0..<100 {
            do {
                if case .endOfScript = try runner.next() { return nil }
            } catch {
                return error
            }
        }
        return nil
    }

    @Test(arguments: cases)
    func failsWithPgbenchsMessage(_ errorCase: Case) throws {
        let error = try #require(try Self.ourError(errorCase))
        #expect(error.message == errorCase.message)
        #expect(error.script == "runtime.sql")
        #expect(error.line == 1)
    }

    @Test(.enabled(if: OracleServer.isAvailable, "needs PostgreSQL server binaries and pgbench"), arguments: cases)
    func pgbenchFailsWithTheSameMessage(_ errorCase: Case) throws {
        let server = try OracleServer.shared()
        let defines = errorCase.defines.flatMap { ["-D", "\($0.key)=\($0.value)"] }
        let run = try Pgbench.run(
            script: errorCase.script + "\nSELECT 1;\n",
            server: server,
            transactions: 1,
            extra: defines
        )
        #expect(run.status != 0)
        let firstError = run.stderr.split(separator: "\n").first { $0.hasPrefix("pgbench: error: ") }
        #expect(firstError.map { String($0.dropFirst("pgbench: error: ".count)) } == errorCase.message)
    }

    @Test func gsetWithoutExactlyOneRowFailsLikePgbench() throws {
        let plan = try Plan.compile(
            sources: [ScriptSource(name: "g.sql", text: "\\set x 1\nSELECT 1 AS a WHERE false \\gset\n")],
            mode: .extended
        )
        var runner = ScriptRunner(plan: plan, clientID: 0)
        runner.beginTransaction()
        guard case .sql(let command) = try runner.next() else {
            Issue.record("expected SQL")
            return
        }
        #expect(command.resultHandling == .gset(prefix: ""))
        #expect(throws: ScriptError.self) {
            try runner.storeResult(
                of: command,
                queryNumber: 0,
                isLastQuery: true,
                rowCount: 0,
                columnNames: ["a"],
                lastRow: []
            )
        }
        let error = runner.gsetRowCountError(command, rows: 0)
        #expect(error.message == "client 0 script 0 command 1 query 0: expected one row, got 0")
        // UPDATE-like results (no rows at all) fail too; \aset skips empty results instead.
        #expect(throws: ScriptError.self) {
            try runner.storeResult(
                of: command,
                queryNumber: 0,
                isLastQuery: true,
                rowCount: nil,
                columnNames: [],
                lastRow: []
            )
        }
    }

    @Test(.enabled(if: OracleServer.isAvailable, "needs PostgreSQL server binaries and pgbench"))
    func pgbenchGsetMessage() throws {
        let server = try OracleServer.shared()
        let run = try Pgbench.run(script: "\\set x 1\nSELECT 1 AS a WHERE false \\gset\n", server: server)
        let firstError = run.stderr.split(separator: "\n").first { $0.hasPrefix("pgbench: error: ") }
        #expect(firstError == "pgbench: error: client 0 script 0 command 1 query 0: expected one row, got 0")
    }

    @Test func gsetRefusesColumnsThatAreNotVariableNames() throws {
        let plan = try Plan.compile(sources: [ScriptSource(name: "g.sql", text: "SELECT 1 \\gset\n")], mode: .simple)
        var runner = ScriptRunner(plan: plan, clientID: 0)
        runner.beginTransaction()
        guard case .sql(let command) = try runner.next() else {
            Issue.record("expected SQL")
            return
        }
        do {
            try runner.storeResult(
                of: command,
                queryNumber: 0,
                isLastQuery: true,
                rowCount: 1,
                columnNames: ["?column?"],
                lastRow: ["1"]
            )
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "gset: invalid variable name: \"?column?\"")
        }
    }

    @Test(.enabled(if: OracleServer.isAvailable, "needs PostgreSQL server binaries and pgbench"))
    func pgbenchRefusesTheSameColumn() throws {
        let run = try Pgbench.run(script: "SELECT 1 \\gset\n", server: try OracleServer.shared())
        let firstError = run.stderr.split(separator: "\n").first { $0.hasPrefix("pgbench: error: ") }
        #expect(firstError == "pgbench: error: gset: invalid variable name: \"?column?\"")
    }
}
