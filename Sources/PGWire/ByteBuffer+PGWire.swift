import NIOCore

// `writeNullTerminatedString(_:)` and `readNullTerminatedString()` come with NIOCore itself.
extension ByteBuffer {
    /// Writes a message's 1-byte type and a length placeholder; returns the index of the length field.
    ///
    /// Pair with `endPGMessage(lengthIndex:)` once the payload is written. This lets pre-encoded
    /// messages be built in place without knowing their size up front.
    @inlinable
    public mutating func beginPGMessage(id: UInt8) -> Int {
        self.writeInteger(id)
        let lengthIndex = self.writerIndex
        self.writeInteger(Int32(0))
        return lengthIndex
    }

    /// Patches the length at `lengthIndex` to cover everything written since (the length counts
    /// itself but not the type byte).
    @inlinable
    public mutating func endPGMessage(lengthIndex: Int) {
        self.setInteger(Int32(truncatingIfNeeded: self.writerIndex - lengthIndex), at: lengthIndex)
    }

    /// Reads up to the next NUL and returns the bytes before it as a slice (sharing storage);
    /// consumes the NUL. Returns nil, moving nothing, if there is no NUL.
    @inlinable
    mutating func readNullTerminatedSlice() -> ByteBuffer? {
        guard let nulOffset = self.readableBytesView.firstIndex(of: 0) else {
            return nil
        }
        let length = nulOffset - self.readableBytesView.startIndex
        let slice = self.readSlice(length: length)
        self.moveReaderIndex(forwardBy: 1)
        return slice
    }
}
