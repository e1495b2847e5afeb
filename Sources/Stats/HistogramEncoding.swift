import Foundation
import NIOCore

/// HdrHistogram's V2 encoding (see shared/HDRHISTOGRAM.md): what .hlog lines carry, readable by the Java, C,
/// Python and Rust implementations.
public enum HistogramEncoding {
    static let uncompressedCookie: UInt32 = 0x1c84_9313
    static let compressedCookie: UInt32 = 0x1c84_9314
    /// Readers mask these bits out of the cookie (older encoders stored the word size there).
    static let cookieFlagBits: UInt32 = 0xF0
    static let uncompressedHeaderSize = 40
    /// Far beyond any real histogram (the widest legal layout needs ~50 MB of 9-byte counts); stops zip bombs.
    static let maximumUncompressedSize = 64 << 20

    /// Appends the uncompressed encoding to `buffer`.
    public static func writeUncompressed(_ histogram: LatencyHistogram, into buffer: inout ByteBuffer) {
        let headerStart = buffer.writerIndex
        buffer.writeMultipleIntegers(
            uncompressedCookie,
            UInt32(0),  // payload length, patched below
            UInt32(0),  // normalizing index offset
            UInt32(histogram.significantDigits),
            histogram.lowestDiscernibleValue,
            histogram.highestTrackableValue,
            (1.0 as Double).bitPattern  // integer to double conversion ratio
        )
        let payloadStart = buffer.writerIndex
        writeCounts(of: histogram, into: &buffer)
        buffer.setInteger(UInt32(buffer.writerIndex - payloadStart), at: headerStart + 4)
    }

    /// Counts from slot 0 to the maximum's slot (at least slot 0, which the C reader needs), zero runs as -k.
    static func writeCounts(of histogram: LatencyHistogram, into buffer: inout ByteBuffer) {
        // Slot 0 is written even for an empty histogram, whose storage may not be allocated yet.
        guard histogram.usedSlotCount > 0 else {
            ZigZagVarint.write(0, into: &buffer)
            return
        }
        let slotLimit = histogram.usedSlotCount
        histogram.slotCounts.withUnsafeBufferPointer { counts in
            var index = 0
            while index < slotLimit {
                let count = counts[index]
                index += 1
                if count != 0 {
                    ZigZagVarint.write(Int64(clamping: count), into: &buffer)
                    continue
                }
                var zeros: Int64 = 1
                while index < slotLimit && counts[index] == 0 {
                    zeros += 1
                    index += 1
                }
                ZigZagVarint.write(zeros == 1 ? 0 : -zeros, into: &buffer)
            }
        }
    }

    public static func encodeUncompressed(_ histogram: LatencyHistogram) -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: uncompressedHeaderSize + 64)
        writeUncompressed(histogram, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// The compressed encoding: cookie, length, then the uncompressed encoding as a zlib stream.
    public static func writeCompressed(_ histogram: LatencyHistogram, into buffer: inout ByteBuffer) throws {
        var uncompressed = ByteBufferAllocator().buffer(capacity: uncompressedHeaderSize + 64)
        writeUncompressed(histogram, into: &uncompressed)
        var compressed = try ZlibStream.compress(uncompressed)
        buffer.writeMultipleIntegers(compressedCookie, UInt32(compressed.readableBytes))
        buffer.writeBuffer(&compressed)
    }

    public static func encodeCompressed(_ histogram: LatencyHistogram) throws -> [UInt8] {
        var buffer = ByteBufferAllocator().buffer(capacity: 128)
        try writeCompressed(histogram, into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// The compressed encoding as padded base64 on one line ("HISTF..."), as an .hlog line carries it.
    public static func base64(_ histogram: LatencyHistogram) throws -> String {
        Data(try encodeCompressed(histogram)).base64EncodedString()
    }

    /// Decodes padded base64 text holding a compressed or uncompressed encoding.
    public static func decode(base64: String) throws -> LatencyHistogram {
        guard let data = Data(base64Encoded: base64) else { throw HistogramEncodingError.badBase64 }
        return try decode(bytes: Array(data))
    }

    public static func decode(bytes: [UInt8]) throws -> LatencyHistogram {
        try decode(buffer: ByteBuffer(bytes: bytes))
    }

    /// Decodes one encoding that must fill `buffer` exactly: lengths that disagree with the bytes are errors.
    public static func decode(buffer: ByteBuffer) throws -> LatencyHistogram {
        var buffer = buffer
        guard let cookie = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else {
            throw HistogramEncodingError.tooShort(buffer.readableBytes)
        }
        switch cookie & ~cookieFlagBits {
        case compressedCookie & ~cookieFlagBits:
            return try decodeCompressed(&buffer)
        case uncompressedCookie & ~cookieFlagBits:
            return try decodeUncompressed(&buffer)
        default:
            throw HistogramEncodingError.unknownCookie(cookie)
        }
    }

    static func decodeCompressed(_ buffer: inout ByteBuffer) throws -> LatencyHistogram {
        guard let (_, length) = buffer.readMultipleIntegers(as: (UInt32, UInt32).self) else {
            throw HistogramEncodingError.tooShort(buffer.readableBytes)
        }
        guard Int(length) == buffer.readableBytes else {
            throw HistogramEncodingError.badLength(
                "compressed length \(length) but \(buffer.readableBytes) bytes follow"
            )
        }
        var inflated = try ZlibStream.decompress(buffer, maximumSize: maximumUncompressedSize)
        guard let innerCookie = inflated.getInteger(at: inflated.readerIndex, as: UInt32.self),
            innerCookie & ~cookieFlagBits == uncompressedCookie & ~cookieFlagBits
        else {
            throw HistogramEncodingError.unknownCookie(inflated.getInteger(at: inflated.readerIndex) ?? 0)
        }
        return try decodeUncompressed(&inflated)
    }

    static func decodeUncompressed(_ buffer: inout ByteBuffer) throws -> LatencyHistogram {
        guard
            let (_, payloadLength, normalizingOffset, digits, lowest, highest, _) = buffer.readMultipleIntegers(
                as: (UInt32, UInt32, UInt32, UInt32, UInt64, UInt64, UInt64).self
            )
        else {
            throw HistogramEncodingError.tooShort(buffer.readableBytes)
        }
        guard Int(payloadLength) == buffer.readableBytes else {
            throw HistogramEncodingError.badLength(
                "payload length \(payloadLength) but \(buffer.readableBytes) bytes follow"
            )
        }
        guard normalizingOffset == 0 else {
            throw HistogramEncodingError.badLayout("normalizing index offset \(Int32(bitPattern: normalizingOffset))")
        }
        if let problem = HistogramLayoutError.check(
            lowestDiscernibleValue: lowest,
            highestTrackableValue: highest,
            significantDigits: Int(Int32(bitPattern: digits))
        ) {
            throw HistogramEncodingError.badLayout(problem.description)
        }
        var histogram = LatencyHistogram(
            lowestDiscernibleValue: lowest,
            highestTrackableValue: highest,
            significantDigits: Int(digits)
        )
        try fillCounts(of: &histogram, from: &buffer)
        return histogram
    }

    static func fillCounts(of histogram: inout LatencyHistogram, from buffer: inout ByteBuffer) throws {
        let slotCount = histogram.slotCount
        var index = 0
        while buffer.readableBytes > 0 {
            guard let value = ZigZagVarint.read(from: &buffer) else {
                throw HistogramEncodingError.badCounts("payload ends inside a number")
            }
            if value < 0 {
                // A run of zeros; it may run past the last slot (some writers pad), but not absurdly far.
                guard value >= -Int64(Int32.max) else { throw HistogramEncodingError.badCounts("zero run \(-value)") }
                index += Int(-value)
            } else {
                guard index < slotCount else {
                    throw HistogramEncodingError.badCounts("count for slot \(index) beyond the \(slotCount) slots")
                }
                if index >= histogram.slotCounts.count { histogram.growStorage(toHold: index) }
                histogram.slotCounts[index] = UInt64(value)
                index += 1
            }
        }
        histogram.establishTotalsFromCounts()
    }
}
