import NIOCore

/// One parameter value for Bind or FunctionCall.
///
/// The format code written for the parameter follows from the case: `.text` is sent as text,
/// `.binary` in binary format, `.null` as a NULL (its format code is irrelevant and written as text).
public enum BindParameter: Hashable, Sendable {
    case null
    /// A value in the type's text form, e.g. `"42"`. Short strings (up to 15 UTF-8 bytes) are stored
    /// inline by Swift, so integer parameters cost no allocation.
    case text(String)
    /// A value already in text form, as bytes (e.g. rendered straight into a scratch buffer).
    case textBytes(ByteBuffer)
    /// A value in the type's binary format.
    case binary(ByteBuffer)

    /// The format code to announce for this parameter.
    @inlinable
    public var formatCode: FormatCode {
        switch self {
        case .null, .text, .textBytes: .text
        case .binary: .binary
        }
    }
}

extension ByteBuffer {
    /// Writes a parameter value as the protocol's Int32 length (-1 for NULL) followed by its bytes.
    @inlinable
    mutating func writeBindParameterValue(_ parameter: BindParameter) {
        switch parameter {
        case .null:
            self.writeInteger(Int32(-1))
        case .text(let string):
            let lengthIndex = self.writerIndex
            self.writeInteger(Int32(0))
            let written = self.writeString(string)
            self.setInteger(Int32(truncatingIfNeeded: written), at: lengthIndex)
        case .textBytes(let bytes), .binary(let bytes):
            self.writeInteger(Int32(truncatingIfNeeded: bytes.readableBytes))
            self.writeImmutableBuffer(bytes)
        }
    }
}
