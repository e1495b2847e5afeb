import Foundation

/// A native workload spec (TOML): named scripts with weights, tags, modes and connection behaviour, variables shared
/// by every script, setup/teardown SQL, per-connection SQL and phases. `load` reads and checks a file completely, so
/// every mistake is reported with its file:line:column before any connection is opened.
public struct WorkloadSpec: Sendable, Equatable {
    /// The spec file as named (messages use it).
    public var path: String
    public var name: String
    /// The mode of scripts that do not name their own.
    public var defaultMode: QueryMode
    /// `database_scale`: the `:scale` for scripts; nil leaves it to the run (pgbench reads pgbench_branches).
    public var scale: Int?
    /// `[variables]` in file order: each becomes a `\set` line at the start of every script.
    public var variables: [SpecVariable]
    public var setupSQL: [String]
    public var teardownSQL: [String]
    public var connectionSetupSQL: [String]
    public var scripts: [SpecScript]
    public var phases: [SpecPhase]
    /// `[pooler]`: connection behaviours (storm, idle horde, cancels, state-leak check); empty when absent.
    public var pooler = SpecPooler()
    /// `[probe]`: pooler-correctness probes beside the workload.
    public var probe: SpecProbe?
    /// The spec's text, to show the offending line of a script error found at compile time.
    var sourceText: String = ""

    public init(
        path: String,
        name: String,
        defaultMode: QueryMode = .simple,
        scale: Int? = nil,
        variables: [SpecVariable] = [],
        setupSQL: [String] = [],
        teardownSQL: [String] = [],
        connectionSetupSQL: [String] = [],
        scripts: [SpecScript] = [],
        phases: [SpecPhase] = []
    ) {
        self.path = path
        self.name = name
        self.defaultMode = defaultMode
        self.scale = scale
        self.variables = variables
        self.setupSQL = setupSQL
        self.teardownSQL = teardownSQL
        self.connectionSetupSQL = connectionSetupSQL
        self.scripts = scripts
        self.phases = phases
    }

    /// Total length of the phases in seconds (0 without phases).
    public var durationSeconds: Double { phases.reduce(0) { $0 + $1.durationSeconds } }
}

/// `name = "expression"` of `[variables]`.
public struct SpecVariable: Sendable, Equatable {
    public var name: String
    /// A pgbench expression (`random(1, 100000 * :scale)`), or a number written as text.
    public var expression: String
    /// Where it was written, to point a compile error of the expression at the spec.
    var line: Int
    var column: Int

    public init(name: String, expression: String) {
        self.init(name: name, expression: expression, line: 0, column: 0)
    }

    init(name: String, expression: String, line: Int, column: Int) {
        self.name = name
        self.expression = expression
        self.line = line
        self.column = column
    }
}

/// One `[[script]]`: its text (inline, from a file, or a built-in) and its settings.
public struct SpecScript: Sendable, Equatable {
    public enum Body: Sendable, Equatable {
        /// `sql = "..."`: the text, and the spec line and column its first character is on.
        case inline(line: Int, column: Int)
        /// `file = "path"`: the path as resolved against the spec's directory.
        case file(path: String)
        /// `builtin = "tpcb-like"`: the built-in's full name.
        case builtin(name: String)
    }

    public var name: String
    public var weight: Int
    public var tags: [String]
    /// nil: the spec's default mode.
    public var mode: QueryMode?
    public var connection: ConnectionPolicy
    public var pipelineDepth: Int
    /// The script in pgbench's dialect (without the spec's variables).
    public var text: String
    public var body: Body

    public init(
        name: String,
        weight: Int = 1,
        tags: [String] = [],
        mode: QueryMode? = nil,
        connection: ConnectionPolicy = .persistent,
        pipelineDepth: Int = 0,
        text: String,
        body: Body = .inline(line: 0, column: 0)
    ) {
        self.name = name
        self.weight = weight
        self.tags = tags
        self.mode = mode
        self.connection = connection
        self.pipelineDepth = pipelineDepth
        self.text = text
        self.body = body
    }
}

/// One `[[phase]]`: how long, how many clients, at what rate. Phases run in file order.
public struct SpecPhase: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// Load, not recorded.
        case warmup
        /// Clients and/or rate move linearly from `from` to `to`.
        case ramp
        /// Constant load.
        case steady
    }

    public var name: String
    public var kind: Kind
    public var durationSeconds: Double
    public var clientsFrom: Int
    public var clientsTo: Int
    /// Target tx/s at the start and the end of the phase; nil for closed loop.
    public var rateFrom: Double?
    public var rateTo: Double?
    /// Event-loop threads for this phase, if given.
    public var threads: Int?

    public init(
        name: String,
        kind: Kind,
        durationSeconds: Double,
        clientsFrom: Int,
        clientsTo: Int,
        rateFrom: Double? = nil,
        rateTo: Double? = nil,
        threads: Int? = nil
    ) {
        self.name = name
        self.kind = kind
        self.durationSeconds = durationSeconds
        self.clientsFrom = clientsFrom
        self.clientsTo = clientsTo
        self.rateFrom = rateFrom
        self.rateTo = rateTo
        self.threads = threads
    }
}

extension WorkloadSpec {
    /// Reads and checks a spec file. File scripts are read relative to the spec's directory.
    public static func load(path: String) throws(WorkloadError) -> WorkloadSpec {
        var isDirectory: ObjCBool = false
        func failure(_ reason: String) -> WorkloadError {
            WorkloadError(
                file: path,
                line: 0,
                column: 0,
                message: "could not open workload spec \"\(path)\": \(reason)"
            )
        }
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("No such file or directory")
        }
        if isDirectory.boolValue { throw failure("Is a directory") }
        guard let data = FileManager.default.contents(atPath: path) else { throw failure("Permission denied") }
        guard let text = String(data: data, encoding: .utf8) else { throw failure("not UTF-8 text") }
        let directory = (path as NSString).deletingLastPathComponent
        return try parse(text, path: path, directory: directory.isEmpty ? "." : directory)
    }

    /// Parses spec text; `path` names it in messages, `directory` resolves `file =` scripts.
    public static func parse(_ text: String, path: String, directory: String = ".") throws(WorkloadError)
        -> WorkloadSpec
    {
        let document = try SpecValue.parseDocument(text, file: path)
        let context = SpecContext(file: path, text: text)
        var parser = WorkloadSpecParser(context: context, directory: directory, defaultName: Self.baseName(path))
        return try parser.parse(document)
    }

    static func baseName(_ path: String) -> String {
        let file = (path as NSString).lastPathComponent
        let name = (file as NSString).deletingPathExtension
        return name.isEmpty ? "workload" : name
    }

    /// The scripts to compile, each with the spec's variables as `\set` lines in front.
    public func sources() -> [ScriptSource] {
        let prelude = variables.map { "\\set \($0.name) \($0.expression)\n" }.joined()
        return scripts.map { script in
            ScriptSource(
                name: script.name,
                text: prelude + script.text,
                weight: script.weight,
                mode: script.mode,
                tags: script.tags,
                connection: script.connection,
                pipelineDepth: script.pipelineDepth
            )
        }
    }

    /// Compiles the spec's scripts into a plan. A script error is reported where it was written: in the spec (an
    /// inline script or a variable), or in the script's own file.
    public func compilePlan(
        defines: [(String, String)] = [],
        randomSeed: UInt64 = 0,
        clients: Int = 1
    ) throws(WorkloadError) -> Plan {
        do {
            return try Plan.compile(
                sources: sources(),
                mode: defaultMode,
                defines: defines,
                scale: scale ?? 1,
                randomSeed: randomSeed,
                clients: max(clients, phases.map { max($0.clientsFrom, $0.clientsTo) }.max() ?? 1)
            )
        } catch {
            throw locate(error)
        }
    }

    /// Moves a script compile error from the compiled text (variables + script) to where the user wrote it.
    func locate(_ error: WorkloadError) -> WorkloadError {
        guard let script = scripts.first(where: { $0.name == error.file }) else { return error }
        let specLines = sourceText.split(omittingEmptySubsequences: false, whereSeparator: \.isLineBreakForSpec)
        func specLine(_ line: Int) -> String? {
            guard line >= 1, line <= specLines.count else { return nil }
            return String(specLines[line - 1])
        }
        let message = "script \"\(script.name)\": \(error.message)"
        if error.line == 0 {
            return WorkloadError(file: path, line: 0, column: 0, message: message)
        }
        if error.line <= variables.count {
            // The error is in a variable's expression: point at its value in [variables].
            let variable = variables[error.line - 1]
            let prefix = "\\set \(variable.name) ".count
            let column = variable.column > 0 ? variable.column + 1 + max(0, error.column - 1 - prefix) : 0
            return WorkloadError(
                file: path,
                line: variable.line,
                column: column,
                message: "variable \"\(variable.name)\": \(error.message)",
                sourceLine: specLine(variable.line)
            )
        }
        let line = error.line - variables.count
        switch script.body {
        case .inline(let firstLine, let firstColumn):
            guard firstLine > 0 else { return error }
            let specLineNumber = firstLine + line - 1
            let column = line == 1 && error.column > 0 ? firstColumn + error.column - 1 : error.column
            return WorkloadError(
                file: path,
                line: specLineNumber,
                column: column,
                message: message,
                sourceLine: specLine(specLineNumber) ?? error.sourceLine
            )
        case .file(let file):
            return WorkloadError(
                file: file,
                line: line,
                column: error.column,
                message: message,
                sourceLine: error.sourceLine
            )
        case .builtin:
            return WorkloadError(file: path, line: 0, column: 0, message: message)
        }
    }
}
