/// Errors counted by severity, SQLSTATE and message: poolers answer with generic SQLSTATEs (08P01, 58000, XX000) and
/// put the reason in the message, so the SQLSTATE alone cannot tell "no more connections allowed" from "server conn
/// crashed?". Quoted names and numbers in messages are folded (`"…"`, `N`), so one kind of error is one line.
public struct ErrorDetail: Codable, Sendable, Equatable, Hashable {
    public var severity: String
    public var sqlState: String
    public var message: String

    enum CodingKeys: String, CodingKey {
        case severity
        case sqlState = "sqlstate"
        case message
    }

    public init(severity: String, sqlState: String, message: String) {
        self.severity = severity
        self.sqlState = sqlState
        self.message = Self.fold(message)
    }

    /// How many distinct details a run keeps; the rest are counted under one "other messages" detail.
    public static let limit = 64
    public static let other = ErrorDetail(severity: "-", sqlState: "-", message: "(other messages)")

    /// The message with quoted parts and digit runs replaced, at most 160 characters.
    static func fold(_ message: String) -> String {
        var folded = ""
        var inQuote = false
        var lastWasDigit = false
        for character in message {
            if character == "\"" {
                if !inQuote { folded += "\"…\"" }
                inQuote.toggle()
                lastWasDigit = false
                continue
            }
            if inQuote { continue }
            if character.isASCII && character.isNumber {
                if !lastWasDigit { folded.append("N") }
                lastWasDigit = true
                continue
            }
            lastWasDigit = false
            folded.append(character)
        }
        return String(folded.prefix(160))
    }
}

/// One line of `errors_detailed` in summary.json.
public struct ErrorDetailCount: Codable, Sendable, Equatable {
    public var severity: String
    public var sqlState: String
    public var message: String
    public var count: UInt64

    enum CodingKeys: String, CodingKey {
        case severity
        case sqlState = "sqlstate"
        case message, count
    }

    public init(_ detail: ErrorDetail, count: UInt64) {
        severity = detail.severity
        sqlState = detail.sqlState
        message = detail.message
        self.count = count
    }

    /// Counts keyed by detail, most frequent first (then by SQLSTATE and message, for a stable order).
    public static func sorted(_ counts: [ErrorDetail: UInt64]) -> [ErrorDetailCount] {
        counts.map { ErrorDetailCount($0.key, count: $0.value) }.sorted {
            ($0.count, $1.sqlState, $1.message) > ($1.count, $0.sqlState, $0.message)
        }
    }
}
