/// The spec file being read: its name, its lines and where its keys are, to turn a key path into an error that
/// shows file:line:column and the line.
struct SpecContext {
    let file: String
    let lines: [String]
    let map: SpecSourceMap

    init(file: String, text: String) {
        self.file = file
        lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isLineBreakForSpec).map { line in
            line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
        }
        map = SpecSourceMap(text: text)
    }

    /// An error located at `path`'s value (or its key with `atKey`), else at the nearest enclosing key.
    func error(at path: String, atKey: Bool = false, _ message: String) -> WorkloadError {
        guard let position = map.position(of: path, preferKey: atKey) else {
            return WorkloadError(file: file, line: 0, column: 0, message: message)
        }
        return error(line: position.line, column: position.column, message)
    }

    func error(line: Int, column: Int, _ message: String) -> WorkloadError {
        var sourceLine: String? = nil
        if line >= 1 && line <= lines.count { sourceLine = lines[line - 1] }
        return WorkloadError(file: file, line: line, column: column, message: message, sourceLine: sourceLine)
    }
}

/// One table of the spec (`[workload]`, one `[[script]]`, an inline `{ from = 1, to = 2 }`), read key by key with a
/// located message for each wrong key, type or value.
struct SpecTable {
    /// The key path of this table (`script[1]`), for locating errors.
    let path: String
    /// How messages name it: `[workload]`, `[[script]]`.
    let title: String
    let entries: [String: SpecValue]
    let context: SpecContext

    func keyPath(_ key: String) -> String { SpecSourceMap.join(path, key) }

    /// Refuses keys not in `allowed`, first in the file's order; suggests the closest allowed key.
    func checkKeys(_ allowed: [String]) throws(WorkloadError) {
        let unknown = keysInFileOrder().filter { !allowed.contains($0) }
        guard let key = unknown.first else { return }
        var message = "unknown key \"\(key)\" in \(title)"
        if let suggestion = Self.closest(to: key, among: allowed) {
            message += "; did you mean \"\(suggestion)\"?"
        } else {
            message += "; expected one of: " + allowed.joined(separator: ", ")
        }
        throw context.error(at: keyPath(key), atKey: true, message)
    }

    func has(_ key: String) -> Bool { entries[key] != nil }

    /// The keys as the file has them (TOMLKit's tables come back sorted by name).
    func keysInFileOrder() -> [String] {
        func order(_ key: String) -> Int { context.map.order[keyPath(key)] ?? Int.max }
        return entries.keys.sorted { (order($0), $0) < (order($1), $1) }
    }

    func typeError(_ key: String, expected: String, got value: SpecValue) -> WorkloadError {
        context.error(at: keyPath(key), "\"\(key)\" in \(title) must be \(expected), not \(value.typeDescription)")
    }

    func string(_ key: String) throws(WorkloadError) -> String? {
        guard let value = entries[key] else { return nil }
        guard case .string(let text) = value else { throw typeError(key, expected: "a string", got: value) }
        return text
    }

    func integer(_ key: String, minimum: Int) throws(WorkloadError) -> Int? {
        guard let value = entries[key] else { return nil }
        guard case .integer(let number) = value else { throw typeError(key, expected: "an integer", got: value) }
        guard number >= minimum else {
            throw context.error(at: keyPath(key), "\"\(key)\" in \(title) must be at least \(minimum), not \(number)")
        }
        return number
    }

    func boolean(_ key: String) throws(WorkloadError) -> Bool? {
        guard let value = entries[key] else { return nil }
        guard case .boolean(let flag) = value else { throw typeError(key, expected: "true or false", got: value) }
        return flag
    }

    /// An integer or a float, greater than zero.
    func positiveNumber(_ key: String) throws(WorkloadError) -> Double? {
        guard let value = entries[key] else { return nil }
        let number: Double
        switch value {
        case .integer(let integer): number = Double(integer)
        case .float(let float): number = float
        default: throw typeError(key, expected: "a number", got: value)
        }
        guard number > 0 && number.isFinite else {
            throw context.error(at: keyPath(key), "\"\(key)\" in \(title) must be greater than 0")
        }
        return number
    }

    /// A string or an array of strings (one SQL statement or several).
    func stringList(_ key: String) throws(WorkloadError) -> [String]? {
        guard let value = entries[key] else { return nil }
        switch value {
        case .string(let text):
            return [text]
        case .array(let elements):
            var result: [String] = []
            for (index, element) in elements.enumerated() {
                guard case .string(let text) = element else {
                    throw context.error(
                        at: "\(keyPath(key))[\(index)]",
                        "\"\(key)\" in \(title) must be an array of strings; element \(index + 1) is "
                            + element.typeDescription
                    )
                }
                result.append(text)
            }
            return result
        default:
            throw typeError(key, expected: "a string or an array of strings", got: value)
        }
    }

    func table(_ key: String, title: String? = nil) throws(WorkloadError) -> SpecTable? {
        guard let value = entries[key] else { return nil }
        guard case .table(let entries) = value else { throw typeError(key, expected: "a table", got: value) }
        return SpecTable(path: keyPath(key), title: title ?? "\"\(key)\"", entries: entries, context: context)
    }

    func duration(_ key: String) throws(WorkloadError) -> Double? {
        guard let value = entries[key] else { return nil }
        switch value {
        case .integer, .float, .string:
            guard let seconds = SpecDuration.seconds(value) else {
                throw context.error(at: keyPath(key), SpecDuration.invalidMessage(value, key: key))
            }
            return seconds
        default:
            throw typeError(key, expected: "a duration such as \"30s\"", got: value)
        }
    }

    /// An allowed key within two edits of `key`, if there is exactly a best one.
    static func closest(to key: String, among allowed: [String]) -> String? {
        let scored = allowed.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension Character {
    /// `\n` or `\r\n` (one Character in Swift, so splitting on "\n" alone would miss CRLF lines).
    var isLineBreakForSpec: Bool { self == "\n" || self == "\r\n" }
}
