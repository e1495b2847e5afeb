import Foundation
import Testing

/// Runs the built `pgswarm` executable as a user would, with a home directory of its own and no PG* variables from
/// the machine.
package enum PgswarmProcess {
    package struct Outcome {
        package var status: Int32
        package var standardOutput: String
        package var standardError: String
        package var lines: [String] { standardOutput.split(separator: "\n").map(String.init) }
    }

    /// Next to the test bundle (`.build/<configuration>/`), where `swift build` puts the product.
    package static let executable: URL? = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            besideTests.appendingPathComponent("pgswarm"),
            besideTests.deletingLastPathComponent().appendingPathComponent("pgswarm"),
            packageRoot.appendingPathComponent(".build/debug/pgswarm"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    package static let home: URL = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "pgswarm-cli-\(UUID().uuidString)"
        )
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }()

    /// Runs to the end; with `interruptAfter`, sends SIGINT (Ctrl-C) once that many seconds have passed.
    package static func run(
        _ arguments: [String],
        environment extra: [String: String] = [:],
        interruptAfter: TimeInterval? = nil,
        terminateInsteadOfInterrupt: Bool = false
    ) throws -> Outcome {
        let executable = try #require(executable, "build the pgswarm product first (swift build)")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        environment["HOME"] = home.path
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        if let interruptAfter {
            let target = process
            DispatchQueue.global().asyncAfter(deadline: .now() + interruptAfter) {
                guard target.isRunning else { return }
                if terminateInsteadOfInterrupt { target.terminate() } else { target.interrupt() }
            }
        }
        // Read both pipes before waiting: a full pipe would otherwise block the child.
        let errorData = LockedData()
        let errorReader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorText = errorData.waitForValue()
        return Outcome(
            status: process.terminationStatus,
            standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorText, as: UTF8.self)
        )
    }
}

/// Data handed from the stderr reader thread.
private final class LockedData: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: Data?

    func set(_ data: Data) {
        condition.withLock {
            value = data
            condition.signal()
        }
    }

    func waitForValue() -> Data {
        condition.withLock {
            // The reader ends when the child closes stderr, which it does on exit; a minute is far beyond that.
            let deadline = Date().addingTimeInterval(60)
            while value == nil && condition.wait(until: deadline) {}
            return value ?? Data()
        }
    }
}
