/// A problem with what `compare`, `merge`, `hlog` or `report` were given: a usage error (bad threshold, unknown tag)
/// or an input error (a missing, truncated or foreign file), naming the file and, where known, the line.
public struct ReportError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The command line asks for something impossible (bad threshold syntax, unknown format).
        case usage
        /// A result file is missing, unreadable, truncated or of another kind.
        case input
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
