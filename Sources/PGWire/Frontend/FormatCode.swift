/// How a value travels on the wire: as text or in the type's binary send/receive format.
public enum FormatCode: Int16, Hashable, Sendable {
    case text = 0
    case binary = 1
}

/// What a Describe or Close message names: a prepared statement or a portal.
public enum DescribeTarget: UInt8, Hashable, Sendable {
    case statement = 0x53  // "S"
    case portal = 0x50  // "P"
}
