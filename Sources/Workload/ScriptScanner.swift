/// Splits a script into SQL commands and meta-commands, following the rules of psql's lexer that pgbench uses:
/// a `;` outside quotes, comments and parentheses ends an SQL command (and stays part of it); `\;` puts a `;` into
/// the command without ending it; any other backslash outside quotes starts a meta-command, which runs to the end
/// of its line. Whitespace and `--` comments before a command are dropped.
struct ScriptScanner {
    struct SQLFragment {
        var text: [UInt8]
        /// Offset of the first byte kept.
        var offset: Int
        var isCompound: Bool
    }

    enum Stop: Equatable {
        case semicolon
        /// A meta-command's backslash at this offset.
        case backslash(Int)
        case endOfText
    }

    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func byte(_ index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }

    private static func isIdentifierByte(_ c: UInt8) -> Bool { ExpressionLexer.isAlnum(c) || c == UInt8(ascii: "$") }

    /// Scans up to the next `;`, meta-command or the end of the text; returns the SQL collected (nil if nothing).
    mutating func scanSQL() -> (SQLFragment?, Stop) {
        var text: [UInt8] = []
        var start = position
        var compound = false
        var parenthesisDepth = 0
        // psql's heuristic for CREATE [OR REPLACE] FUNCTION/PROCEDURE ... BEGIN ATOMIC ... END: semicolons inside
        // the BEGIN block do not end the command. It remembers the first letters of the leading keywords.
        var identifierCount = 0
        var leadingKeywords: [UInt8] = [0, 0, 0, 0]
        var beginDepth = 0

        func result(_ stop: Stop) -> (SQLFragment?, Stop) {
            (text.isEmpty ? nil : SQLFragment(text: text, offset: start, isCompound: compound), stop)
        }

        while let c = byte(position) {
            if text.isEmpty && Self.isSpace(c) {
                position += 1
                continue
            }
            if c == UInt8(ascii: "-") && byte(position + 1) == UInt8(ascii: "-") {
                let end = lineEnd(from: position)
                if !text.isEmpty { text.append(contentsOf: bytes[position..<end]) }
                position = end
                continue
            }
            if text.isEmpty { start = position }
            switch c {
            case UInt8(ascii: "/") where byte(position + 1) == UInt8(ascii: "*"):
                let end = blockCommentEnd(from: position)
                text.append(contentsOf: bytes[position..<end])
                position = end
            case UInt8(ascii: "'"):
                let escapes =
                    position > 0 && (bytes[position - 1] | 0x20) == UInt8(ascii: "e")
                    && (position < 2 || !Self.isIdentifierByte(bytes[position - 2]))
                let end = quotedEnd(from: position, quote: c, backslashEscapes: escapes)
                text.append(contentsOf: bytes[position..<end])
                position = end
            case UInt8(ascii: "\""):
                let end = quotedEnd(from: position, quote: c, backslashEscapes: false)
                text.append(contentsOf: bytes[position..<end])
                position = end
            case UInt8(ascii: "$"):
                if let end = dollarQuotedEnd(from: position) {
                    text.append(contentsOf: bytes[position..<end])
                    position = end
                } else {
                    text.append(c)
                    position += 1
                }
            case UInt8(ascii: "("):
                parenthesisDepth += 1
                text.append(c)
                position += 1
            case UInt8(ascii: ")"):
                parenthesisDepth = max(0, parenthesisDepth - 1)
                text.append(c)
                position += 1
            case UInt8(ascii: ";"):
                text.append(c)
                position += 1
                if parenthesisDepth == 0 && beginDepth == 0 { return result(.semicolon) }
            case UInt8(ascii: "\\"):
                if let next = byte(position + 1), next == UInt8(ascii: ";") || next == UInt8(ascii: ":") {
                    if text.isEmpty { start = position }
                    if next == UInt8(ascii: ";") {
                        compound = true
                        identifierCount = 0
                    }
                    text.append(next)
                    position += 2
                } else {
                    let backslash = position
                    position += 1
                    return result(.backslash(backslash))
                }
            case _ where ExpressionLexer.isAlpha(c):
                var end = position + 1
                while let d = byte(end), Self.isIdentifierByte(d) { end += 1 }
                let word = String(decoding: bytes[position..<end], as: UTF8.self).lowercased()
                if identifierCount == 0 { leadingKeywords = [0, 0, 0, 0] }
                if ["create", "function", "procedure", "or", "replace"].contains(word), identifierCount < 4 {
                    leadingKeywords[identifierCount] = word.utf8.first!
                }
                identifierCount += 1
                let k = leadingKeywords.map { Character(UnicodeScalar($0)) }
                let createsRoutine =
                    k[0] == "c"
                    && (k[1] == "f" || k[1] == "p" || (k[1] == "o" && k[2] == "r" && (k[3] == "f" || k[3] == "p")))
                if createsRoutine && parenthesisDepth == 0 {
                    if word == "begin" {
                        beginDepth += 1
                    } else if word == "case" {
                        if beginDepth >= 1 { beginDepth += 1 }
                    } else if word == "end" && beginDepth > 0 {
                        beginDepth -= 1
                    }
                }
                text.append(contentsOf: bytes[position..<end])
                position = end
            default:
                text.append(c)
                position += 1
            }
        }
        return result(.endOfText)
    }

    func lineEnd(from index: Int) -> Int {
        var end = index
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        return end
    }

    /// End (exclusive) of a possibly nested `/* */` comment; an unterminated one runs to the end of the text.
    private func blockCommentEnd(from index: Int) -> Int {
        var depth = 0
        var i = index
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "/") && byte(i + 1) == UInt8(ascii: "*") {
                depth += 1
                i += 2
            } else if bytes[i] == UInt8(ascii: "*") && byte(i + 1) == UInt8(ascii: "/") {
                depth -= 1
                i += 2
                if depth == 0 { return i }
            } else {
                i += 1
            }
        }
        return bytes.count
    }

    /// End (exclusive) of a quoted string or identifier; a doubled quote stays inside.
    private func quotedEnd(from index: Int, quote: UInt8, backslashEscapes: Bool) -> Int {
        var i = index + 1
        while i < bytes.count {
            let c = bytes[i]
            if backslashEscapes && c == UInt8(ascii: "\\") {
                i += 2
                continue
            }
            if c == quote {
                if byte(i + 1) == quote {
                    i += 2
                    continue
                }
                return i + 1
            }
            i += 1
        }
        return bytes.count
    }

    /// End (exclusive) of a `$tag$...$tag$` string starting at `index`, or nil if no dollar quote starts there.
    private func dollarQuotedEnd(from index: Int) -> Int? {
        if index > 0 && Self.isIdentifierByte(bytes[index - 1]) { return nil }
        var i = index + 1
        if let first = byte(i), first != UInt8(ascii: "$") {
            guard ExpressionLexer.isAlpha(first) else { return nil }
            while let c = byte(i), ExpressionLexer.isAlnum(c) { i += 1 }
        }
        guard byte(i) == UInt8(ascii: "$") else { return nil }
        let tag = bytes[index...i]
        var j = i + 1
        while j + tag.count <= bytes.count {
            if bytes[j] == UInt8(ascii: "$") && bytes[j..<j + tag.count].elementsEqual(tag) {
                return j + tag.count
            }
            j += 1
        }
        return bytes.count
    }
}
