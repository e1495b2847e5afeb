import NIOCore
import PGWire

/// Cuts a connection's received bytes into backend messages, whichever driver read them.
///
/// A receive buffer is decoded in place and released at once (NIO's pooled receive allocator, or the direct loop's
/// one buffer, can then reuse its storage); only a partial frame at its end is copied into `reassembly`, a buffer of
/// the connection's own that is reused. (NIOSingleStepByteToMessageProcessor would keep the last receive buffer
/// referenced between reads, forcing a fresh allocation for every read.)
package struct BackendFramer {
    private var decoder = BackendMessageDecoder()
    private var reassembly = ByteBuffer()

    package init() {}

    /// Decodes every whole message in `buffer` (plus what was left from before) and hands each to `deliver`, which
    /// returns false to stop (the connection was closed while handling one): the rest is then dropped.
    package mutating func feed(_ buffer: inout ByteBuffer, deliver: (BackendMessage) -> Bool) throws {
        if reassembly.readableBytes == 0 {
            guard try Self.decodeAll(&buffer, with: &decoder, deliver: deliver) else { return }
            if buffer.readableBytes > 0 {
                reassembly.clear()
                reassembly.writeBuffer(&buffer)
            }
        } else {
            reassembly.writeBuffer(&buffer)
            guard try Self.decodeAll(&reassembly, with: &decoder, deliver: deliver) else { return }
            reassembly.discardReadBytes()
        }
    }

    private static func decodeAll(_ buffer: inout ByteBuffer, with decoder: inout BackendMessageDecoder,
                                  deliver: (BackendMessage) -> Bool) throws -> Bool {
        while let message = try decoder.decode(buffer: &buffer) {
            guard deliver(message) else { return false }
        }
        return true
    }
}
