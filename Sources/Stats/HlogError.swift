/// A problem with an .hlog file, naming the file and (when reading) the line: `latency.hlog:7: bad base64 histogram`.
public struct HlogError: Error, Equatable, CustomStringConvertible {
    public let path: String
    /// 1-based; nil for problems that are not about one line.
    public let line: Int?
    public let message: String

    public init(path: String, line: Int?, message: String) {
        self.path = path
        self.line = line
        self.message = message
    }

    public var description: String {
        if let line { return "\(path):\(line): \(message)" }
        return "\(path): \(message)"
    }
}
