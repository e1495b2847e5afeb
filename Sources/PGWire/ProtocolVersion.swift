/// A version of the PostgreSQL frontend/backend protocol, as carried in the StartupMessage.
///
/// 3.0 is what every server and pooler speaks. 3.2 (PostgreSQL 18) differs for us only in
/// the cancel key, which may be 4 to 256 bytes long.
public struct ProtocolVersion: Hashable, Sendable, CustomStringConvertible {
    public var major: UInt16
    public var minor: UInt16

    /// The version every server since PostgreSQL 7.4 speaks.
    public static let v3_0 = ProtocolVersion(major: 3, minor: 0)
    /// PostgreSQL 18's version: variable-length cancel keys.
    public static let v3_2 = ProtocolVersion(major: 3, minor: 2)

    public init(major: UInt16, minor: UInt16) {
        self.major = major
        self.minor = minor
    }

    /// The 32-bit form used on the wire: major in the high half, minor in the low half.
    public var wireValue: Int32 {
        Int32(bitPattern: UInt32(self.major) << 16 | UInt32(self.minor))
    }

    public var description: String { "\(self.major).\(self.minor)" }
}
