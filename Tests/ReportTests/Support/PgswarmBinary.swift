import Foundation
import Testing

/// Runs the built `pgswarm` executable as a user would, without the machine's PG* variables.
enum PgswarmBinary {
    struct Outcome {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    /// Beside the test bundle (`.build/<configuration>/`), where `swift build` puts the product.
    static let path: String? = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            besideTests.appendingPathComponent("pgswarm"),
            besideTests.deletingLastPathComponent().appendingPathComponent("pgswarm"),
            packageRoot.appendingPathComponent(".build/debug/pgswarm"),
        ]
        return candidates.map(\.path).first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Starts the process; `finish` waits for it (at most `timeout` seconds, then it is killed).
    final class Running: @unchecked Sendable {
        let process = Process()
        let outputFile: String
        let errorFile: String

        init(_ arguments: [String]) throws {
            let executable = try #require(PgswarmBinary.path, "build the pgswarm product first (swift build)")
            let base = NSTemporaryDirectory() + "pgswarm-report-out-\(UUID().uuidString)"
            outputFile = base + ".out"
            errorFile = base + ".err"
            _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
            _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
            process.standardOutput = FileHandle(forWritingAtPath: outputFile)
            process.standardError = FileHandle(forWritingAtPath: errorFile)
            try process.run()
        }

        func finish(timeout: TimeInterval = 60) -> Outcome {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            let output = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
            let error = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
            try? FileManager.default.removeItem(atPath: outputFile)
            try? FileManager.default.removeItem(atPath: errorFile)
            return Outcome(status: process.terminationStatus, standardOutput: output, standardError: error)
        }
    }

    static func run(_ arguments: [String], timeout: TimeInterval = 60) throws -> Outcome {
        try Running(arguments).finish(timeout: timeout)
    }
}

enum TemporaryDirectory {
    static func make(_ name: String = "pgswarm-report") -> String {
        let path = NSTemporaryDirectory() + "\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
