import NIOCore

/// BackendKeyData ("K"): what a CancelRequest for this session must quote.
public struct BackendKeyData: Hashable, Sendable {
    /// The backend's process ID.
    public var processID: Int32
    /// The secret key: 4 bytes in protocol 3.0, 4 to 256 bytes in 3.2.
    public var secretKey: ByteBuffer

    public init(processID: Int32, secretKey: ByteBuffer) {
        self.processID = processID
        self.secretKey = secretKey
    }

    /// The key lengths protocol 3.2 allows (3.0 allows only 4).
    public static let secretKeyLengths = 4...256

    static func decode(payload: inout ByteBuffer) throws(PGWireError) -> BackendKeyData {
        let id = BackendMessageID.backendKeyData
        guard let processID = payload.readInteger(as: Int32.self) else {
            throw .truncated(id, "the process ID")
        }
        guard Self.secretKeyLengths.contains(payload.readableBytes) else {
            throw .invalid(id, "secret key of \(payload.readableBytes) bytes, expected 4 to 256")
        }
        // A copy, not a slice: the key lives as long as the connection, and a slice would keep the whole receive
        // buffer it arrived in referenced, so that NIO could never reuse that buffer and would allocate a new one
        // for every read.
        let key = ByteBuffer(bytes: payload.readBytes(length: payload.readableBytes)!)
        return BackendKeyData(processID: processID, secretKey: key)
    }
}
