import NIOCore

/// The transaction status carried by ReadyForQuery ("Z").
public enum TransactionStatus: UInt8, Hashable, Sendable {
    /// "I": not in a transaction block.
    case idle = 0x49
    /// "T": in a transaction block.
    case inTransaction = 0x54
    /// "E": in a failed transaction block; statements are rejected until the block ends.
    case failed = 0x45

    static func decode(payload: inout ByteBuffer) throws(PGWireError) -> TransactionStatus {
        guard let byte = payload.readInteger(as: UInt8.self) else {
            throw .truncated(.readyForQuery, "the transaction status")
        }
        guard let status = TransactionStatus(rawValue: byte) else {
            throw .invalid(.readyForQuery, "transaction status byte \(byte)")
        }
        return status
    }
}
