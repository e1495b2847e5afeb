import NIOCore

/// CommandComplete ("C"): a statement finished; the tag says what it did.
public struct CommandComplete: Hashable, Sendable {
    /// The command tag without its NUL, e.g. `INSERT 0 5`, `SELECT 3`, `BEGIN` (a slice of the
    /// receive buffer).
    public var tag: ByteBuffer
    /// The row count at the end of the tag for commands that report one (INSERT, UPDATE, DELETE,
    /// MERGE, SELECT, MOVE, FETCH, COPY); nil for the others. Parsed when asked: the load loop never asks.
    public var rowsAffected: Int64? { Self.parseRowCount(self.tag) }

    public init(tag: ByteBuffer) {
        self.tag = tag
    }

    /// The tag as a String (allocates when longer than 15 bytes).
    public var tagString: String {
        String(buffer: self.tag)
    }

    static func decode(payload: inout ByteBuffer) throws(PGWireError) -> CommandComplete {
        guard let tag = payload.readNullTerminatedSlice() else {
            throw .truncated(.commandComplete, "the NUL ending the command tag")
        }
        return CommandComplete(tag: tag)
    }

    /// Reads the trailing number of a tag whose first word is a counting command, without
    /// building a String.
    static func parseRowCount(_ tag: ByteBuffer) -> Int64? {
        let bytes = tag.readableBytesView
        guard let firstSpace = bytes.firstIndex(of: UInt8(ascii: " ")),
            let lastSpace = bytes.lastIndex(of: UInt8(ascii: " "))
        else {
            return nil
        }
        guard Self.countsRows(command: bytes[bytes.startIndex..<firstSpace]) else {
            return nil
        }
        let digits = bytes[(lastSpace + 1)...]
        guard !digits.isEmpty, digits.count <= 19 else {
            return nil
        }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                return nil
            }
            let (product, overflowMultiply) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowAdd) = product.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            guard !overflowMultiply, !overflowAdd else {
                return nil
            }
            value = sum
        }
        return value
    }

    /// The commands whose tag ends in a row count (see the CommandComplete documentation).
    private static let countingCommands: [StaticString] = [
        "INSERT", "DELETE", "UPDATE", "MERGE", "SELECT", "MOVE", "FETCH", "COPY",
    ]

    private static func countsRows(command: ByteBufferView.SubSequence) -> Bool {
        for name in Self.countingCommands where name.utf8CodeUnitCount == command.count {
            let matches = name.withUTF8Buffer { nameBytes in
                nameBytes.elementsEqual(command)
            }
            if matches {
                return true
            }
        }
        return false
    }
}
