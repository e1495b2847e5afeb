import Foundation

/// Messages for the user that are not results: errors and warnings go to stderr, so stdout stays parseable.
enum StandardError {
    static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// A run's lines (progress, summary) go out unbuffered, so progress shows when stdout is a pipe too.
enum StandardOutput {
    static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
