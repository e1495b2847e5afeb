/// libpq's `keyword=value` connection strings: `host=/tmp port=5433 dbname='my db'`, spaces around `=` allowed,
/// single-quoted values with `\'` and `\\`, a backslash escaping the next character in unquoted values too.
public enum ConninfoString {
    /// Whether pgbench's database argument is a connection string rather than a name (libpq's rule).
    public static func isConnectionString(_ text: String) -> Bool {
        ConnectionURI.hasURIPrefix(text) || text.contains("=")
    }

    public static func parse(_ text: String) throws(PgswarmError) -> [String: String] {
        var result: [String: String] = [:]
        var characters = Array(text)
        characters.append("\0")  // a sentinel, so every look-ahead is in bounds
        var index = 0
        func skipSpaces() {
            while characters[index] != "\0" && characters[index].isWhitespace { index += 1 }
        }
        // Each round consumes at least one keyword character or ends: bounded by the text length.
        while true {
            skipSpaces()
            if characters[index] == "\0" { break }
            var keyword = ""
            while characters[index] != "\0" && characters[index] != "=" && !characters[index].isWhitespace {
                keyword.append(characters[index])
                index += 1
            }
            skipSpaces()
            guard characters[index] == "=" else {
                throw PgswarmError(.usage, "missing \"=\" after \"\(keyword)\" in connection info string")
            }
            index += 1
            skipSpaces()
            var value = ""
            if characters[index] == "'" {
                index += 1
                while true {
                    let character = characters[index]
                    if character == "\0" {
                        throw PgswarmError(.usage, "unterminated quoted string in connection info string")
                    }
                    index += 1
                    if character == "'" { break }
                    if character == "\\" && characters[index] != "\0" {
                        value.append(characters[index])
                        index += 1
                    } else {
                        value.append(character)
                    }
                }
            } else {
                while characters[index] != "\0" && !characters[index].isWhitespace {
                    if characters[index] == "\\" && characters[index + 1] != "\0" { index += 1 }
                    value.append(characters[index])
                    index += 1
                }
            }
            guard ConnectionKeywords.isKnown(keyword) else {
                throw PgswarmError(.usage, "invalid connection option \"\(keyword)\"")
            }
            result[keyword] = value
        }
        return result
    }

    /// Either form: a URI or a keyword=value list.
    public static func parseAny(_ text: String) throws(PgswarmError) -> [String: String] {
        ConnectionURI.hasURIPrefix(text) ? try ConnectionURI.parse(text) : try parse(text)
    }
}
