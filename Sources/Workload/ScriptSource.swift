import Foundation

/// A script to compile: its name (file path or built-in name, used in messages), its text and its weight, and the
/// per-script settings a workload spec can give (pgbench's -f/-b scripts keep the defaults).
public struct ScriptSource: Sendable, Equatable {
    public var name: String
    public var text: String
    public var weight: Int
    /// The protocol for this script's SQL; nil uses the plan's mode.
    public var mode: QueryMode?
    /// Names under which this script's latencies are also recorded (one histogram line per tag).
    public var tags: [String]
    /// When the client running this script opens a new connection.
    public var connection: ConnectionPolicy
    /// Greater than 0: consecutive SQL commands are sent in pipelines of at most this many commands
    /// (`\startpipeline` ... `\endpipeline` added around them at compile time).
    public var pipelineDepth: Int

    public init(
        name: String,
        text: String,
        weight: Int = 1,
        mode: QueryMode? = nil,
        tags: [String] = [],
        connection: ConnectionPolicy = .persistent,
        pipelineDepth: Int = 0
    ) {
        self.name = name
        self.text = text
        self.weight = weight
        self.mode = mode
        self.tags = tags
        self.connection = connection
        self.pipelineDepth = pipelineDepth
    }

    /// Splits pgbench's `name@weight` option syntax (the last `@`); the weight defaults to 1.
    public static func splitWeight(_ option: String) throws(WorkloadError) -> (name: String, weight: Int) {
        guard let at = option.lastIndex(of: "@") else { return (option, 1) }
        let name = String(option[..<at])
        let spec = String(option[option.index(after: at)...])
        guard let weight = Int(spec) else {
            throw WorkloadError(file: option, line: 0, column: 0, message: "invalid weight specification: @\(spec)")
        }
        guard weight >= 0 && weight <= Int(Int32.max) else {
            throw WorkloadError(
                file: option,
                line: 0,
                column: 0,
                message: "weight specification out of range (0 .. \(Int32.max)): \(weight)"
            )
        }
        return (name, weight)
    }

    /// A script file given as `path[@weight]` (pgbench -f).
    public static func file(_ option: String) throws(WorkloadError) -> ScriptSource {
        let (path, weight) = try splitWeight(option)
        func failure(_ reason: String) -> WorkloadError {
            WorkloadError(file: path, line: 0, column: 0, message: "could not open file \"\(path)\": \(reason)")
        }
        // "-" is standard input, as in pgbench.
        if path == "-" {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            return ScriptSource(name: path, text: String(decoding: data, as: UTF8.self), weight: weight)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("No such file or directory")
        }
        if isDirectory.boolValue { throw failure("Is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else { throw failure("Permission denied") }
        // pgbench reads bytes; invalid UTF-8 is replaced rather than refused.
        return ScriptSource(name: path, text: String(decoding: data, as: UTF8.self), weight: weight)
    }

    /// A built-in script given as `name[@weight]` (pgbench -b), the name possibly an unambiguous prefix.
    public static func builtin(_ option: String) throws(WorkloadError) -> ScriptSource {
        let (name, weight) = try splitWeight(option)
        var script = try BuiltinScript.find(name)
        script.weight = weight
        return script
    }
}
