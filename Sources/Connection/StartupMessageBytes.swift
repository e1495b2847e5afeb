import NIOCore
import PGWire

extension StartupStateMachine {
    /// One startup message (StartupMessage, password, SASL response) encoded into a buffer of its own, for the
    /// connections that send them one at a time (admin, storm).
    package func bytes(of message: OutgoingMessage, allocator: ByteBufferAllocator) -> ByteBuffer {
        var encoder = FrontendMessageEncoder(buffer: allocator.buffer(capacity: 128))
        encode(message, into: &encoder)
        return encoder.flushBuffer()
    }
}
