import NIOCore

/// RowDescription ("T"): the columns of the rows that follow, kept as one slice.
///
/// In the simple query protocol every SELECT sends one, so fields are decoded only when iterated
/// (`for field in description`) rather than into an array per message. Validated at decode time.
public struct RowDescription: Hashable, Sendable, Sequence {
    /// One column of a result.
    public struct Field: Hashable, Sendable {
        public var name: String
        /// The table the column comes from, 0 if none.
        public var tableOID: UInt32
        /// The column's attribute number in that table, 0 if none.
        public var columnAttributeNumber: Int16
        public var dataTypeOID: UInt32
        /// The type's size (pg_type.typlen); negative for variable-width types.
        public var dataTypeSize: Int16
        /// The type modifier (pg_attribute.atttypmod), e.g. a varchar's length.
        public var typeModifier: Int32
        /// Text or binary; always text in a Describe answer, as the format is chosen at Bind.
        public var format: FormatCode

        public init(
            name: String,
            tableOID: UInt32,
            columnAttributeNumber: Int16,
            dataTypeOID: UInt32,
            dataTypeSize: Int16,
            typeModifier: Int32,
            format: FormatCode
        ) {
            self.name = name
            self.tableOID = tableOID
            self.columnAttributeNumber = columnAttributeNumber
            self.dataTypeOID = dataTypeOID
            self.dataTypeSize = dataTypeSize
            self.typeModifier = typeModifier
            self.format = format
        }
    }

    /// The number of columns.
    public let fieldCount: Int
    /// The field descriptions as on the wire.
    public let bytes: ByteBuffer

    init(fieldCount: Int, validatedBytes: ByteBuffer) {
        self.fieldCount = fieldCount
        self.bytes = validatedBytes
    }

    /// Builds a description from fields, mostly for tests.
    public init(fields: [Field]) {
        var bytes = ByteBuffer()
        for field in fields {
            bytes.writeNullTerminatedString(field.name)
            bytes.writeMultipleIntegers(
                field.tableOID,
                field.columnAttributeNumber,
                field.dataTypeOID,
                field.dataTypeSize,
                field.typeModifier,
                field.format.rawValue
            )
        }
        self.init(fieldCount: fields.count, validatedBytes: bytes)
    }

    /// All fields in an array (allocates; for setup paths).
    public var fields: [Field] { Array(self) }

    /// Yields the fields in order.
    public struct Iterator: IteratorProtocol {
        var remaining: ByteBuffer

        public mutating func next() -> Field? {
            // Validated at decode time, so a present name is followed by all fixed fields.
            guard let name = self.remaining.readNullTerminatedString(),
                let (table, attribute, type, size, modifier, rawFormat) = self.remaining.readMultipleIntegers(
                    as: (UInt32, Int16, UInt32, Int16, Int32, Int16).self
                ),
                let format = FormatCode(rawValue: rawFormat)
            else {
                return nil
            }
            return Field(
                name: name,
                tableOID: table,
                columnAttributeNumber: attribute,
                dataTypeOID: type,
                dataTypeSize: size,
                typeModifier: modifier,
                format: format
            )
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(remaining: self.bytes)
    }

    public var underestimatedCount: Int { self.fieldCount }

    /// The fixed part of a field after its name: table OID, attribute number, type OID, type size,
    /// type modifier, format code.
    static let fixedFieldBytes = 4 + 2 + 4 + 2 + 4 + 2

    static func decode(payload: inout ByteBuffer) throws(PGWireError) -> RowDescription {
        let id = BackendMessageID.rowDescription
        guard let count = payload.readInteger(as: Int16.self) else {
            throw .truncated(id, "the field count")
        }
        guard count >= 0 else {
            throw .invalid(id, "negative field count \(count)")
        }
        var walker = payload
        for field in 0..<Int(count) {
            guard walker.readNullTerminatedSlice() != nil else {
                throw .truncated(id, "the NUL ending the name of field \(field)")
            }
            guard walker.readableBytes >= Self.fixedFieldBytes else {
                throw .truncated(id, "the type information of field \(field)")
            }
            let rawFormat = walker.getInteger(at: walker.readerIndex + Self.fixedFieldBytes - 2, as: Int16.self)!
            guard FormatCode(rawValue: rawFormat) != nil else {
                throw .invalid(id, "field \(field) has format code \(rawFormat)")
            }
            walker.moveReaderIndex(forwardBy: Self.fixedFieldBytes)
        }
        let length = payload.readableBytes - walker.readableBytes
        return RowDescription(fieldCount: Int(count), validatedBytes: payload.readSlice(length: length)!)
    }
}
