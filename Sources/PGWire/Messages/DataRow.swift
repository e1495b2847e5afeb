import NIOCore

/// DataRow ("D"): one row of a result, kept as one slice of the receive buffer.
///
/// Columns are not split out when the row is decoded; `column(_:)` and iteration walk the length
/// prefixes on demand and hand out slices, so a row nobody looks at costs nothing beyond framing.
/// The layout is validated when the row is decoded, so walking it later cannot fail.
public struct DataRow: Hashable, Sendable, Sequence {
    /// The number of columns.
    public let columnCount: Int
    /// The columns as on the wire: for each, an Int32 length (-1 for NULL) and that many bytes.
    public let bytes: ByteBuffer

    /// Wraps already-validated column bytes (see `decode`); use `init(columns:)` to build one.
    init(columnCount: Int, bytes: ByteBuffer) {
        self.columnCount = columnCount
        self.bytes = bytes
    }

    /// Builds a row from column values (nil is NULL), mostly for tests.
    public init(columns: [ByteBuffer?]) {
        var bytes = ByteBuffer()
        for column in columns {
            if let column {
                bytes.writeInteger(Int32(column.readableBytes))
                bytes.writeImmutableBuffer(column)
            } else {
                bytes.writeInteger(Int32(-1))
            }
        }
        self.init(columnCount: columns.count, bytes: bytes)
    }

    /// The value of column `index` (0-based) as a slice, nil for NULL. Walks the preceding columns'
    /// lengths, so reading every column by index is quadratic; iterate instead.
    ///
    /// - Precondition: `index` is in `0..<columnCount` (a programming error otherwise, not bad input).
    public func column(_ index: Int) -> ByteBuffer? {
        precondition(index >= 0 && index < self.columnCount, "column \(index) of a \(self.columnCount)-column row")
        var iterator = self.makeIterator()
        for _ in 0..<index {
            _ = iterator.next()
        }
        return iterator.next()!
    }

    /// Yields each column in order: a slice, or nil for NULL.
    public struct Iterator: IteratorProtocol {
        var remaining: ByteBuffer

        public mutating func next() -> ByteBuffer?? {
            guard let length = self.remaining.readInteger(as: Int32.self) else {
                return .none
            }
            if length < 0 {
                return .some(nil)
            }
            // Validated at decode time, so the slice is there.
            return .some(self.remaining.readSlice(length: Int(length)))
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(remaining: self.bytes)
    }

    public var underestimatedCount: Int { self.columnCount }

    static func decode(payload: inout ByteBuffer) throws(PGWireError) -> DataRow {
        let id = BackendMessageID.dataRow
        guard let count = payload.readInteger(as: Int16.self) else {
            throw .truncated(id, "the column count")
        }
        guard count >= 0 else {
            throw .invalid(id, "negative column count \(count)")
        }
        // Walk the columns once so that later access cannot run off the end.
        var walker = payload
        for column in 0..<Int(count) {
            guard let length = walker.readInteger(as: Int32.self) else {
                throw .truncated(id, "the length of column \(column)")
            }
            guard length >= -1 else {
                throw .invalid(id, "column \(column) has length \(length)")
            }
            if length > 0 {
                guard walker.readableBytes >= Int(length) else {
                    throw .truncated(id, "the \(length) bytes of column \(column)")
                }
                walker.moveReaderIndex(forwardBy: Int(length))
            }
        }
        let columnBytes = payload.readableBytes - walker.readableBytes
        return DataRow(columnCount: Int(count), bytes: payload.readSlice(length: columnBytes)!)
    }
}
