/// Parses pgbench's expression language by precedence climbing, with the precedence of pgbench's grammar
/// (lowest first): OR; AND; NOT; IS/ISNULL/NOTNULL; comparisons (non-associative); | # & << >> and prefix ~;
/// + -; * / %; unary + and -.
struct ExpressionParser {
    private var lexer: ExpressionLexer
    private var token: ExpressionToken
    /// Maps a variable name to its slot in the plan.
    private let resolve: (String) -> Int

    init(bytes: [UInt8], position: Int, resolve: @escaping (String) -> Int) throws(LexError) {
        lexer = ExpressionLexer(bytes: bytes, position: position)
        token = ExpressionToken(kind: .end, offset: position)
        self.resolve = resolve
        try advance()
    }

    /// Where the lexer stopped: the newline (or end of text) that ended the expression.
    var endOffset: Int { token.offset }

    /// Parses a whole expression, which must run to the end of the line.
    mutating func parseWhole() throws(LexError) -> Expr {
        if token.kind == .end { throw LexError(message: "missing expression", offset: token.offset) }
        let expr = try parseOr()
        if token.kind != .end {
            throw LexError(
                message: "syntax error: unexpected \(describe(token)) after expression",
                offset: token.offset
            )
        }
        return expr
    }

    private mutating func advance() throws(LexError) {
        token = try lexer.next()
    }

    private func isSymbol(_ s: String) -> Bool { token.kind == .symbol(s) }
    private func isKeyword(_ k: ExpressionToken.Keyword) -> Bool { token.kind == .keyword(k) }

    private func describe(_ t: ExpressionToken) -> String {
        switch t.kind {
        case .integer(let i): return "integer \(i)"
        case .integerMinMagnitude: return "integer 9223372036854775808"
        case .double(let d): return "number \(Value.formatDouble(d))"
        case .boolean(let b): return b ? "TRUE" : "FALSE"
        case .null: return "NULL"
        case .variable(let v): return "variable \":\(v)\""
        case .identifier(let name): return "\"\(name)\""
        case .keyword(let k): return k.rawValue.uppercased()
        case .symbol(let s): return "\"\(s)\""
        case .end: return "end of line"
        }
    }

    private mutating func parseOr() throws(LexError) -> Expr {
        var left = try parseAnd()
        while isKeyword(.or) {
            try advance()
            left = .binary(.or, left, try parseAnd())
        }
        return left
    }

    private mutating func parseAnd() throws(LexError) -> Expr {
        var left = try parseNot()
        while isKeyword(.and) {
            try advance()
            left = .binary(.and, left, try parseNot())
        }
        return left
    }

    private mutating func parseNot() throws(LexError) -> Expr {
        if isKeyword(.not) {
            try advance()
            return .unary(.not, try parseNot())
        }
        return try parseIs()
    }

    private mutating func parseIs() throws(LexError) -> Expr {
        let operand = try parseComparison()
        if isKeyword(.isnull) {
            try advance()
            return .binary(.isOperator, operand, .constant(.null))
        }
        if isKeyword(.notnull) {
            try advance()
            return .unary(.not, .binary(.isOperator, operand, .constant(.null)))
        }
        guard isKeyword(.is) else { return operand }
        try advance()
        var negated = false
        if isKeyword(.not) {
            negated = true
            try advance()
        }
        let tested: Value
        switch token.kind {
        case .null: tested = .null
        case .boolean(let b): tested = .bool(b)
        default:
            throw LexError(message: "syntax error: expected NULL, TRUE or FALSE after IS", offset: token.offset)
        }
        try advance()
        let test = Expr.binary(.isOperator, operand, .constant(tested))
        return negated ? .unary(.not, test) : test
    }

    private static let comparisons: [String: (Function, swap: Bool)] = [
        "=": (.equal, false), "<>": (.notEqual, false), "<": (.less, false), "<=": (.lessOrEqual, false),
        ">": (.less, true), ">=": (.lessOrEqual, true),
    ]

    private mutating func parseComparison() throws(LexError) -> Expr {
        let left = try parseBitwise()
        guard case .symbol(let s) = token.kind, let (function, swap) = Self.comparisons[s] else { return left }
        try advance()
        let right = try parseBitwise()
        if case .symbol(let next) = token.kind, Self.comparisons[next] != nil {
            throw LexError(
                message: "syntax error: comparison operators cannot be chained; use parentheses",
                offset: token.offset
            )
        }
        return swap ? .binary(function, right, left) : .binary(function, left, right)
    }

    private static let bitwise: [String: Function] = [
        "&": .bitAnd, "|": .bitOr, "#": .bitXor, "<<": .shiftLeft, ">>": .shiftRight,
    ]

    private mutating func parseBitwise() throws(LexError) -> Expr {
        var left = try parseAdditive()
        while case .symbol(let s) = token.kind, let function = Self.bitwise[s] {
            try advance()
            left = .binary(function, left, try parseAdditive())
        }
        return left
    }

    private mutating func parseAdditive() throws(LexError) -> Expr {
        var left = try parseMultiplicative()
        while isSymbol("+") || isSymbol("-") {
            let function: Function = isSymbol("+") ? .add : .subtract
            try advance()
            left = .binary(function, left, try parseMultiplicative())
        }
        return left
    }

    private mutating func parseMultiplicative() throws(LexError) -> Expr {
        var left = try parseUnary()
        while isSymbol("*") || isSymbol("/") || isSymbol("%") {
            let function: Function = isSymbol("*") ? .multiply : isSymbol("/") ? .divide : .modulo
            try advance()
            left = .binary(function, left, try parseUnary())
        }
        return left
    }

    private mutating func parseUnary() throws(LexError) -> Expr {
        if isSymbol("+") {
            try advance()
            return try parseUnary()
        }
        if isSymbol("-") {
            try advance()
            if token.kind == .integerMinMagnitude {
                try advance()
                return .constant(.int(.min))
            }
            // pgbench computes -x as 0 - x, so -x on an int overflows exactly like a subtraction.
            return .binary(.subtract, .constant(.int(0)), try parseUnary())
        }
        if isSymbol("~") {
            // pgbench gives prefix ~ the precedence of the bit operators: `~1 + 2` is ~(1 + 2).
            try advance()
            return .binary(.bitXor, .constant(.int(-1)), try parseAdditive())
        }
        if isKeyword(.not) {
            try advance()
            return .unary(.not, try parseNot())
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(LexError) -> Expr {
        let current = token
        switch current.kind {
        case .integer(let i):
            try advance()
            return .constant(.int(i))
        case .integerMinMagnitude:
            throw LexError(message: "bigint constant overflow \"9223372036854775808\"", offset: current.offset)
        case .double(let d):
            try advance()
            return .constant(.double(d))
        case .boolean(let b):
            try advance()
            return .constant(.bool(b))
        case .null:
            try advance()
            return .constant(.null)
        case .variable(let name):
            try advance()
            return .variable(slot: resolve(name), name: name)
        case .symbol("("):
            try advance()
            let inner = try parseOr()
            guard isSymbol(")") else {
                throw LexError(message: "syntax error: expected ')' but found \(describe(token))", offset: token.offset)
            }
            try advance()
            return inner
        case .identifier(let name):
            return try parseCall(name: name, at: current.offset)
        case .keyword(.case):
            return try parseCase()
        case .end:
            throw LexError(message: "syntax error: unexpected end of expression", offset: current.offset)
        default:
            throw LexError(message: "syntax error: unexpected \(describe(current))", offset: current.offset)
        }
    }

    private mutating func parseCall(name: String, at offset: Int) throws(LexError) -> Expr {
        try advance()
        guard let (function, arity) = Function.named[name.lowercased()] else {
            if isSymbol("(") {
                throw LexError(message: "unexpected function name \"\(name)\"", offset: offset)
            }
            throw LexError(message: "syntax error: unexpected word \"\(name)\"", offset: offset)
        }
        guard isSymbol("(") else {
            throw LexError(message: "syntax error: expected '(' after function name \"\(name)\"", offset: token.offset)
        }
        try advance()
        var arguments: [Expr] = []
        if !isSymbol(")") {
            while true {
                arguments.append(try parseOr())
                if isSymbol(",") {
                    try advance()
                    continue
                }
                break
            }
        }
        guard isSymbol(")") else {
            throw LexError(message: "expected ')' after function arguments", offset: token.offset)
        }
        try advance()
        let count = arguments.count
        if count < arity.minimum || count > arity.maximum {
            let expected: String
            if function == .least || function == .greatest {
                expected =
                    count == 0
                    ? "at least one argument expected"
                    : "too many function arguments, maximum is "
                        + String(Expr.maximumArguments)
                throw LexError(message: "\(expected) (\(name))", offset: offset)
            }
            expected =
                arity.minimum == arity.maximum
                ? String(arity.minimum) : "\(arity.minimum) or \(arity.maximum)"
            throw LexError(
                message: "unexpected number of arguments (\(name)): expected \(expected), got \(count)",
                offset: offset
            )
        }
        // hash(x) and permute(x, n) take the default seed from :default_seed, as pgbench does.
        if (function == .hashFNV1a || function == .hashMurmur2) && count == 1
            || function == .permute && count == 2
        {
            arguments.append(.variable(slot: resolve("default_seed"), name: "default_seed"))
        }
        switch arguments.count {
        case 0 where function == .pi: return .nullary(.pi)
        case 1 where function != .least && function != .greatest: return .unary(function, arguments[0])
        case 2 where function != .least && function != .greatest: return .binary(function, arguments[0], arguments[1])
        case 3 where function != .least && function != .greatest:
            return .ternary(function, arguments[0], arguments[1], arguments[2])
        default: return .variadic(function, arguments)
        }
    }

    private mutating func parseCase() throws(LexError) -> Expr {
        try advance()
        var parts: [Expr] = []
        guard isKeyword(.when) else {
            throw LexError(message: "syntax error: expected WHEN after CASE", offset: token.offset)
        }
        while isKeyword(.when) {
            try advance()
            parts.append(try parseOr())
            guard isKeyword(.then) else {
                throw LexError(message: "syntax error: expected THEN after WHEN condition", offset: token.offset)
            }
            try advance()
            parts.append(try parseOr())
        }
        if isKeyword(.else) {
            try advance()
            parts.append(try parseOr())
        } else {
            parts.append(.constant(.null))
        }
        guard isKeyword(.end) else {
            throw LexError(
                message: "syntax error: expected WHEN, ELSE or END in CASE expression",
                offset: token.offset
            )
        }
        try advance()
        return .variadic(.caseWhen, parts)
    }
}
