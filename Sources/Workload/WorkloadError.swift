/// A script that cannot be compiled: where (file:line:column), what was expected, and the line with a caret.
public struct WorkloadError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// 1-based; 0 when the error concerns the whole script.
    public let line: Int
    /// 1-based; 0 when unknown.
    public let column: Int
    public let message: String
    /// The offending source line, shown under the message with a caret.
    public let sourceLine: String?

    public init(file: String, line: Int, column: Int, message: String, sourceLine: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.sourceLine = sourceLine
    }

    /// `file:line:column: message`, without the source line.
    public var location: String {
        if line == 0 { return file }
        if column == 0 { return "\(file):\(line)" }
        return "\(file):\(line):\(column)"
    }

    public var description: String {
        var text = "\(location): \(message)"
        if let sourceLine {
            text += "\n" + sourceLine
            if column > 0 {
                text += "\n" + String(repeating: " ", count: column - 1) + "^"
            }
        }
        return text
    }
}

/// A failure while a client runs a script: pgbench aborts the client with such a message.
public struct ScriptError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let script: String
    public let line: Int

    public init(message: String, script: String, line: Int) {
        self.message = message
        self.script = script
        self.line = line
    }

    public var description: String {
        "\(script):\(line): \(message)"
    }
}
