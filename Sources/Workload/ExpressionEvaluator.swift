import Foundation

/// An expression that failed at run time, with pgbench's message.
struct EvaluationError: Error {
    let message: String
}

/// Evaluates compiled expressions with pgbench's typing rules: int op int stays int (overflow is an error), any
/// double makes the operation double (except %), NULL propagates, AND/OR/CASE are lazy.
struct ExpressionEvaluator {
    /// What an expression can read and draw from: the client's variables and generator.
    var values: [Value?]
    var rng: PGRandom
    /// For debug(): the script and command numbers pgbench prints.
    var scriptIndex = 0
    var commandIndex = 0

    mutating func evaluate(_ expr: Expr) throws(EvaluationError) -> Value {
        switch expr {
        case .constant(let value):
            return value
        case .variable(let slot, let name):
            return try read(slot: slot, name: name)
        case .nullary:
            return .double(Double.pi)
        case .unary(let function, let a):
            if function == .debug { return try debug(try evaluate(a)) }
            let value = try evaluate(a)
            if case .null = value { return .null }
            return try unary(function, value)
        case .binary(let function, let a, let b):
            switch function {
            case .and, .or: return try logical(function, a, b)
            default: break
            }
            let left = try evaluate(a)
            let right = try evaluate(b)
            if function == .isOperator { return .bool(Self.identical(left, right)) }
            if case .null = left { return .null }
            if case .null = right { return .null }
            return try binary(function, left, right)
        case .ternary(let function, let a, let b, let c):
            let first = try evaluate(a)
            let second = try evaluate(b)
            let third = try evaluate(c)
            if case .null = first { return .null }
            if case .null = second { return .null }
            if case .null = third { return .null }
            return try ternary(function, first, second, third)
        case .variadic(.caseWhen, let parts):
            return try caseWhen(parts)
        case .variadic(let function, let arguments):
            return try extremum(function, arguments)
        }
    }

    private func read(slot: Int, name: String) throws(EvaluationError) -> Value {
        guard let value = values[slot] else { throw EvaluationError(message: "undefined variable \"\(name)\"") }
        guard case .string(let text) = value else { return value }
        switch TextValueParser.parse(name: name, text: text) {
        case .value(let parsed): return parsed
        case .error(let message): throw EvaluationError(message: message)
        }
    }

    // MARK: Coercions

    static func toInt(_ value: Value) throws(EvaluationError) -> Int64 {
        switch value {
        case .int(let i):
            return i
        case .double(let d):
            let rounded = _rint(d)
            // FLOAT8_FITS_IN_INT64
            guard !rounded.isNaN, rounded >= -9_223_372_036_854_775_808.0, rounded < 9_223_372_036_854_775_808.0
            else {
                throw EvaluationError(message: "double to int overflow for \(String(format: "%f", rounded))")
            }
            return Int64(rounded)
        default:
            throw EvaluationError(message: "cannot coerce \(value.typeName) to int")
        }
    }

    static func toDouble(_ value: Value) throws(EvaluationError) -> Double {
        switch value {
        case .double(let d): return d
        case .int(let i): return Double(i)
        default: throw EvaluationError(message: "cannot coerce \(value.typeName) to double")
        }
    }

    static func toBool(_ value: Value) throws(EvaluationError) -> Bool {
        if case .bool(let b) = value { return b }
        throw EvaluationError(message: "cannot coerce \(value.typeName) to boolean")
    }

    /// Truth for \if and CASE: NULL is false, numbers are true when non-zero.
    static func truth(_ value: Value) -> Bool {
        switch value {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0.0
        case .string(let s): return !s.isEmpty
        }
    }

    /// pgbench's IS: same type and same bits (so `1 IS TRUE` is false, `NULL IS NULL` is true).
    static func identical(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        default: return false
        }
    }

    // MARK: Operators and functions

    private mutating func logical(_ function: Function, _ a: Expr, _ b: Expr) throws(EvaluationError) -> Value {
        let first = try evaluate(a)
        if case .null = first { return .null }
        let firstBool = try Self.toBool(first)
        if function == .and && !firstBool { return .bool(false) }
        if function == .or && firstBool { return .bool(true) }
        let second = try evaluate(b)
        if case .null = second { return .null }
        return .bool(try Self.toBool(second))
    }

    private mutating func caseWhen(_ parts: [Expr]) throws(EvaluationError) -> Value {
        var index = 0
        while index + 1 < parts.count {
            if Self.truth(try evaluate(parts[index])) { return try evaluate(parts[index + 1]) }
            index += 2
        }
        return try evaluate(parts[parts.count - 1])
    }

    /// least/greatest: every argument is evaluated (left to right), then the result is double if any is.
    private mutating func extremum(_ function: Function, _ arguments: [Expr]) throws(EvaluationError) -> Value {
        var sawNull = false
        var sawDouble = false
        var badType: Value? = nil
        var intResult: Int64 = 0
        var doubleResult: Double = 0
        var first = true
        for argument in arguments {
            let value = try evaluate(argument)
            switch value {
            case .null:
                sawNull = true
            case .int(let i):
                intResult = first ? i : (function == .least ? Swift.min(intResult, i) : Swift.max(intResult, i))
                let d = Double(i)
                doubleResult =
                    first ? d : (function == .least ? Swift.min(doubleResult, d) : Swift.max(doubleResult, d))
                first = false
            case .double(let d):
                sawDouble = true
                doubleResult =
                    first ? d : (function == .least ? Swift.min(doubleResult, d) : Swift.max(doubleResult, d))
                first = false
            default:
                if badType == nil { badType = value }
            }
        }
        if sawNull { return .null }
        if let badType {
            throw EvaluationError(message: "cannot coerce \(badType.typeName) to \(sawDouble ? "double" : "int")")
        }
        return sawDouble ? .double(doubleResult) : .int(intResult)
    }

    /// debug(x): prints the value on stderr as pgbench does, and returns it.
    private func debug(_ value: Value) throws(EvaluationError) -> Value {
        let text: String
        switch value {
        case .null: text = "null"
        case .bool(let b): text = "boolean \(b)"
        case .int(let i): text = "int \(i)"
        case .double(let d): text = "double \(Value.formatDouble(d))"
        case .string(let s): text = "string \(s)"  // not reached: variables are parsed when read
        }
        let line = "debug(script=\(scriptIndex),command=\(commandIndex + 1)): \(text)\n"
        FileHandle.standardError.write(Data(line.utf8))
        return value
    }

    private func unary(_ function: Function, _ value: Value) throws(EvaluationError) -> Value {
        switch function {
        case .not:
            return .bool(!(try Self.toBool(value)))
        case .abs:
            switch value {
            case .int(let i): return .int(i < 0 ? 0 &- i : i)
            case .double(let d): return .double(d < 0 ? -d : d)
            default: throw EvaluationError(message: "cannot coerce \(value.typeName) to double")
            }
        case .double: return .double(try Self.toDouble(value))
        case .sqrt: return .double(try Self.toDouble(value).squareRoot())
        case .ln: return .double(_log(try Self.toDouble(value)))
        case .exp: return .double(_exp(try Self.toDouble(value)))
        case .int: return .int(try Self.toInt(value))
        default: throw EvaluationError(message: "internal error: \(function) is not unary")
        }
    }

    private mutating func binary(_ function: Function, _ left: Value, _ right: Value) throws(EvaluationError) -> Value {
        switch function {
        case .add, .subtract, .multiply, .divide, .modulo, .equal, .notEqual, .lessOrEqual, .less:
            if function != .modulo, Self.isDouble(left) || Self.isDouble(right) {
                let l = try Self.toDouble(left)
                let r = try Self.toDouble(right)
                switch function {
                case .add: return .double(l + r)
                case .subtract: return .double(l - r)
                case .multiply: return .double(l * r)
                case .divide: return .double(l / r)
                case .equal: return .bool(l == r)
                case .notEqual: return .bool(l != r)
                case .lessOrEqual: return .bool(l <= r)
                default: return .bool(l < r)
                }
            }
            let l = try Self.toInt(left)
            let r = try Self.toInt(right)
            switch function {
            case .add:
                let (sum, overflow) = l.addingReportingOverflow(r)
                if overflow { throw EvaluationError(message: "bigint add out of range") }
                return .int(sum)
            case .subtract:
                let (difference, overflow) = l.subtractingReportingOverflow(r)
                if overflow { throw EvaluationError(message: "bigint sub out of range") }
                return .int(difference)
            case .multiply:
                let (product, overflow) = l.multipliedReportingOverflow(by: r)
                if overflow { throw EvaluationError(message: "bigint mul out of range") }
                return .int(product)
            case .equal: return .bool(l == r)
            case .notEqual: return .bool(l != r)
            case .lessOrEqual: return .bool(l <= r)
            case .less: return .bool(l < r)
            default:
                if r == 0 { throw EvaluationError(message: "division by zero") }
                if r == -1 {
                    if function == .modulo { return .int(0) }
                    if l == .min { throw EvaluationError(message: "bigint div out of range") }
                    return .int(-l)
                }
                return .int(function == .divide ? l / r : l % r)
            }
        case .bitAnd, .bitOr, .bitXor, .shiftLeft, .shiftRight:
            let l = try Self.toInt(left)
            let r = try Self.toInt(right)
            switch function {
            case .bitAnd: return .int(l & r)
            case .bitOr: return .int(l | r)
            case .bitXor: return .int(l ^ r)
            // C shifts on x86-64 use the count modulo 64, which &<< and &>> reproduce.
            case .shiftLeft: return .int(l &<< r)
            default: return .int(l &>> r)
            }
        case .pow:
            return .double(_pow(try Self.toDouble(left), try Self.toDouble(right)))
        case .hashFNV1a, .hashMurmur2:
            let value = try Self.toInt(left)
            let seed = try Self.toInt(right)
            return .int(
                function == .hashFNV1a
                    ? Hashing.fnv1a(value, seed: seed) : Hashing.murmur2(value, seed: seed)
            )
        case .random:
            let (low, high) = try Self.randomRange(left, right)
            return .int(rng.uniform(low, high))
        default:
            throw EvaluationError(message: "internal error: \(function) is not binary")
        }
    }

    private static func isDouble(_ value: Value) -> Bool {
        if case .double = value { return true }
        return false
    }

    private static func randomRange(_ left: Value, _ right: Value) throws(EvaluationError) -> (Int64, Int64) {
        let low = try toInt(left)
        let high = try toInt(right)
        if low > high { throw EvaluationError(message: "empty range given to random") }
        let (delta, overflow) = high.subtractingReportingOverflow(low)
        if overflow || delta == .max { throw EvaluationError(message: "random range is too large") }
        return (low, high)
    }

    private mutating func ternary(
        _ function: Function,
        _ first: Value,
        _ second: Value,
        _ third: Value
    ) throws(EvaluationError) -> Value {
        switch function {
        case .permute:
            let value = try Self.toInt(first)
            let size = try Self.toInt(second)
            let seed = try Self.toInt(third)
            if size <= 0 { throw EvaluationError(message: "permute size parameter must be greater than zero") }
            return .int(Hashing.permute(value, size: size, seed: seed))
        case .randomExponential, .randomGaussian, .randomZipfian:
            let (low, high) = try Self.randomRange(first, second)
            let parameter = try Self.toDouble(third)
            switch function {
            case .randomGaussian:
                if parameter < Distributions.minimumGaussianParameter {
                    throw EvaluationError(
                        message: String(
                            format: "gaussian parameter must be at least %f (not %f)",
                            Distributions.minimumGaussianParameter,
                            parameter
                        )
                    )
                }
                return .int(Distributions.gaussian(&rng, low, high, parameter))
            case .randomZipfian:
                if parameter < Distributions.minimumZipfianParameter
                    || parameter > Distributions.maximumZipfianParameter
                {
                    throw EvaluationError(
                        message: String(
                            format: "zipfian parameter must be in range [%.3f, %.0f] (not %f)",
                            Distributions.minimumZipfianParameter,
                            Distributions.maximumZipfianParameter,
                            parameter
                        )
                    )
                }
                return .int(Distributions.zipfian(&rng, low, high, parameter))
            default:
                if parameter <= 0.0 {
                    throw EvaluationError(
                        message: String(
                            format: "exponential parameter must be greater than zero (not %f)",
                            parameter
                        )
                    )
                }
                return .int(Distributions.exponential(&rng, low, high, parameter))
            }
        default:
            throw EvaluationError(message: "internal error: \(function) is not ternary")
        }
    }
}
