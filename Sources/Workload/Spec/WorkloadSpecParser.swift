import Foundation

/// Turns a parsed TOML document into a `WorkloadSpec`, checking every key, type and value; each mistake is a
/// `WorkloadError` at the key or value that caused it.
struct WorkloadSpecParser {
    let context: SpecContext
    /// Where `file =` scripts are looked up.
    let directory: String
    /// The spec's name when `[workload] name` is absent (the file's base name).
    let defaultName: String

    static let topLevelKeys = [
        "workload", "variables", "setup", "teardown", "connection", "script", "phase", "pooler", "probe",
    ]
    static let workloadKeys = ["name", "mode", "database_scale"]
    static let scriptKeys = [
        "name", "weight", "tags", "mode", "connection", "reconnect_every", "pipeline", "sql", "file", "builtin",
    ]
    static let phaseKeys = ["name", "kind", "duration", "clients", "rate", "threads"]

    mutating func parse(_ document: [String: SpecValue]) throws(WorkloadError) -> WorkloadSpec {
        let root = SpecTable(path: "", title: "the workload spec", entries: document, context: context)
        try root.checkKeys(Self.topLevelKeys)

        var spec = WorkloadSpec(path: context.file, name: defaultName)
        spec.sourceText = context.lines.joined(separator: "\n")
        if let workload = try root.table("workload", title: "[workload]") {
            try workload.checkKeys(Self.workloadKeys)
            if let name = try workload.string("name") {
                guard !name.isEmpty else { throw context.error(at: "workload.name", "the workload name is empty") }
                spec.name = name
            }
            if let mode = try mode(workload, "mode") { spec.defaultMode = mode }
            spec.scale = try workload.integer("database_scale", minimum: 1)
        }
        spec.variables = try variables(root)
        if let setup = try root.table("setup", title: "[setup]") {
            try setup.checkKeys(["sql"])
            spec.setupSQL = try setup.stringList("sql") ?? []
        }
        if let teardown = try root.table("teardown", title: "[teardown]") {
            try teardown.checkKeys(["sql"])
            spec.teardownSQL = try teardown.stringList("sql") ?? []
        }
        if let connection = try root.table("connection", title: "[connection]") {
            try connection.checkKeys(["setup"])
            spec.connectionSetupSQL = try connection.stringList("setup") ?? []
        }
        spec.scripts = try scripts(root, defaultMode: spec.defaultMode)
        spec.phases = try phases(root)
        spec.pooler = try pooler(root)
        spec.probe = try probe(root)
        return spec
    }

    // MARK: Sections

    private func variables(_ root: SpecTable) throws(WorkloadError) -> [SpecVariable] {
        guard let table = try root.table("variables", title: "[variables]") else { return [] }
        // File order: a variable may use the ones before it.
        let names = table.keysInFileOrder()
        var result: [SpecVariable] = []
        for name in names {
            let path = table.keyPath(name)
            guard VariableTable.isValidName(name) else {
                throw context.error(
                    at: path,
                    atKey: true,
                    "invalid variable name \"\(name)\": use letters, digits and underscores, not starting with a digit"
                )
            }
            let expression: String
            switch table.entries[name]! {
            case .string(let text):
                guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw context.error(at: path, "variable \"\(name)\" has an empty expression")
                }
                expression = text
            case .integer(let number): expression = String(number)
            case .float(let number): expression = String(number)
            case let other:
                throw context.error(
                    at: path,
                    "variable \"\(name)\" must be an expression (a string such as \"random(1, 10)\") or a number, "
                        + "not \(other.typeDescription)"
                )
            }
            // Point at the first character inside the quotes (or at the number).
            var line = 0
            var column = 0
            if let position = context.map.position(of: path) {
                line = position.line
                column = position.column
                if case .string = table.entries[name]! { column += 1 }
            }
            result.append(SpecVariable(name: name, expression: expression, line: line, column: column))
        }
        return result
    }

    /// An array of tables (`[[script]]`, `[[phase]]`); a single `[script]` table is named as the mistake it is.
    private func arrayOfTables(_ root: SpecTable, _ key: String) throws(WorkloadError) -> [SpecTable] {
        guard let value = root.entries[key] else { return [] }
        guard case .array(let elements) = value else {
            throw context.error(
                at: key,
                atKey: true,
                "\"\(key)\" must be an array of tables: write [[\(key)]] (double brackets), not "
                    + value.typeDescription
            )
        }
        var tables: [SpecTable] = []
        for (index, element) in elements.enumerated() {
            let path = "\(key)[\(index)]"
            guard case .table(let entries) = element else {
                throw context.error(
                    at: path,
                    "each \(key) must be a table ([[\(key)]]), not \(element.typeDescription)"
                )
            }
            tables.append(SpecTable(path: path, title: "[[\(key)]] #\(index + 1)", entries: entries, context: context))
        }
        return tables
    }

    private func scripts(_ root: SpecTable, defaultMode: QueryMode) throws(WorkloadError) -> [SpecScript] {
        let tables = try arrayOfTables(root, "script")
        guard !tables.isEmpty else {
            throw WorkloadError(
                file: context.file,
                line: 0,
                column: 0,
                message: "no [[script]]: a workload needs at least one script (sql, file or builtin)"
            )
        }
        var scripts: [SpecScript] = []
        var names: [String: String] = [:]  // script name -> its key path, to name the first one on a duplicate
        for table in tables {
            let script = try script(table, index: scripts.count, defaultMode: defaultMode)
            if names[script.name] != nil {
                throw context.error(
                    at: table.has("name") ? table.keyPath("name") : table.path,
                    "duplicate script name \"\(script.name)\": each [[script]] needs its own name"
                )
            }
            names[script.name] = table.path
            scripts.append(script)
        }
        if scripts.allSatisfy({ $0.weight == 0 }) {
            throw context.error(at: tables[0].keyPath("weight"), "every script has weight 0: nothing would run")
        }
        return scripts
    }

    private func script(_ table: SpecTable, index: Int, defaultMode: QueryMode) throws(WorkloadError) -> SpecScript {
        try table.checkKeys(Self.scriptKeys)
        let bodies = ["sql", "file", "builtin"].filter(table.has)
        guard bodies.count == 1 else {
            if bodies.isEmpty {
                throw context.error(at: table.path, atKey: true, "\(table.title) needs one of sql, file or builtin")
            }
            throw context.error(
                at: table.keyPath(bodies[1]),
                atKey: true,
                "\(table.title) has both \(bodies[0]) and \(bodies[1]): give exactly one of sql, file or builtin"
            )
        }

        var text: String
        var body: SpecScript.Body
        var name: String
        if let sql = try table.string("sql") {
            let (line, column) = inlineStart(of: table.keyPath("sql"))
            text = sql
            body = .inline(line: line, column: column)
            name = "script\(index + 1)"
        } else if let file = try table.string("file") {
            let resolved = file.hasPrefix("/") ? file : (directory as NSString).appendingPathComponent(file)
            text = try readScript(resolved, as: file, at: table.keyPath("file"))
            body = .file(path: resolved)
            name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        } else {
            let builtin = try table.string("builtin")!
            guard let entry = BuiltinScript.list().first(where: { $0.name == builtin }) else {
                let known = BuiltinScript.list().map(\.name).joined(separator: ", ")
                throw context.error(
                    at: table.keyPath("builtin"),
                    "unknown builtin script \"\(builtin)\": expected one of \(known)"
                )
            }
            text = entry.source.text
            body = .builtin(name: entry.name)
            // Keeping pgbench's name lets the run read the scale from pgbench_branches, as pgbench does.
            name = entry.source.name
        }
        if let given = try table.string("name") {
            guard !given.isEmpty else { throw context.error(at: table.keyPath("name"), "the script name is empty") }
            name = given
        }
        if !text.hasSuffix("\n") { text += "\n" }

        let weight = try table.integer("weight", minimum: 0) ?? 1
        guard weight <= Int(Int32.max) else {
            throw context.error(at: table.keyPath("weight"), "weight out of range (0 .. \(Int32.max)): \(weight)")
        }
        let tags = try table.stringList("tags") ?? []
        for (tagIndex, tag) in tags.enumerated() {
            if tag.isEmpty {
                throw context.error(at: "\(table.keyPath("tags"))[\(tagIndex)]", "a tag must not be empty")
            }
            // Each tag is a histogram series; a repeated tag would count the script's transactions twice there.
            if tags[..<tagIndex].contains(tag) {
                throw context.error(at: "\(table.keyPath("tags"))[\(tagIndex)]", "tag \"\(tag)\" is given twice")
            }
        }
        let mode = try mode(table, "mode")
        let pipeline = try table.integer("pipeline", minimum: 0) ?? 0
        if pipeline > 0 && (mode ?? defaultMode) == .simple {
            throw context.error(
                at: table.keyPath("pipeline"),
                "pipeline = \(pipeline) needs mode \"extended\" or \"prepared\" (the simple protocol cannot pipeline)"
            )
        }
        return SpecScript(
            name: name,
            weight: weight,
            tags: tags,
            mode: mode,
            connection: try connectionPolicy(table),
            pipelineDepth: pipeline,
            text: text,
            body: body
        )
    }

    private func readScript(_ path: String, as written: String, at keyPath: String) throws(WorkloadError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: path)
        else {
            throw context.error(
                at: keyPath,
                "script file \"\(written)\" not found (looked for \(path); paths are relative to the spec's directory)"
            )
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The spec line and column of an inline script's first character: TOML drops a newline right after `"""`.
    private func inlineStart(of path: String) -> (line: Int, column: Int) {
        guard let position = context.map.valuePositions[path], position.line <= context.lines.count else {
            return (0, 0)
        }
        let line = Array(context.lines[position.line - 1])
        let start = position.column - 1
        let rest = start < line.count ? String(line[start...]) : ""
        for delimiter in ["\"\"\"", "'''"] where rest.hasPrefix(delimiter) {
            if rest.count == 3 {
                return (position.line + 1, 1)
            }
            return (position.line, position.column + 3)
        }
        return (position.line, position.column + 1)
    }

    private func mode(_ table: SpecTable, _ key: String) throws(WorkloadError) -> QueryMode? {
        guard let text = try table.string(key) else { return nil }
        guard let mode = QueryMode(rawValue: text) else {
            throw context.error(
                at: table.keyPath(key),
                "invalid mode \"\(text)\": expected \"simple\", \"extended\" or \"prepared\""
            )
        }
        return mode
    }

    /// `connection = "persistent" | "reconnect-each" | { reconnect_every = N }`, or `reconnect_every = N` beside it.
    private func connectionPolicy(_ table: SpecTable) throws(WorkloadError) -> ConnectionPolicy {
        let expected = "expected \"persistent\", \"reconnect-each\" or { reconnect_every = N }"
        var policy = ConnectionPolicy.persistent
        if let value = table.entries["connection"] {
            switch value {
            case .string("persistent"): policy = .persistent
            case .string("reconnect-each"): policy = .reconnectEach
            case .string(let other):
                throw context.error(at: table.keyPath("connection"), "invalid connection \"\(other)\": \(expected)")
            case .table:
                let inner = try table.table("connection", title: "connection")!
                try inner.checkKeys(["reconnect_every"])
                guard let every = try inner.integer("reconnect_every", minimum: 1) else {
                    throw context.error(at: inner.path, "connection table needs reconnect_every = N")
                }
                policy = .reconnectEvery(every)
            default:
                throw table.typeError("connection", expected: "a string or a table", got: value)
            }
        }
        if let every = try table.integer("reconnect_every", minimum: 1) {
            if table.has("connection") {
                throw context.error(
                    at: table.keyPath("reconnect_every"),
                    atKey: true,
                    "give either connection or reconnect_every, not both"
                )
            }
            policy = .reconnectEvery(every)
        }
        return policy
    }

    private func phases(_ root: SpecTable) throws(WorkloadError) -> [SpecPhase] {
        var phases: [SpecPhase] = []
        var names: Set<String> = []
        for table in try arrayOfTables(root, "phase") {
            try table.checkKeys(Self.phaseKeys)
            let kindText = try table.string("kind") ?? "steady"
            guard let kind = SpecPhase.Kind(rawValue: kindText) else {
                throw context.error(
                    at: table.keyPath("kind"),
                    "invalid phase kind \"\(kindText)\": expected \"warmup\", \"ramp\" or \"steady\""
                )
            }
            let name = try table.string("name") ?? kind.rawValue
            if names.contains(name) {
                throw context.error(
                    at: table.has("name") ? table.keyPath("name") : table.path,
                    "duplicate phase name \"\(name)\""
                )
            }
            names.insert(name)
            guard let duration = try table.duration("duration") else {
                throw context.error(at: table.path, atKey: true, "\(table.title) needs a duration (e.g. \"30s\")")
            }
            guard let clients = try range(table, "clients", kind: kind, integer: true) else {
                throw context.error(at: table.path, atKey: true, "\(table.title) needs clients (e.g. clients = 8)")
            }
            let rate = try range(table, "rate", kind: kind, integer: false)
            phases.append(
                SpecPhase(
                    name: name,
                    kind: kind,
                    durationSeconds: duration,
                    clientsFrom: Int(clients.from),
                    clientsTo: Int(clients.to),
                    rateFrom: rate?.from,
                    rateTo: rate?.to,
                    threads: try table.integer("threads", minimum: 1)
                )
            )
        }
        return phases
    }

    /// `key = N` or, in a ramp phase, `key = { from = A, to = B }`.
    private func range(
        _ table: SpecTable,
        _ key: String,
        kind: SpecPhase.Kind,
        integer: Bool
    ) throws(WorkloadError) -> (from: Double, to: Double)? {
        guard let value = table.entries[key] else { return nil }
        func single(_ owner: SpecTable, _ name: String) throws(WorkloadError) -> Double {
            if integer { return Double(try owner.integer(name, minimum: 1)!) }
            return try owner.positiveNumber(name)!
        }
        switch value {
        case .table:
            guard kind == .ramp else {
                throw context.error(
                    at: table.keyPath(key),
                    "\(key) = { from, to } is only for a ramp phase; a \(kind.rawValue) phase takes one number"
                )
            }
            let inner = try table.table(key, title: "\(key) of \(table.title)")!
            try inner.checkKeys(["from", "to"])
            guard inner.has("from") && inner.has("to") else {
                throw context.error(at: inner.path, "\(key) of a ramp needs both from and to")
            }
            return (try single(inner, "from"), try single(inner, "to"))
        case .integer, .float:
            let number = try single(table, key)
            return (number, number)
        default:
            throw table.typeError(
                key,
                expected: integer ? "an integer or { from, to }" : "a number or { from, to }",
                got: value
            )
        }
    }
}
