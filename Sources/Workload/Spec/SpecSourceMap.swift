/// Where each key and value of a TOML document is: TOMLKit gives positions for syntax errors only, so semantic
/// errors ("unknown key", "bad duration") find their line here. Also the keys' order as written, which TOMLKit's
/// tables lose (variables may depend on the ones before them).
///
/// Paths name keys as the spec reader does: `workload.name`, `script[1].weight`, `phase[0].clients.from`,
/// `setup.sql[2]`. A table header's position is its path's key position.
///
/// The scanner assumes a document TOMLKit has already accepted; on anything unexpected it stops quietly and the
/// errors fall back to the nearest enclosing key it did find.
struct SpecSourceMap {
    struct Position: Equatable {
        /// 1-based line and column (column in characters).
        var line: Int
        var column: Int
    }

    private(set) var keyPositions: [String: Position] = [:]
    private(set) var valuePositions: [String: Position] = [:]
    /// Order of first appearance of each key path.
    private(set) var order: [String: Int] = [:]

    init(text: String) {
        var scanner = Scanner(bytes: Array(text.utf8))
        scanner.scanDocument()
        keyPositions = scanner.keyPositions
        valuePositions = scanner.valuePositions
        order = scanner.order
    }

    /// The position to blame for `path`: its value (or key), else the nearest enclosing path that has one.
    func position(of path: String, preferKey: Bool = false) -> Position? {
        var current = path
        // Bounded by the path's length: each round drops one component.
        for _ in 0...path.utf8.count {
            let found =
                preferKey
                ? (keyPositions[current] ?? valuePositions[current])
                : (valuePositions[current] ?? keyPositions[current])
            if let found { return found }
            guard let parent = Self.parent(of: current) else { return nil }
            current = parent
        }
        return nil
    }

    /// `a.b[2]` → `a.b`, `a.b` → `a`, `a` → nil.
    static func parent(of path: String) -> String? {
        if path.hasSuffix("]"), let open = path.lastIndex(of: "[") { return String(path[..<open]) }
        if let dot = path.lastIndex(of: ".") { return String(path[..<dot]) }
        return nil
    }

    static func join(_ prefix: String, _ key: String) -> String {
        prefix.isEmpty ? key : prefix + "." + key
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var line = 1
        var column = 1
        var keyPositions: [String: Position] = [:]
        var valuePositions: [String: Position] = [:]
        var order: [String: Int] = [:]
        var arrayTableCounts: [String: Int] = [:]

        init(bytes: [UInt8]) { self.bytes = bytes }

        var position: Position { Position(line: line, column: column) }
        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func advance() {
            guard index < bytes.count else { return }
            let byte = bytes[index]
            index += 1
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                // Count characters, not UTF-8 continuation bytes.
                column += 1
            }
        }

        func peek(_ text: String) -> Bool {
            let pattern = Array(text.utf8)
            guard index + pattern.count <= bytes.count else { return false }
            return Array(bytes[index..<(index + pattern.count)]) == pattern
        }

        mutating func record(key path: String, at position: Position) {
            if keyPositions[path] == nil { keyPositions[path] = position }
            if order[path] == nil { order[path] = order.count }
        }

        mutating func skipBlanks() {
            while let c = current, c == 0x20 || c == 0x09 { advance() }
        }

        mutating func skipToEndOfLine() {
            while let c = current, c != 0x0A { advance() }
        }

        /// Blanks, newlines and comments (inside arrays and between statements).
        mutating func skipTrivia() {
            while let c = current {
                if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D {
                    advance()
                } else if c == UInt8(ascii: "#") {
                    skipToEndOfLine()
                } else {
                    return
                }
            }
        }

        mutating func scanDocument() {
            var prefix = ""
            // Every round consumes at least one byte or stops.
            while index < bytes.count {
                let start = index
                skipTrivia()
                guard let c = current else { return }
                if c == UInt8(ascii: "[") {
                    let headerPosition = position
                    let isArray = peek("[[")
                    advance()
                    if isArray { advance() }
                    skipBlanks()
                    guard let name = scanDottedKey() else { return }
                    var path = name
                    if isArray {
                        let count = arrayTableCounts[name, default: 0]
                        arrayTableCounts[name] = count + 1
                        path = "\(name)[\(count)]"
                    }
                    record(key: path, at: headerPosition)
                    prefix = path
                    skipToEndOfLine()
                } else {
                    guard scanKeyValue(prefix: prefix) else { return }
                }
                if index == start { return }
            }
        }

        /// `key = value` (the key possibly dotted); records both. False when the text is not as expected.
        mutating func scanKeyValue(prefix: String) -> Bool {
            let keyPosition = position
            guard let key = scanDottedKey() else { return false }
            let path = SpecSourceMap.join(prefix, key)
            record(key: path, at: keyPosition)
            skipBlanks()
            guard current == UInt8(ascii: "=") else { return false }
            advance()
            skipBlanks()
            return scanValue(path: path)
        }

        /// A bare or quoted key, with dots; returns the components joined by dots (quotes removed).
        mutating func scanDottedKey() -> String? {
            var components: [String] = []
            // Bounded by the text: each round consumes a key component.
            while index < bytes.count {
                skipBlanks()
                guard let c = current else { return nil }
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                    guard let text = scanQuoted() else { return nil }
                    components.append(text)
                } else {
                    let start = index
                    while let c = current, Self.isBareKeyByte(c) { advance() }
                    guard index > start else { return nil }
                    components.append(String(decoding: bytes[start..<index], as: UTF8.self))
                }
                skipBlanks()
                guard current == UInt8(ascii: ".") else { break }
                advance()
            }
            return components.isEmpty ? nil : components.joined(separator: ".")
        }

        static func isBareKeyByte(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
                || c == 0x2D
        }

        /// A single-line basic or literal string at `current`; returns its raw text (escapes kept).
        mutating func scanQuoted() -> String? {
            guard let quote = current else { return nil }
            advance()
            let start = index
            while let c = current, c != quote, c != 0x0A {
                if quote == UInt8(ascii: "\"") && c == UInt8(ascii: "\\") { advance() }
                advance()
            }
            guard current == quote else { return nil }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            advance()
            return text
        }

        mutating func scanValue(path: String) -> Bool {
            if valuePositions[path] == nil { valuePositions[path] = position }
            guard let c = current else { return false }
            if peek("\"\"\"") || peek("'''") {
                return scanMultilineString()
            }
            if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                return scanQuoted() != nil
            }
            if c == UInt8(ascii: "[") {
                advance()
                var element = 0
                // Each round consumes an element and its comma, or the closing bracket.
                while index < bytes.count {
                    skipTrivia()
                    if current == UInt8(ascii: "]") {
                        advance()
                        return true
                    }
                    guard scanValue(path: "\(path)[\(element)]") else { return false }
                    element += 1
                    skipTrivia()
                    if current == UInt8(ascii: ",") { advance() }
                }
                return false
            }
            if c == UInt8(ascii: "{") {
                advance()
                while index < bytes.count {
                    skipBlanks()
                    if current == UInt8(ascii: "}") {
                        advance()
                        return true
                    }
                    guard scanKeyValue(prefix: path) else { return false }
                    skipBlanks()
                    if current == UInt8(ascii: ",") { advance() }
                }
                return false
            }
            // Numbers, booleans, dates: up to a delimiter.
            let start = index
            while let c = current, c != UInt8(ascii: ","), c != UInt8(ascii: "]"), c != UInt8(ascii: "}"),
                c != UInt8(ascii: "#"), c != 0x0A, c != 0x0D
            {
                advance()
            }
            return index > start
        }

        mutating func scanMultilineString() -> Bool {
            let delimiter = peek("\"\"\"") ? "\"\"\"" : "'''"
            let isBasic = delimiter.hasPrefix("\"")
            advance()
            advance()
            advance()
            while index < bytes.count {
                if isBasic && current == UInt8(ascii: "\\") {
                    advance()
                    advance()
                    continue
                }
                if peek(delimiter) {
                    advance()
                    advance()
                    advance()
                    // Up to two more quotes may belong to the string's content (`""""` ends with a quote).
                    if peek(String(delimiter.prefix(1))) { advance() }
                    if peek(String(delimiter.prefix(1))) { advance() }
                    return true
                }
                advance()
            }
            return false
        }
    }
}
