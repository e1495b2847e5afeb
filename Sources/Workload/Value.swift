import Foundation

/// A pgbench variable's value. Values computed by `\set` are typed; values that came in as text (`-D`, `\gset`,
/// `\aset`) stay `.string` until an expression reads them, as in pgbench.
public enum Value: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)

    /// The type name pgbench uses in coercion errors.
    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "int"
        case .double: return "double"
        case .string: return "string"
        }
    }

    /// The text pgbench sends for this value (its getVariable): NULL, true/false, decimal, `%.15g`.
    public var text: String {
        switch self {
        case .null: return "NULL"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return Self.formatDouble(d)
        case .string(let s): return s
        }
    }

    /// `%.15g`, with PostgreSQL's snprintf spelling of the special values.
    @usableFromInline
    static func formatDouble(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return String(format: "%.15g", d)
    }

    /// Calls `body` with the UTF-8 text of the value. Integers and booleans, the common case, are formatted on the
    /// stack without allocating.
    /// Inlinable so that callers get it specialised: unspecialised, the generic version looks up type metadata at run
    /// time on every call, once per query parameter.
    @inlinable
    public func withUTF8Text<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .int(let value):
            return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
                let count = Self.writeDecimal(value, into: buffer)
                return try body(
                    UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[(buffer.count - count)...]))
                )
            }
        case .bool(let b):
            return try Self.withStatic(b ? "true" : "false", body)
        case .null:
            return try Self.withStatic("NULL", body)
        case .double(let d):
            var s = Self.formatDouble(d)
            return try s.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        case .string(var s):
            return try s.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
        }
    }

    @usableFromInline
    static func withStatic<R>(
        _ s: StaticString,
        _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// Writes `value` right-aligned at the end of `buffer` (20 bytes suffice) and returns the digit count.
    @usableFromInline
    static func writeDecimal(_ value: Int64, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var magnitude = value.magnitude
        var index = buffer.count
        repeat {
            index -= 1
            buffer[index] = UInt8(truncatingIfNeeded: magnitude % 10) + UInt8(ascii: "0")
            magnitude /= 10
        } while magnitude != 0
        if value < 0 {
            index -= 1
            buffer[index] = UInt8(ascii: "-")
        }
        return buffer.count - index
    }
}

extension Value: CustomStringConvertible {
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "boolean \(b)"
        case .int(let i): return "int \(i)"
        case .double(let d): return "double \(Self.formatDouble(d))"
        case .string(let s): return "string \"\(s)\""
        }
    }
}

/// How pgbench reads a text variable in an expression (makeVariableValue) and a `-D` value.
enum TextValueParser {
    enum Outcome {
        case value(Value)
        case error(String)
    }

    static func parse(name: String, text: String) -> Outcome {
        if text.isEmpty {
            return .error("malformed variable \"\(name)\" value: \"\"")
        }
        let lower = text.lowercased()
        if lower == "null" { return .value(.null) }
        // Prefixes of true/yes/false/no are booleans, as in pgbench; 0/1 are integers.
        if "true".hasPrefix(lower) || "yes".hasPrefix(lower) || lower == "on" { return .value(.bool(true)) }
        if "false".hasPrefix(lower) || "no".hasPrefix(lower) || lower == "off" || lower == "of" {
            return .value(.bool(false))
        }
        if looksLikeInteger(text) {
            guard let v = parseInt64(text) else {
                return .error("value \"\(text)\" is out of range for type bigint")
            }
            return .value(.int(v))
        }
        if let d = parseDouble(text) { return .value(.double(d)) }
        return .error("malformed variable \"\(name)\" value: \"\(text)\"")
    }

    /// `^\s*[-+]?[0-9]+$`
    static func looksLikeInteger(_ text: String) -> Bool {
        var bytes = Substring(text).utf8.drop(while: { isSpace($0) })
        if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty else { return false }
        return bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || (c >= 0x09 && c <= 0x0D)
    }

    static func parseInt64(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return Int64(trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed)
    }

    /// strtod with full-string consumption; out-of-range values are rejected like pgbench's strtodouble.
    static func parseDouble(_ text: String) -> Double? {
        text.withCString { pointer -> Double? in
            var end: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            let value = strtod(pointer, &end)
            guard let end, end != UnsafeMutablePointer(mutating: pointer), end.pointee == 0, errno == 0 else {
                return nil
            }
            return value
        }
    }
}
