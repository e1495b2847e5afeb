import NIOCore

/// HdrHistogram's ZigZag LEB128 variant: at most 9 bytes, the 9th carrying a full 8 bits (not 7 plus a flag).
enum ZigZagVarint {
    static func write(_ value: Int64, into buffer: inout ByteBuffer) {
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        for _ in 0..<8 {
            if zigzag >> 7 == 0 {
                buffer.writeInteger(UInt8(truncatingIfNeeded: zigzag))
                return
            }
            buffer.writeInteger(UInt8(truncatingIfNeeded: zigzag & 0x7F) | 0x80)
            zigzag >>= 7
        }
        buffer.writeInteger(UInt8(truncatingIfNeeded: zigzag))
    }

    /// Reads one value, or nil when the buffer ends inside it.
    static func read(from buffer: inout ByteBuffer) -> Int64? {
        var zigzag: UInt64 = 0
        for position in 0..<9 {
            guard let byte = buffer.readInteger(as: UInt8.self) else { return nil }
            if position == 8 {
                zigzag |= UInt64(byte) << 56
                break
            }
            zigzag |= UInt64(byte & 0x7F) << UInt64(7 * position)
            if byte & 0x80 == 0 { break }
        }
        return Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
    }
}
