import NIOCore

/// NegotiateProtocolVersion ("v"): the server does not support the requested minor version or
/// some `_pq_.` options; it offers its newest minor version and lists the options it ignored.
///
/// The documentation calls the first field the newest minor version, but servers send the whole
/// version number (PostgreSQL 15 sends 196608, that is 3.0, as libpq expects). Both forms are
/// accepted: a value of 65536 or more is read as major << 16 | minor, a smaller one as a bare minor
/// of major version 3.
public struct NegotiateProtocolVersion: Hashable, Sendable {
    /// The newest version of the requested major version that the server supports.
    public var newestVersion: ProtocolVersion
    /// The `_pq_.` options of the StartupMessage the server did not recognise.
    public var unrecognisedOptions: [String]

    /// The minor part of `newestVersion`.
    public var newestMinor: UInt32 { UInt32(self.newestVersion.minor) }

    public init(newestVersion: ProtocolVersion, unrecognisedOptions: [String]) {
        self.newestVersion = newestVersion
        self.unrecognisedOptions = unrecognisedOptions
    }

    /// A bare minor version of protocol 3.
    public init(newestMinor: UInt16, unrecognisedOptions: [String]) {
        self.init(
            newestVersion: ProtocolVersion(major: 3, minor: newestMinor),
            unrecognisedOptions: unrecognisedOptions
        )
    }

    static func decode(payload: inout ByteBuffer) throws(PGWireError) -> NegotiateProtocolVersion {
        let id = BackendMessageID.negotiateProtocolVersion
        guard let (rawVersion, count) = payload.readMultipleIntegers(as: (UInt32, Int32).self) else {
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
        let version =
            rawVersion >> 16 == 0
            ? ProtocolVersion(major: 3, minor: UInt16(rawVersion))
            : ProtocolVersion(major: UInt16(rawVersion >> 16), minor: UInt16(truncatingIfNeeded: rawVersion))
        return NegotiateProtocolVersion(newestVersion: version, unrecognisedOptions: options)
    }
}
