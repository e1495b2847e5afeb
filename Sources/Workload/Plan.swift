/// Everything the engine needs to run a benchmark's scripts: compiled once, immutable, shared by all clients.
public struct Plan: Sendable {
    public let scripts: [CompiledScript]
    /// The default mode; a script of a workload spec may have its own (`CompiledScript.mode`, `SQLCommand.mode`).
    public let mode: QueryMode
    /// The name of each variable slot; every variable any script reads or writes has one.
    public let variableNames: [String]
    /// Number of SQL commands over all scripts (`SQLCommand.index` runs from 0 to this, exclusive).
    public let sqlCommandCount: Int
    /// All SQL commands of all scripts, by `SQLCommand.index`.
    public let sqlCommands: [SQLCommand]
    /// Sum of the scripts' weights.
    public let totalWeight: Int
    /// The benchmark's random seed (pgbench --random-seed); the `random_seed` variable unless -D set it.
    public let randomSeed: UInt64
    /// Initial value of each slot (nil: undefined), before `client_id` is set per client.
    let initialValues: [Value?]
    let clientIDSlot: Int?
    /// Slot lookup for `\gset` column names.
    let slotsByName: [String: Int]
    /// Seeds of the clients' generators, drawn from the seed's sequence in pgbench's order.
    private let clientSeeds: [UInt64]
    /// Seed of the script chooser (pgbench's first thread's generator).
    let chooserSeed: UInt64

    /// Compiles scripts (pgbench -f/-b) for a query mode, with `-D name=value` definitions, the scale and the random
    /// seed. Sets the automatic variables `scale`, `client_id`, `random_seed` and `default_seed` unless defined.
    public static func compile(
        sources: [ScriptSource],
        mode: QueryMode,
        defines: [(String, String)] = [],
        scale: Int = 1,
        randomSeed: UInt64 = 0,
        clients: Int = 1
    ) throws(WorkloadError) -> Plan {
        guard !sources.isEmpty else {
            throw WorkloadError(file: "pgswarm", line: 0, column: 0, message: "no script to run")
        }
        var variables = VariableTable()
        var initial: [Int: Value] = [:]
        for (name, value) in defines {
            guard VariableTable.isValidName(name) else {
                throw WorkloadError(
                    file: "-D \(name)=\(value)",
                    line: 0,
                    column: 0,
                    message: "invalid variable name: \"\(name)\""
                )
            }
            initial[variables.slot(for: name)] = .string(value)
        }
        // pgbench draws from the seed's sequence: one seed per client, then default_seed, then the first
        // thread's script chooser. Doing the same gives pgbench's random values for the same --random-seed.
        var base = PGRandom(seed: randomSeed)
        let clientSeeds = (0..<max(1, clients)).map { _ in base.nextUInt64() }
        if variables.existingSlot(for: "default_seed") == nil {
            initial[variables.slot(for: "default_seed")] = .int(Int64(bitPattern: base.nextUInt64()))
        }
        let chooserSeed = base.nextUInt64()
        let automatic: [(String, Value)] = [
            ("scale", .int(Int64(scale))),
            ("random_seed", .int(Int64(bitPattern: randomSeed))),
        ]
        for (name, value) in automatic where variables.existingSlot(for: name) == nil {
            initial[variables.slot(for: name)] = value
        }
        let clientIDSlot = variables.existingSlot(for: "client_id") == nil ? variables.slot(for: "client_id") : nil

        var scripts: [CompiledScript] = []
        var sqlIndex = 0
        var statementNumber = 0
        for (index, source) in sources.enumerated() {
            let compiler = ScriptCompiler(
                source: SourceText(name: source.name, text: source.text),
                scriptIndex: index,
                weight: source.weight,
                mode: source.mode ?? mode,
                tags: source.tags,
                connection: source.connection,
                pipelineDepth: source.pipelineDepth
            )
            scripts.append(
                try compiler.compile(
                    variables: &variables,
                    nextSQLIndex: &sqlIndex,
                    nextStatementNumber: &statementNumber
                )
            )
        }
        let totalWeight = scripts.reduce(0) { $0 + $1.weight }
        guard totalWeight > 0 else {
            throw WorkloadError(file: "pgswarm", line: 0, column: 0, message: "total script weight must not be zero")
        }
        var values = [Value?](repeating: nil, count: variables.names.count)
        for (slot, value) in initial { values[slot] = value }
        return Plan(
            scripts: scripts,
            mode: mode,
            variableNames: variables.names,
            sqlCommandCount: sqlIndex,
            sqlCommands: scripts.flatMap(\.sqlCommands),
            totalWeight: totalWeight,
            randomSeed: randomSeed,
            initialValues: values,
            clientIDSlot: clientIDSlot,
            slotsByName: variables.lookup,
            clientSeeds: clientSeeds,
            chooserSeed: chooserSeed
        )
    }

    /// The slot of a variable, if any script uses it.
    public func slot(named name: String) -> Int? { slotsByName[name] }

    /// A seed for one client's generator, derived from the benchmark's seed: the same seed and client id give
    /// the same random sequence.
    public func clientSeed(_ clientID: Int) -> UInt64 {
        if clientID >= 0 && clientID < clientSeeds.count { return clientSeeds[clientID] }
        var mixer = chooserSeed ^ UInt64(truncatingIfNeeded: clientID)
        return PGRandom.splitmix64(&mixer)
    }

    /// pgbench's chooseScript: a weighted choice of a script index with one uniform draw (none for one script).
    public func chooseScript(_ rng: inout PGRandom) -> Int {
        if scripts.count == 1 { return 0 }
        var w = rng.uniform(0, Int64(totalWeight - 1))
        var index = 0
        // Bounded by the script count: the weights add up to more than w.
        while index < scripts.count {
            w -= Int64(scripts[index].weight)
            index += 1
            if w < 0 { break }
        }
        return index - 1
    }
}
