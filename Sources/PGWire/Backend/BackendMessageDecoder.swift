import NIOCore

/// Frames backend messages by their length and decodes them, handing out slices of the input.
///
/// Everything that can be checked from the 5-byte header (type byte, length at least 4, length
/// within the message's fixed size and within `maximumMessageLength`) is checked before waiting
/// for the payload, so a bogus length is an error at once rather than a reason to buffer
/// gigabytes. A partial frame leaves the buffer untouched and returns nil.
public struct BackendMessageDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = BackendMessage

    /// The largest message length accepted (the length field's value, which counts itself).
    public let maximumMessageLength: Int

    /// The type byte plus the Int32 length.
    static let headerLength = 5

    public init(maximumMessageLength: Int = 64 << 20) {
        precondition(maximumMessageLength >= 4, "a message length counts its own 4 bytes")
        self.maximumMessageLength = maximumMessageLength
    }

    public mutating func decode(buffer: inout ByteBuffer) throws(PGWireError) -> BackendMessage? {
        // The type byte alone can already be wrong; say so without waiting for the length.
        guard let rawID = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else {
            return nil
        }
        guard let id = BackendMessageID(rawValue: rawID) else {
            throw PGWireError.unknownMessageType(rawID)
        }
        guard let rawLength = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self) else {
            return nil
        }
        let length = Int(rawLength)  // UInt32 always fits Int on 64-bit platforms
        let bounds = id.lengthBounds
        guard length >= bounds.minimum else {
            throw PGWireError(
                .lengthTooShort,
                messageName: id.name,
                detail: "length \(length), at least \(bounds.minimum) required"
            )
        }
        let maximum = min(bounds.maximum ?? self.maximumMessageLength, self.maximumMessageLength)
        guard length <= maximum else {
            throw PGWireError(
                .lengthTooLong,
                messageName: id.name,
                detail: "length \(length), at most \(maximum) allowed"
            )
        }
        guard buffer.readableBytes >= 1 + length else {
            return nil
        }
        // The fixed-size messages that end every extended-protocol step need no payload slice (a slice retains the
        // receive buffer's storage: two atomic operations each, for messages that carry at most one byte).
        switch id {
        case .bindComplete, .closeComplete, .copyDone, .emptyQueryResponse, .noData, .parseComplete, .portalSuspended:
            buffer.moveReaderIndex(forwardBy: Self.headerLength)  // length checked above: exactly 4
            return try BackendMessage.decode(id: id, payload: &buffer)
        case .readyForQuery:
            let byte = buffer.getInteger(at: buffer.readerIndex + Self.headerLength, as: UInt8.self)!
            guard let status = TransactionStatus(rawValue: byte) else {
                throw .invalid(.readyForQuery, "transaction status byte \(byte)")
            }
            buffer.moveReaderIndex(forwardBy: Self.headerLength + 1)  // length checked above: exactly 5
            return .readyForQuery(status)
        default:
            break
        }
        buffer.moveReaderIndex(forwardBy: Self.headerLength)
        var payload = buffer.readSlice(length: length - 4)!
        return try BackendMessage.decode(id: rawID, payload: &payload)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws(PGWireError) -> BackendMessage? {
        try self.decode(buffer: &buffer)
    }
}
