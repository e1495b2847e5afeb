import Foundation
import Testing

@testable import Workload

/// Compares ScriptRunner with the real pgbench: the same script and --random-seed must make pgbench send exactly
/// the SQL text that our runner renders (simple mode substitutes every value as pgbench formats it).
@Suite(.enabled(if: OracleServer.isAvailable, "needs PostgreSQL server binaries and pgbench"))
struct PgbenchOracleTests {
    /// Expressions whose values both sides must agree on, bit for bit.
    static let expressions: [String] = [
        // Hashes and permute, with explicit and default seeds.
        "hash_fnv1a(42, 7)", "hash_murmur2(42, 7)", "hash(7)", "hash_fnv1a(-1)", "hash_murmur2(123456789, -5)",
        "hash_fnv1a(0, 0)", "hash(9223372036854775807, 1)", "hash_fnv1a(-9223372036854775807 - 1, 3)",
        "permute(5, 10, 123)", "permute(0, 10, 123)", "permute(9, 10, 123)", "permute(7, 10)",
        "permute(-3, 11, 5)", "permute(123456789, 1000000007, -42)", "permute(1, 1)", "permute(3, 2, 8)",
        "permute(12345, 9223372036854775807, 77)", "permute(10, 3, 3)",
        // Integer and double arithmetic.
        "7 / 2", "-7 / 2", "7 % -3", "-7 % 3", "7 / 2.0", "1 + 2 * 3", "(1 + 2) * 3", "2 - -3", "-(-5)",
        "5 - 3 - 1", "100 / 7 / 2", "mod(10, 3)", "mod(-10, 3)", "-9223372036854775808", "9223372036854775807",
        "5 / -1", "-9223372036854775807 % -1",
        // Bit operators and their odd precedence.
        "1 << 3", "1 << 64", "1 << 65", "-16 >> 2", "5 & 3", "5 | 3", "5 # 3", "~5", "~1 + 2", "1 | 2 & 3",
        "1 + 2 << 1",
        // Comparisons and logic.
        "1 < 2", "2 <= 1", "3 > 2", "3 >= 3", "1 = 1.0", "1 <> 2", "1 != 1", "true AND false", "true OR false",
        "NOT true", "NULL AND false", "false AND NULL", "true OR NULL", "1 IS NULL", "NULL IS NULL", "NULL ISNULL",
        "1 NOTNULL", "true IS TRUE", "1 IS NOT NULL", "false IS NOT FALSE", "NOT 1 = 2", "1 IS TRUE",
        // CASE.
        "CASE WHEN false THEN 1 WHEN true THEN 2 END", "CASE WHEN NULL THEN 1 ELSE 2 END", "CASE WHEN 0 THEN 1 END",
        "CASE WHEN 2.5 THEN 1.5 ELSE 0 END", "case when 1 > 0 then case when 2 < 1 then 3 else 4 end end",
        // Casts and numeric functions.
        "int(2.5)", "int(3.5)", "int(-2.5)", "int(-0.4)", "double(3)", "int(1e3)", "greatest(1, 2.5, -3)",
        "least(5, 2, 8)", "greatest(3, NULL)", "least(1.5)", "pow(2, 10)", "power(2.0, 0.5)", "sqrt(2)", "ln(10)",
        "exp(1)", "pi()", "abs(-7)", "abs(-7.5)", "1.0e3", ".5", "3.", "1e-2", "1.0 / 3", "1e20",
        "123456789012345678.0", "0.1 + 0.2", "2 * pi() * 1e-5", "debug(3) + 1", "-0.0", "1e300 * 1e300",
        "-1e300 * 1e300", "sqrt(-1)", "ln(0)",
        // Variables.
        ":scale * 2", ":client_id", ":random_seed", ":default_seed",
        // Random functions: pgbench seeds each client's generator from --random-seed, and so do we.
        "random(1, 1000)", "random(-5, 5)", "random_gaussian(1, 1000, 2.5)", "random_exponential(1, 1000, 3.0)",
        "random_zipfian(1, 1000, 1.5)", "random(1, 1)", "random(-4611686018427387904, 4611686018427387902)",
        "random_zipfian(1, 10, 1.001)", "random_gaussian(-100, 100, 10)", "random_exponential(0, 10, 0.01)",
    ]

    static func script(for expressions: [String]) -> String {
        var text = ""
        for (index, expression) in expressions.enumerated() {
            text += "\\set v\(index) \(expression)\n"
        }
        // Ten values per SELECT keeps a mismatch easy to find. pgbench substitutes inside quotes too, so quoting
        // every value keeps the SQL valid whatever the value (Infinity, NaN, NULL).
        for chunk in stride(from: 0, to: expressions.count, by: 10) {
            let columns = (chunk..<min(chunk + 10, expressions.count)).map { "':v\($0)'" }
            text += "SELECT " + columns.joined(separator: ", ") + ";\n"
        }
        return text
    }

    @Test func expressionValuesMatchPgbench() throws {
        let server = try OracleServer.shared()
        let script = Self.script(for: Self.expressions)
        for seed: UInt64 in [1, 5, 123_456_789] {
            let oracle = try Pgbench.run(script: script, server: server, transactions: 2, seed: seed)
            #expect(oracle.status == 0, "pgbench failed: \(oracle.stderr.suffix(2000))")
            let plan = try Plan.compile(
                sources: [ScriptSource(name: "oracle.sql", text: script)],
                mode: .simple,
                randomSeed: seed
            )
            let ours = try Simulation.sentTexts(plan: plan, transactions: 2)[0]
            let theirs = oracle.sent.map(\.sql)
            #expect(ours.count == theirs.count)
            for (index, (mine, pgbench)) in zip(ours, theirs).enumerated() {
                if mine != pgbench {
                    let chunk = index % ((Self.expressions.count + 9) / 10)
                    let names = Self.expressions[(chunk * 10)..<min(chunk * 10 + 10, Self.expressions.count)]
                    Issue.record("seed \(seed), query \(index): \(names)\n ours:    \(mine)\n pgbench: \(pgbench)")
                }
            }
        }
    }

    @Test func randomSequencesMatchPgbenchPerClient() throws {
        let server = try OracleServer.shared()
        let script = """
            \\set a random(1, 100000 * :scale)
            \\set b random_gaussian(1, 1000, 2.5)
            \\set c random_exponential(1, 1000, 3)
            \\set d random_zipfian(1, 1000, 1.5)
            SELECT :a, :b, :c, :d, :client_id;

            """
        let oracle = try Pgbench.run(script: script, server: server, transactions: 20, clients: 3, seed: 99)
        #expect(oracle.status == 0, "pgbench failed: \(oracle.stderr.suffix(2000))")
        let plan = try Plan.compile(
            sources: [ScriptSource(name: "oracle.sql", text: script)],
            mode: .simple,
            randomSeed: 99,
            clients: 3
        )
        let ours = try Simulation.sentTexts(plan: plan, clients: 3, transactions: 20)
        for client in 0..<3 {
            let theirs = oracle.sent.filter { $0.client == client }.map(\.sql)
            #expect(ours[client] == theirs, "client \(client)")
        }
    }
}

/// The script scanner against pgbench: how SQL is split into commands and where variables are substituted.
@Suite(.enabled(if: OracleServer.isAvailable, "needs PostgreSQL server binaries and pgbench"))
struct PgbenchScannerOracleTests {
    static let scripts: [String] = [
        // Comments before and inside commands, multi-line commands, casts and quoted semicolons.
        """
        -- leading comment
        \\set x 5
        SELECT :x::int AS a,   -- trailing comment
               ';' AS semi, ':x' AS quoted;
        /* block */ SELECT 1;
        SELECT $$a;b$$, $tag$ :x ; $tag$, E'\\\\'';'
        ;
        """,
        // Compound commands, a command without a final semicolon, a backslash-continued \set.
        """
        \\set a 1 + \\
           2
        SELECT :a \\; SELECT :a + 1;
        SELECT "col;name" FROM (SELECT 1 AS "col;name") s
        """,
        // \if chains, nested, with \elif and \else.
        """
        \\set n random(1, 6)
        \\if :n <= 2
          SELECT 'low', :n;
          \\if :n = 1
            SELECT 'one';
          \\else
            SELECT 'two';
          \\endif
        \\elif :n <= 4
          SELECT 'mid', :n;
        \\else
          SELECT 'high', :n;
        \\endif
        SELECT 'end';
        """,
        // psql's BEGIN ATOMIC heuristic: semicolons inside a CREATE FUNCTION ... BEGIN ATOMIC body do not split it.
        """
        SELECT CASE WHEN 1 = 1 THEN 'a;b' END;
        CREATE OR REPLACE FUNCTION pg_temp.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;
        SELECT pg_temp.f();
        SELECT 1 AS begin; SELECT 2 AS "end";
        CREATE OR REPLACE PROCEDURE pg_temp.p() LANGUAGE sql
          BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;
        SELECT 3;
        """,
        // Undefined variables stay as written in simple mode; ::casts and :: are not variables.
        """
        SELECT ':undefined', '::x', 1::text, :client_id;
        """,
    ]

    @Test(arguments: scripts.indices)
    func sentSQLMatchesPgbench(script index: Int) throws {
        let server = try OracleServer.shared()
        let script = Self.scripts[index]
        let oracle = try Pgbench.run(script: script, server: server, transactions: 8, seed: 7)
        #expect(oracle.status == 0, "pgbench failed: \(oracle.stderr.suffix(1500))")
        let plan = try Plan.compile(
            sources: [ScriptSource(name: "oracle.sql", text: script)],
            mode: .simple,
            randomSeed: 7
        )
        let ours = try Simulation.sentTexts(plan: plan, transactions: 8)[0]
        #expect(ours == oracle.sent.map(\.sql))
    }
}

/// Weighted script choice against pgbench: with one client and one thread, pgbench's chooser is seeded from the
/// same sequence as ours, so the scripts come in the same order.
@Suite(.enabled(if: OracleServer.isAvailable, "needs PostgreSQL server binaries and pgbench"))
struct PgbenchScriptChoiceOracleTests {
    @Test(arguments: [false, true])
    func scriptOrderMatchesPgbench(defineDefaultSeed: Bool) throws {
        let server = try OracleServer.shared()
        let first = "\\set x random(1, 9)\nSELECT 'first', :x;\n"
        let second = "SELECT 'second', :default_seed;\n"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgswarm-choice-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let secondPath = directory.appendingPathComponent("second.sql").path
        try second.write(toFile: secondPath, atomically: true, encoding: .utf8)
        let defines = defineDefaultSeed ? [("default_seed", "5")] : []
        let run = try Pgbench.run(
            script: first,
            server: server,
            transactions: 40,
            seed: 321,
            extra: ["-f", secondPath + "@3"] + defines.flatMap { ["-D", "\($0.0)=\($0.1)"] }
        )
        #expect(run.status == 0, "\(run.stderr.suffix(1000))")
        let plan = try Plan.compile(
            sources: [
                ScriptSource(name: "oracle.sql", text: first, weight: 1),
                ScriptSource(name: secondPath, text: second, weight: 3),
            ],
            mode: .simple,
            defines: defines,
            randomSeed: 321
        )
        let ours = try Simulation.sentTexts(plan: plan, transactions: 40)[0]
        #expect(ours == run.sent.map(\.sql))
    }
}

/// Extended and prepared modes against pgbench: the SQL with $n parameters and the statement names it sends.
@Suite(.enabled(if: OracleServer.isAvailable, "needs PostgreSQL server binaries and pgbench"))
struct PgbenchQueryModeOracleTests {
    static let script = """
        \\set a 1
        SELECT :a::int + :a;
        SELECT :nope::text IS NULL;
        SELECT 2;
        """

    @Test(arguments: [QueryMode.extended, .prepared])
    func sentStatementsMatchPgbench(mode: QueryMode) throws {
        let server = try OracleServer.shared()
        let plan = try Plan.compile(sources: [ScriptSource(name: "oracle.sql", text: Self.script)], mode: mode)
        let run = try Pgbench.run(script: Self.script, server: server, extra: ["-M", mode.rawValue])
        #expect(run.status == 0, "\(run.stderr.suffix(1000))")
        let commands = plan.scripts[0].sqlCommands
        let ours = commands.map { mode == .prepared ? $0.statementName : $0.sql }
        #expect(run.sent.map(\.sql) == ours)
        #expect(commands[0].sql == "SELECT $1::int + $2;")
    }

    /// pgbench rewrites `:name` everywhere, quotes included (it does not lex the SQL for this): this statement
    /// is what pgbench 15 sends for `SELECT :a::int + :a, ':a', 'x::y'::text, $$:a$$;`.
    @Test func variablesInsideQuotesAreRewrittenLikePgbench() throws {
        let text = "\\set a 1\nSELECT :a::int + :a, ':a', 'x::y'::text, $$:a$$;\n"
        let plan = try Plan.compile(sources: [ScriptSource(name: "q.sql", text: text)], mode: .extended)
        #expect(plan.scripts[0].sqlCommands[0].sql == "SELECT $1::int + $2, '$3', 'x::y'::text, $$$4$$;")
    }
}
