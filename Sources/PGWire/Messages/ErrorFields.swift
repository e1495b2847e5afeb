import NIOCore

/// The field codes of ErrorResponse and NoticeResponse.
public enum ErrorFieldCode: UInt8, Hashable, Sendable, CaseIterable {
    /// Severity, possibly localized: ERROR, FATAL, PANIC, WARNING, NOTICE, DEBUG, INFO, LOG.
    case localizedSeverity = 0x53  // S
    /// Severity, never localized (since 9.6).
    case severity = 0x56  // V
    /// The SQLSTATE code.
    case sqlState = 0x43  // C
    /// The primary human-readable message.
    case message = 0x4D  // M
    case detail = 0x44  // D
    case hint = 0x48  // H
    /// Cursor position in the query string (1-based, in characters).
    case position = 0x50  // P
    case internalPosition = 0x70  // p
    case internalQuery = 0x71  // q
    /// Call-stack context.
    case locationContext = 0x57  // W
    case schemaName = 0x73  // s
    case tableName = 0x74  // t
    case columnName = 0x63  // c
    case dataTypeName = 0x64  // d
    case constraintName = 0x6E  // n
    case file = 0x46  // F
    case line = 0x4C  // L
    case routine = 0x52  // R
}

/// The body of an ErrorResponse ("E") or NoticeResponse ("N"), kept as one slice.
///
/// Fields are looked up on demand, so an error storm costs no String per field. Validated at
/// decode time: a sequence of (code, NUL-terminated value) pairs ending with a NUL.
public struct ErrorFields: Hashable, Sendable, CustomStringConvertible {
    /// The raw fields, including the final NUL terminator.
    public let bytes: ByteBuffer

    init(validatedBytes: ByteBuffer) {
        self.bytes = validatedBytes
    }

    /// Builds the body from fields, mostly for tests.
    public init(_ fields: [(ErrorFieldCode, String)]) {
        var bytes = ByteBuffer()
        for (code, value) in fields {
            bytes.writeInteger(code.rawValue)
            bytes.writeNullTerminatedString(value)
        }
        bytes.writeInteger(UInt8(0))
        self.bytes = bytes
    }

    /// The value of field `code` as a slice of the message, nil if absent.
    public func fieldBytes(_ code: UInt8) -> ByteBuffer? {
        var remaining = self.bytes
        while let fieldCode = remaining.readInteger(as: UInt8.self), fieldCode != 0 {
            guard let value = remaining.readNullTerminatedSlice() else {
                return nil
            }
            if fieldCode == code {
                return value
            }
        }
        return nil
    }

    /// The value of field `code`, nil if absent.
    public func field(_ code: ErrorFieldCode) -> String? {
        self.fieldBytes(code.rawValue).map { String(buffer: $0) }
    }

    /// The SQLSTATE, e.g. `"23505"` (five ASCII bytes, stored inline: no allocation).
    public var sqlState: String? { self.field(.sqlState) }
    /// The primary message.
    public var message: String? { self.field(.message) }
    /// The unlocalized severity when the server sent it, the localized one otherwise.
    public var severity: String? { self.field(.severity) ?? self.field(.localizedSeverity) }

    /// Every field in order, with codes this client does not know kept as raw bytes.
    public var allFields: [(code: UInt8, value: String)] {
        var fields: [(code: UInt8, value: String)] = []
        var remaining = self.bytes
        while let fieldCode = remaining.readInteger(as: UInt8.self), fieldCode != 0,
            let value = remaining.readNullTerminatedSlice()
        {
            fields.append((fieldCode, String(buffer: value)))
        }
        return fields
    }

    public var description: String {
        "\(self.severity ?? "?") \(self.sqlState ?? "?") \(self.message ?? "")"
    }

    static func decode(id: BackendMessageID, payload: inout ByteBuffer) throws(PGWireError) -> ErrorFields {
        var walker = payload
        while true {
            guard let code = walker.readInteger(as: UInt8.self) else {
                throw .truncated(id, "the NUL ending the field list")
            }
            if code == 0 {
                break
            }
            guard walker.readNullTerminatedSlice() != nil else {
                throw .truncated(id, "the NUL ending field \"\(Character(Unicode.Scalar(code)))\"")
            }
        }
        let length = payload.readableBytes - walker.readableBytes
        return ErrorFields(validatedBytes: payload.readSlice(length: length)!)
    }
}
