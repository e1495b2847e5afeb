import NIOCore

/// NotificationResponse ("A"): a NOTIFY on a channel this session LISTENs to.
public struct NotificationResponse: Hashable, Sendable {
    /// The notifying backend's process ID.
    public var processID: Int32
    public var channel: String
    public var payload: String

    public init(processID: Int32, channel: String, payload: String) {
        self.processID = processID
        self.channel = channel
        self.payload = payload
    }

    static func decode(payload buffer: inout ByteBuffer) throws(PGWireError) -> NotificationResponse {
        let id = BackendMessageID.notificationResponse
        guard let processID = buffer.readInteger(as: Int32.self) else {
            throw .truncated(id, "the process ID")
        }
        guard let channel = buffer.readNullTerminatedString() else {
            throw .truncated(id, "the NUL ending the channel name")
        }
        guard let payload = buffer.readNullTerminatedString() else {
            throw .truncated(id, "the NUL ending the payload")
        }
        return NotificationResponse(processID: processID, channel: channel, payload: payload)
    }
}
