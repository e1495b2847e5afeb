/// A token of the expression language, with its byte offset in the script for error positions.
struct ExpressionToken: Equatable {
    enum Kind: Equatable {
        case integer(Int64)
        /// 9223372036854775808: only valid right after a unary minus.
        case integerMinMagnitude
        case double(Double)
        case boolean(Bool)
        case null
        case variable(String)
        case identifier(String)
        case keyword(Keyword)
        case symbol(String)
        case end
    }

    enum Keyword: String {
        case and, or, not, `is`, isnull, notnull, `case`, when, then, `else`, end
    }

    let kind: Kind
    let offset: Int
}

/// Splits one meta-command's expression (up to the end of its line; a backslash before the newline continues it)
/// into tokens, as pgbench's exprscan does.
struct ExpressionLexer {
    let bytes: [UInt8]
    private(set) var position: Int

    init(bytes: [UInt8], position: Int) {
        self.bytes = bytes
        self.position = position
    }

    /// The offset where the expression's line ends (the newline, or the end of the text).
    var lineEnd: Int {
        var index = position
        while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
        return index
    }

    static func isAlpha(_ c: UInt8) -> Bool {
        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_") || c >= 0x80
    }

    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }

    static func isAlnum(_ c: UInt8) -> Bool { isAlpha(c) || isDigit(c) }

    private func byte(at index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Skips blanks and line continuations; stops at a newline.
    mutating func skipBlanks() {
        while let c = byte(at: position) {
            if c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0B || c == 0x0C {
                position += 1
            } else if c == UInt8(ascii: "\\") {
                // `\` + optional `\r` + newline continues the command on the next line.
                var next = position + 1
                if byte(at: next) == 0x0D { next += 1 }
                if byte(at: next) == 0x0A {
                    position = next + 1
                } else {
                    return
                }
            } else {
                return
            }
        }
    }

    mutating func next() throws(LexError) -> ExpressionToken {
        skipBlanks()
        let start = position
        guard let c = byte(at: position), c != 0x0A else {
            return ExpressionToken(kind: .end, offset: start)
        }
        if Self.isDigit(c) || (c == UInt8(ascii: ".") && byte(at: position + 1).map(Self.isDigit) == true) {
            return try number(start: start)
        }
        if c == UInt8(ascii: ":") {
            var end = position + 1
            while let d = byte(at: end), Self.isAlnum(d) { end += 1 }
            guard end > position + 1 else { throw LexError(message: "unexpected character \":\"", offset: start) }
            position = end
            return ExpressionToken(kind: .variable(text(start + 1, end)), offset: start)
        }
        if Self.isAlpha(c) {
            var end = position + 1
            while let d = byte(at: end), Self.isAlnum(d) { end += 1 }
            position = end
            let word = text(start, end)
            switch word.lowercased() {
            case "true": return ExpressionToken(kind: .boolean(true), offset: start)
            case "false": return ExpressionToken(kind: .boolean(false), offset: start)
            case "null": return ExpressionToken(kind: .null, offset: start)
            case let lower:
                if let keyword = ExpressionToken.Keyword(rawValue: lower) {
                    return ExpressionToken(kind: .keyword(keyword), offset: start)
                }
                return ExpressionToken(kind: .identifier(word), offset: start)
            }
        }
        let two = byte(at: position + 1).map { String(UnicodeScalar(c)) + String(UnicodeScalar($0)) } ?? ""
        if ["<=", ">=", "<>", "!=", "<<", ">>"].contains(two) {
            position += 2
            return ExpressionToken(kind: .symbol(two == "!=" ? "<>" : two), offset: start)
        }
        if "()+-*/%<>=&|#~,".utf8.contains(c) {
            position += 1
            return ExpressionToken(kind: .symbol(String(UnicodeScalar(c))), offset: start)
        }
        let shown = c < 0x80 ? String(UnicodeScalar(c)) : "\\x" + String(c, radix: 16)
        throw LexError(message: "unexpected character \"\(shown)\"", offset: start)
    }

    private mutating func number(start: Int) throws(LexError) -> ExpressionToken {
        var end = position
        var isDouble = false
        while let d = byte(at: end), Self.isDigit(d) { end += 1 }
        if byte(at: end) == UInt8(ascii: ".") {
            isDouble = true
            end += 1
            while let d = byte(at: end), Self.isDigit(d) { end += 1 }
        }
        if let e = byte(at: end), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var exponent = end + 1
            if let sign = byte(at: exponent), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { exponent += 1 }
            if let d = byte(at: exponent), Self.isDigit(d) {
                isDouble = true
                end = exponent
                while let d = byte(at: end), Self.isDigit(d) { end += 1 }
            }
        }
        // A number running into letters ("12abc") is not a number pgbench accepts.
        if let d = byte(at: end), Self.isAlpha(d) {
            throw LexError(message: "syntax error: invalid number \"\(text(start, end + 1))\"", offset: start)
        }
        position = end
        let literal = text(start, end)
        if isDouble {
            guard let value = TextValueParser.parseDouble(literal), value.isFinite else {
                throw LexError(message: "double constant overflow \"\(literal)\"", offset: start)
            }
            return ExpressionToken(kind: .double(value), offset: start)
        }
        if let value = Int64(literal) {
            return ExpressionToken(kind: .integer(value), offset: start)
        }
        if literal.drop(while: { $0 == "0" }) == "9223372036854775808" {
            return ExpressionToken(kind: .integerMinMagnitude, offset: start)
        }
        throw LexError(message: "bigint constant overflow \"\(literal)\"", offset: start)
    }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }
}

struct LexError: Error {
    let message: String
    let offset: Int
}
