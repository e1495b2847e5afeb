/// The built-in functions and operators of pgbench's expression language.
public enum Function: Sendable, Equatable {
    // Arithmetic, overloaded on int and double.
    case add, subtract, multiply, divide, modulo
    // Comparison.
    case equal, notEqual, lessOrEqual, less
    // Integer bit operators.
    case bitAnd, bitOr, bitXor, shiftLeft, shiftRight
    // Logic; `and`, `or` and `caseWhen` evaluate lazily.
    case and, or, not, isOperator, caseWhen
    // Functions.
    case abs, debug, double, exp, greatest, hashFNV1a, hashMurmur2, int, least, ln, permute, pi, pow
    case random, randomExponential, randomGaussian, randomZipfian, sqrt

    /// Arity of a named function: exact count, or a range for the variadic and optional-seed ones.
    struct Arity {
        let minimum: Int
        let maximum: Int
    }

    /// The functions callable by name (case-insensitive), with their arity.
    static let named: [String: (Function, Arity)] = [
        "abs": (.abs, Arity(minimum: 1, maximum: 1)),
        "debug": (.debug, Arity(minimum: 1, maximum: 1)),
        "double": (.double, Arity(minimum: 1, maximum: 1)),
        "exp": (.exp, Arity(minimum: 1, maximum: 1)),
        "greatest": (.greatest, Arity(minimum: 1, maximum: Expr.maximumArguments)),
        "hash": (.hashMurmur2, Arity(minimum: 1, maximum: 2)),
        "hash_fnv1a": (.hashFNV1a, Arity(minimum: 1, maximum: 2)),
        "hash_murmur2": (.hashMurmur2, Arity(minimum: 1, maximum: 2)),
        "int": (.int, Arity(minimum: 1, maximum: 1)),
        "least": (.least, Arity(minimum: 1, maximum: Expr.maximumArguments)),
        "ln": (.ln, Arity(minimum: 1, maximum: 1)),
        "mod": (.modulo, Arity(minimum: 2, maximum: 2)),
        "permute": (.permute, Arity(minimum: 2, maximum: 3)),
        "pi": (.pi, Arity(minimum: 0, maximum: 0)),
        "pow": (.pow, Arity(minimum: 2, maximum: 2)),
        "power": (.pow, Arity(minimum: 2, maximum: 2)),
        "random": (.random, Arity(minimum: 2, maximum: 2)),
        "random_exponential": (.randomExponential, Arity(minimum: 3, maximum: 3)),
        "random_gaussian": (.randomGaussian, Arity(minimum: 3, maximum: 3)),
        "random_zipfian": (.randomZipfian, Arity(minimum: 3, maximum: 3)),
        "sqrt": (.sqrt, Arity(minimum: 1, maximum: 1)),
    ]
}

/// A compiled expression. Variables are resolved to slots of the plan at compile time, and calls of fixed arity
/// have their own cases so that evaluating them walks the tree without building argument arrays.
public indirect enum Expr: Sendable, Equatable {
    case constant(Value)
    case variable(slot: Int, name: String)
    case unary(Function, Expr)
    case binary(Function, Expr, Expr)
    case ternary(Function, Expr, Expr, Expr)
    /// least/greatest (any count), and CASE: [when1, then1, when2, then2, ..., else].
    case variadic(Function, [Expr])
    /// pi()
    case nullary(Function)

    /// pgbench's MAX_FARGS.
    static let maximumArguments = 16
}
