import TOMLKit

/// A TOML value copied out of TOMLKit into plain Swift: TOMLKit's tables are reference types over C++ nodes, and
/// the reader wants values it can switch over and pass around freely.
enum SpecValue: Equatable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case array([SpecValue])
    case table([String: SpecValue])
    /// Dates and times, which no field of the spec takes; kept to name their type in messages.
    case other(String)

    /// "a string", "an integer", ...: for "must be X, not Y" messages.
    var typeDescription: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a number with a fraction"
        case .boolean: "a boolean"
        case .array: "an array"
        case .table: "a table"
        case .other(let type): "a \(type)"
        }
    }

    init(_ value: TOMLValueConvertible) {
        switch value.type {
        case .string: self = .string(value.string ?? "")
        case .int: self = .integer(value.int ?? 0)
        case .double: self = .float(value.double ?? 0)
        case .bool: self = .boolean(value.bool ?? false)
        case .array:
            self = .array(value.array.map { array in array.map { SpecValue($0) } } ?? [])
        case .table:
            var entries: [String: SpecValue] = [:]
            if let table = value.table {
                for (key, element) in zip(table.keys, table.values) { entries[key] = SpecValue(element) }
            }
            self = .table(entries)
        case .date: self = .other("date")
        case .time: self = .other("time")
        case .dateTime: self = .other("date-time")
        }
    }

    /// Parses a TOML document; a syntax error carries TOMLKit's line and column.
    static func parseDocument(_ text: String, file: String) throws(WorkloadError) -> [String: SpecValue] {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isLineBreakForSpec)
            let line = error.source.begin.line
            var sourceLine: String? = nil
            if line >= 1 && line <= lines.count {
                var text = String(lines[line - 1])
                if text.hasSuffix("\r") { text.removeLast() }
                sourceLine = text
            }
            var message = "invalid TOML: \(error.description)"
            if error.description.contains("escape sequence") {
                // The usual cause: a meta-command (\set, \if) inside a basic string, where TOML reads escapes.
                message +=
                    #" (in "..." and """...""" strings write \\ for a backslash, or put a script with "#
                    + #"meta-commands in a '''...''' literal string)"#
            }
            throw WorkloadError(
                file: file,
                line: line,
                column: error.source.begin.column,
                message: message,
                sourceLine: sourceLine
            )
        } catch {
            throw WorkloadError(file: file, line: 0, column: 0, message: "invalid TOML: \(error)")
        }
        guard case .table(let entries) = SpecValue(table) else { return [:] }
        return entries
    }
}
