import NIOCore

/// NegotiateProtocolVersion ("v"): the server does not support the requested minor version or
/// some `_pq_.` options; it offers its newest minor version and lists the options it ignored.
public struct NegotiateProtocolVersion: Hashable, Sendable {
    /// The newest minor version of the requested major version that the server supports.
    public var newestMinor: UInt32
    /// The `_pq_.` options of the StartupMessage the server did not recognise.
    public var unrecognisedOptions: [String]

    public init(newestMinor: UInt32, unrecognisedOptions: [String]) {
        self.newestMinor = newestMinor
        self.unrecognisedOptions = unrecognisedOptions
    }

    static func decode(payload: inout ByteBuffer) throws(PGWireError) -> NegotiateProtocolVersion {
        let id = BackendMessageID.negotiateProtocolVersion
        guard let (minor, count) = payload.readMultipleIntegers(as: (UInt32, Int32).self) else {
            throw .truncated(id, "the minor version and option count")
        }
        // Every option is at least its NUL, so the count cannot exceed the bytes left.
        guard count >= 0, Int(count) <= payload.readableBytes else {
            throw .invalid(id, "option count \(count) with \(payload.readableBytes) bytes left")
        }
        var options: [String] = []
        options.reserveCapacity(Int(count))
        for index in 0..<Int(count) {
            guard let option = payload.readNullTerminatedString() else {
                throw .truncated(id, "the NUL ending option \(index)")
            }
            options.append(option)
        }
        return NegotiateProtocolVersion(newestMinor: minor, unrecognisedOptions: options)
    }
}
