/// What stops pgswarm from doing what was asked; each reads as one line naming what and where.
public struct PgswarmError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case connection, authentication, server, usage, io }
    public var kind: Kind
    public var message: String
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
    public var description: String { message }
}
