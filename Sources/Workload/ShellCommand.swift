import Foundation

/// \shell and \setshell: run a command line with /bin/sh and wait for it, as pgbench does with system()/popen().
enum ShellCommand {
    static func run(_ commandLine: String) throws(EvaluationError) {
        let name = commandLine.split(separator: " ").first.map(String.init) ?? "shell"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", commandLine]
        do {
            try process.run()
        } catch {
            throw EvaluationError(message: "\(name): could not launch shell command")
        }
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            throw EvaluationError(message: "\(name): could not launch shell command")
        }
    }

    /// Runs the command and reads an integer from the first line of its output (at most 63 bytes, as pgbench).
    static func runForInteger(_ commandLine: String) throws(EvaluationError) -> Int64 {
        let name = commandLine.split(separator: " ").first.map(String.init) ?? "setshell"
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", commandLine]
        process.standardOutput = output
        do {
            try process.run()
        } catch {
            throw EvaluationError(message: "\(name): could not launch shell command")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var firstLine = Array(data.prefix(63))
        if let newline = firstLine.firstIndex(of: 0x0A) { firstLine = Array(firstLine[...newline]) }
        if firstLine.isEmpty {
            throw EvaluationError(message: "\(name): could not read result of shell command")
        }
        let text = String(decoding: firstLine, as: UTF8.self)
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        // strtol: leading blanks and a sign, digits, then only blanks.
        guard let value = Int64(trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed) else {
            throw EvaluationError(message: "\(name): shell command must return an integer (not \"\(text)\")")
        }
        return Int64(Int32(truncatingIfNeeded: value))
    }
}
