import CompressNIO
import NIOCore

/// RFC 1950 zlib streams, the only compression every HdrHistogram reader accepts (not raw deflate, not gzip).
enum ZlibStream {
    static func compress(_ bytes: ByteBuffer) throws -> ByteBuffer {
        var input = bytes
        return try input.compress(with: .zlib)
    }

    /// Inflates a complete zlib stream that must fill `compressed` exactly.
    ///
    /// CompressNIO reports success when the input simply runs out, so a truncated stream would pass unnoticed:
    /// the header and the Adler-32 trailer are checked here.
    static func decompress(_ compressed: ByteBuffer, maximumSize: Int) throws -> ByteBuffer {
        let bytes = Array(compressed.readableBytesView)
        guard bytes.count >= 6 else { throw HistogramEncodingError.badZlibStream("only \(bytes.count) bytes") }
        let cmf = Int(bytes[0])
        let flg = Int(bytes[1])
        guard cmf & 0x0F == 8, (cmf << 8 | flg) % 31 == 0, flg & 0x20 == 0 else {
            throw HistogramEncodingError.badZlibStream("no zlib header (raw deflate or gzip?)")
        }

        let decompressor = try ZlibDecompressor(algorithm: .zlib)
        var input = compressed
        var output = ByteBufferAllocator().buffer(capacity: Swift.max(64, 4 * bytes.count))
        // Each round at least doubles the room, so this ends long before the bound in any real case.
        for _ in 0..<32 {
            do {
                try decompressor.inflate(from: &input, to: &output)
                break
            } catch let error as CompressNIOError where error == .bufferOverflow {
                guard output.capacity < maximumSize else { throw HistogramEncodingError.badZlibStream("too large") }
                output.reserveCapacity(minimumWritableBytes: output.capacity)
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                throw HistogramEncodingError.badZlibStream("truncated")
            } catch {
                throw HistogramEncodingError.badZlibStream("\(error)")
            }
        }
        guard input.readableBytes == 0 else {
            throw HistogramEncodingError.badZlibStream("\(input.readableBytes) bytes after the end of the stream")
        }
        let trailer = bytes[(bytes.count - 4)...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard adler32(output.readableBytesView) == trailer else {
            throw HistogramEncodingError.badZlibStream("truncated or corrupt (Adler-32 mismatch)")
        }
        return output
    }

    /// Byte-array convenience for callers without NIOCore (tests).
    static func inflate(_ bytes: [UInt8], maximumSize: Int = 1 << 20) throws -> [UInt8] {
        Array(try decompress(ByteBuffer(bytes: bytes), maximumSize: maximumSize).readableBytesView)
    }

    static func adler32<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }
}
