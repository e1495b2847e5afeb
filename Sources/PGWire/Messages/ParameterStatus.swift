import NIOCore

/// ParameterStatus ("S"): the current value of a server setting reported to clients
/// (server_version, client_encoding, TimeZone...), at startup and whenever it changes.
public struct ParameterStatus: Hashable, Sendable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    static func decode(payload: inout ByteBuffer) throws(PGWireError) -> ParameterStatus {
        let id = BackendMessageID.parameterStatus
        guard let name = payload.readNullTerminatedString() else {
            throw .truncated(id, "the NUL ending the parameter name")
        }
        guard let value = payload.readNullTerminatedString() else {
            throw .truncated(id, "the NUL ending the value of \(name)")
        }
        return ParameterStatus(name: name, value: value)
    }
}
