import NIOCore

/// Which one-byte-answered request was sent before the StartupMessage.
public enum EncryptionRequest: Hashable, Sendable {
    /// SSLRequest, answered "S" (willing) or "N" (unwilling).
    case ssl
    /// GSSENCRequest, answered "G" (willing) or "N" (unwilling).
    case gssenc

    var name: String {
        switch self {
        case .ssl: "SSLRequest response"
        case .gssenc: "GSSENCRequest response"
        }
    }
}

/// The single byte a server sends in answer to SSLRequest or GSSENCRequest, before normal framing.
public enum EncryptionResponse: Hashable, Sendable {
    /// The server will start TLS (or GSSAPI encryption) on this connection now.
    case willing
    /// The server refuses; the client may continue in plain text with a StartupMessage.
    case unwilling

    /// Reads the answer byte to `request`; nil if no byte has arrived yet.
    ///
    /// An "E" means a server too old to know the request sent an ErrorResponse; any other byte is
    /// not a PostgreSQL server. Both are errors naming the request.
    public static func decode(
        buffer: inout ByteBuffer,
        request: EncryptionRequest
    ) throws(PGWireError) -> EncryptionResponse? {
        guard let byte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else {
            return nil
        }
        let willingByte = request == .ssl ? UInt8(ascii: "S") : UInt8(ascii: "G")
        switch byte {
        case willingByte:
            buffer.moveReaderIndex(forwardBy: 1)
            return .willing
        case UInt8(ascii: "N"):
            buffer.moveReaderIndex(forwardBy: 1)
            return .unwilling
        case UInt8(ascii: "E"):
            throw PGWireError(.unexpectedMessage, messageName: request.name, detail: "the server sent an ErrorResponse")
        default:
            throw PGWireError(
                .invalidValue,
                messageName: request.name,
                detail: "unexpected byte 0x\(String(byte, radix: 16))"
            )
        }
    }
}
