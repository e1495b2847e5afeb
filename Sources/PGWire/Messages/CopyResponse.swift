import NIOCore

/// CopyInResponse ("G"), CopyOutResponse ("H") and CopyBothResponse ("W"): a COPY has started.
public struct CopyResponse: Hashable, Sendable {
    /// The overall format: text (rows are lines) or binary.
    public var format: FormatCode
    /// The format of each column (all text when `format` is text).
    public var columnFormats: [FormatCode]

    public init(format: FormatCode, columnFormats: [FormatCode]) {
        self.format = format
        self.columnFormats = columnFormats
    }

    static func decode(id: BackendMessageID, payload: inout ByteBuffer) throws(PGWireError) -> CopyResponse {
        guard let (rawFormat, count) = payload.readMultipleIntegers(as: (Int8, Int16).self) else {
            throw .truncated(id, "the format and column count")
        }
        guard let format = FormatCode(rawValue: Int16(rawFormat)) else {
            throw .invalid(id, "overall format \(rawFormat)")
        }
        // Check the count against the bytes present before reserving anything for it.
        guard count >= 0, Int(count) * 2 == payload.readableBytes else {
            throw .invalid(id, "column count \(count) does not match \(payload.readableBytes) bytes of format codes")
        }
        var columnFormats: [FormatCode] = []
        columnFormats.reserveCapacity(Int(count))
        for _ in 0..<count {
            let raw = payload.readInteger(as: Int16.self)!
            guard let columnFormat = FormatCode(rawValue: raw) else {
                throw .invalid(id, "column format \(raw)")
            }
            columnFormats.append(columnFormat)
        }
        return CopyResponse(format: format, columnFormats: columnFormats)
    }
}
