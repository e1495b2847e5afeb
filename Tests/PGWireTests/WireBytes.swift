import NIOCore
import NIOTestUtils
import Testing

@testable import PGWire

/// One piece of a hand-written byte vector: ASCII text (write NULs explicitly as "\0") or a
/// big-endian integer of a stated width.
enum WirePart: ExpressibleByStringLiteral {
    case text(String)
    case int8(Int8)
    case int16(Int16)
    case int32(Int32)
    case raw([UInt8])

    init(stringLiteral value: String) {
        self = .text(value)
    }
}

/// Builds a byte vector from parts, exactly as written: lengths are spelled out by the test,
/// so a wrong length in the encoder cannot hide behind a helper that computes it.
func wire(_ parts: WirePart...) -> ByteBuffer {
    var buffer = ByteBuffer()
    for part in parts {
        switch part {
        case .text(let text): buffer.writeString(text)
        case .int8(let value): buffer.writeInteger(value)
        case .int16(let value): buffer.writeInteger(value)
        case .int32(let value): buffer.writeInteger(value)
        case .raw(let bytes): buffer.writeBytes(bytes)
        }
    }
    return buffer
}

/// A backend message with its type byte and a correct length around `payload`.
func backendMessage(_ id: Character, _ payload: ByteBuffer = ByteBuffer()) -> ByteBuffer {
    var buffer = ByteBuffer()
    buffer.writeInteger(id.asciiValue!)
    buffer.writeInteger(Int32(4 + payload.readableBytes))
    buffer.writeImmutableBuffer(payload)
    return buffer
}

/// Runs byte vectors through swift-nio's verifier: whole, byte by byte, and in odd chunks, each
/// must decode to exactly the expected messages.
func verifyDecoding(_ pairs: [(ByteBuffer, [BackendMessage])], maximumMessageLength: Int = 64 << 20) throws {
    try ByteToMessageDecoderVerifier.verifyDecoder(
        inputOutputPairs: pairs,
        decoderFactory: { BackendMessageDecoder(maximumMessageLength: maximumMessageLength) }
    )
}

/// Decodes exactly one message from `bytes` with a fresh decoder, for negative tests.
func decodeOne(_ bytes: ByteBuffer, maximumMessageLength: Int = 64 << 20) throws(PGWireError) -> BackendMessage? {
    var decoder = BackendMessageDecoder(maximumMessageLength: maximumMessageLength)
    var buffer = bytes
    return try decoder.decode(buffer: &buffer)
}

/// Encodes with a fresh encoder and returns the bytes.
func encode(_ body: (inout FrontendMessageEncoder) -> Void) -> ByteBuffer {
    var encoder = FrontendMessageEncoder(buffer: ByteBuffer())
    body(&encoder)
    return encoder.flushBuffer()
}
