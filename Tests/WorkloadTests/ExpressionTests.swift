import Testing

@testable import Workload

/// Expressions evaluated without a server; the expected values are pgbench's (PgbenchOracleTests checks the same
/// kinds of expressions against pgbench live).
@Suite struct ExpressionTests {
    static func evaluate(_ expression: String, defines: [(String, String)] = []) throws -> Value? {
        let plan = try Plan.compile(
            sources: [ScriptSource(name: "e.sql", text: "\\set r \(expression)\n")],
            mode: .simple,
            defines: defines
        )
        var runner = ScriptRunner(plan: plan, clientID: 0)
        runner.beginTransaction()
        _ = try runner.next()
        return runner.value(of: "r")
    }

    static let cases: [(String, Value)] = [
        ("1 + 2 * 3", .int(7)), ("(1 + 2) * 3", .int(9)), ("7 / 2", .int(3)), ("-7 / 2", .int(-3)),
        ("7 % -3", .int(1)), ("-7 % 3", .int(-1)), ("7 / 2.0", .double(3.5)), ("2 - -3", .int(5)),
        ("5 - 3 - 1", .int(1)), ("100 / 7 / 2", .int(7)), ("mod(-10, 3)", .int(-1)), ("5 / -1", .int(-5)),
        ("-9223372036854775808", .int(.min)), ("1 << 3", .int(8)), ("1 << 64", .int(1)), ("-16 >> 2", .int(-4)),
        ("5 & 3", .int(1)), ("5 | 3", .int(7)), ("5 # 3", .int(6)), ("~5", .int(-6)), ("~1 + 2", .int(-4)),
        ("1 | 2 & 3", .int(3)), ("1 + 2 << 1", .int(6)), ("1 < 2", .bool(true)), ("3 >= 3", .bool(true)),
        ("1 = 1.0", .bool(true)), ("1 != 1", .bool(false)), ("1 <> 2", .bool(true)), ("NOT 1 = 2", .bool(true)),
        ("true AND false", .bool(false)), ("NULL AND false", .null), ("false AND NULL", .bool(false)),
        ("true OR NULL", .bool(true)), ("NULL IS NULL", .bool(true)), ("1 IS NULL", .bool(false)),
        ("NULL ISNULL", .bool(true)), ("1 NOTNULL", .bool(true)), ("1 IS TRUE", .bool(false)),
        ("false IS NOT FALSE", .bool(false)), ("CASE WHEN false THEN 1 WHEN true THEN 2 END", .int(2)),
        ("CASE WHEN NULL THEN 1 ELSE 2 END", .int(2)), ("CASE WHEN 0 THEN 1 END", .null),
        ("case when 1 > 0 then case when 2 < 1 then 3 else 4 end end", .int(4)), ("int(2.5)", .int(2)),
        ("int(3.5)", .int(4)), ("int(-2.5)", .int(-2)), ("double(3)", .double(3)),
        ("greatest(1, 2.5, -3)", .double(2.5)),
        ("least(5, 2, 8)", .int(2)), ("greatest(3, NULL)", .null), ("pow(2, 10)", .double(1024)),
        ("abs(-7)", .int(7)), ("abs(-7.5)", .double(7.5)), ("1.0e3", .double(1000)), (".5", .double(0.5)),
        ("3.", .double(3)), ("1e-2", .double(0.01)), ("pi()", .double(Double.pi)), ("sqrt(4)", .double(2)),
        ("ABS(-1)", .int(1)), ("hash_fnv1a(42, 7)", .int(2_765_047_632_110_736_392)),
        ("permute(5, 10, 123)", .int(7)), ("1 + NULL", .null), ("debug(5)", .int(5)), ("- - 3", .int(3)),
        ("+4", .int(4)), ("random(3, 3)", .int(3)), (":v * 2", .int(84)),
    ]

    @Test func valuesMatchPgbench() throws {
        for (expression, expected) in Self.cases {
            let value = try Self.evaluate(expression, defines: [("v", "42"), ("s", "hello")])
            #expect(value == expected, "\(expression)")
        }
    }

    @Test func variablesAreResolvedToSlots() throws {
        let plan = try Plan.compile(
            sources: [ScriptSource(name: "s", text: "\\set a :b + hash(:c)\nSELECT :a, :d;\n")],
            mode: .extended
        )
        for name in ["a", "b", "c", "d", "default_seed", "scale", "client_id", "random_seed"] {
            #expect(plan.slot(named: name) != nil, "\(name)")
        }
        #expect(Set(plan.variableNames).count == plan.variableNames.count)
    }

    @Test func doubleTextFormatting() {
        #expect(Value.double(1.0 / 3).text == "0.333333333333333")
        #expect(Value.double(1e20).text == "1e+20")
        #expect(Value.double(2.5).text == "2.5")
        #expect(Value.double(.infinity).text == "Infinity")
        #expect(Value.double(-.infinity).text == "-Infinity")
        #expect(Value.double(.nan).text == "NaN")
    }
}
