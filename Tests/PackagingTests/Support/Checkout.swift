import Foundation
import LocalCluster
import Testing

/// Paths in this checkout and the programs built from it.
enum Checkout {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func read(_ relative: String) throws -> String {
        try String(contentsOfFile: path(relative), encoding: .utf8)
    }

    /// The `pgswarm` that `swift build` put beside the test bundle (`.build/<configuration>/`).
    static let debugBinary: String? = {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            besideTests.appendingPathComponent("pgswarm").path,
            besideTests.deletingLastPathComponent().appendingPathComponent("pgswarm").path,
            path(".build/debug/pgswarm"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static func requireDebugBinary() throws -> String {
        try #require(debugBinary, "build the pgswarm product first (swift build)")
    }

    /// Scripts/build-release.sh's default output.
    static let portableLayout = path(".build-release/dist/pgswarm")
    static var portableBinary: String { portableLayout + "/bin/pgswarm" }
    static var portableBuilt: Bool { FileManager.default.isExecutableFile(atPath: portableBinary) }
}

/// Runs a program with output to a file (LocalCluster's Subprocess: standard output and error merged).
enum Command {
    /// `arguments[0]` is looked up in /usr/bin, /bin, /usr/local/bin and PATH when it is not a path.
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Int = 300) throws
        -> Subprocess.Output
    {
        let program = try #require(locate(arguments[0]), "\(arguments[0]) is not installed (see .ci/run)")
        return try Subprocess.run(["/usr/bin/timeout", String(timeout), program] + arguments.dropFirst(),
                                  environment: environment)
    }

    /// Only standard output (standard error goes to /dev/null), through /bin/sh.
    static func standardOutput(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let quoted = arguments.map(shellQuoted).joined(separator: " ")
        let output = try run(["/bin/sh", "-c", quoted + " 2>/dev/null"], environment: environment)
        #expect(output.status == 0, "\(arguments.joined(separator: " ")) exited \(output.status)")
        return output.text
    }

    static func locate(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = ["/usr/bin", "/bin", "/usr/local/bin"] + path.split(separator: ":").map(String.init)
        return directories.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func shellQuoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

enum TemporaryDirectory {
    static func make(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "pgswarm-\(name)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
