/// What a client must do next, as decided by its script.
public enum ScriptStep: Sendable {
    /// Send this SQL command; read its parameters with `ScriptRunner.parameter(_:)`.
    case sql(SQLCommand)
    /// \sleep: wait this long, then call `next()` again.
    case sleep(nanoseconds: UInt64)
    case startPipeline
    case syncPipeline
    case endPipeline
    /// The transaction (one run of a script) is complete.
    case endOfScript
}

/// One client's interpreter: its variables, its random generators and its position in the current script. It does
/// no I/O except \shell and \setshell (which block, as in pgbench); the engine drives it with `beginTransaction()`
/// and `next()`.
public struct ScriptRunner {
    public let plan: Plan
    public let clientID: Int
    /// Variables and the generator behind random functions.
    private var evaluator: ExpressionEvaluator
    /// A separate generator for choosing scripts, so the choice does not shift the random functions' draws.
    private var chooser: PGRandom
    public private(set) var scriptIndex = 0
    private var commands: [Command] = []
    private var programCounter = 0
    /// The random state at the start of the transaction, so that a retry draws the same values (as pgbench).
    private var transactionStartRNG: PGRandom

    /// A runner whose random functions draw from a generator seeded with `randomSeed`.
    public init(plan: Plan, clientID: Int, randomSeed: UInt64) {
        var mixer = plan.chooserSeed ^ UInt64(truncatingIfNeeded: clientID)
        let chooserSeed = clientID == 0 ? plan.chooserSeed : PGRandom.splitmix64(&mixer)
        self.init(plan: plan, clientID: clientID, functionSeed: randomSeed, chooserSeed: chooserSeed)
    }

    /// A runner seeded from the plan's seed as pgbench seeds its clients: with the same --random-seed and client
    /// count, client n draws the same random values as pgbench's client n (and client 0 picks the same scripts
    /// as pgbench with one thread).
    public init(plan: Plan, clientID: Int) {
        self.init(plan: plan, clientID: clientID, randomSeed: plan.clientSeed(clientID))
    }

    private init(plan: Plan, clientID: Int, functionSeed: UInt64, chooserSeed: UInt64) {
        self.plan = plan
        self.clientID = clientID
        var values = plan.initialValues
        if let slot = plan.clientIDSlot { values[slot] = .int(Int64(clientID)) }
        evaluator = ExpressionEvaluator(values: values, rng: PGRandom(seed: functionSeed))
        chooser = PGRandom(seed: chooserSeed)
        transactionStartRNG = evaluator.rng
    }

    /// Starts a transaction: picks a script by weight (as pgbench's chooseScript) and returns its index.
    @discardableResult
    public mutating func beginTransaction() -> Int {
        let chosen = plan.chooseScript(&chooser)
        // Most runs have one script: keep the array rather than swap references on every transaction.
        if chosen != scriptIndex || commands.isEmpty {
            commands = plan.scripts[chosen].commands
        }
        scriptIndex = chosen
        programCounter = 0
        evaluator.scriptIndex = scriptIndex
        transactionStartRNG = evaluator.rng
        return scriptIndex
    }

    /// Runs the current transaction again from its first command with the random state it began with, as
    /// pgbench does when it retries a serialization failure or deadlock (`--max-tries`).
    public mutating func restartTransaction() {
        programCounter = 0
        evaluator.rng = transactionStartRNG
    }

    /// Runs meta-commands until the engine has something to do.
    public mutating func next() throws(ScriptError) -> ScriptStep {
        // Bounded: jumps only go forward, so each call visits every command at most once.
        while programCounter < commands.count {
            let index = programCounter
            programCounter += 1
            switch commands[index] {
            case .sql(let command):
                return .sql(command)
            case .set(let slot, _, let expression):
                evaluator.commandIndex = index
                let value: Value
                do {
                    value = try evaluator.evaluate(expression)
                } catch {
                    throw failure(error.message, at: index)
                }
                evaluator.values[slot] = value
            case .jumpUnless(let condition, let target):
                evaluator.commandIndex = index
                let value: Value
                do {
                    value = try evaluator.evaluate(condition)
                } catch {
                    throw failure(error.message, at: index)
                }
                if !ExpressionEvaluator.truth(value) { programCounter = target }
            case .jump(let target):
                programCounter = target
            case .sleep(let duration, let unit):
                return .sleep(nanoseconds: try sleepNanoseconds(duration, unit: unit, at: index))
            case .shell(let arguments):
                do {
                    try ShellCommand.run(commandLine(arguments, at: index))
                } catch {
                    throw failure(error.message, at: index)
                }
            case .setShell(let slot, _, let arguments):
                do {
                    evaluator.values[slot] = .int(try ShellCommand.runForInteger(commandLine(arguments, at: index)))
                } catch {
                    throw failure(error.message, at: index)
                }
            case .startPipeline:
                return .startPipeline
            case .syncPipeline:
                return .syncPipeline
            case .endPipeline:
                return .endPipeline
            }
        }
        return .endOfScript
    }

    private func failure(_ message: String, at index: Int) -> ScriptError {
        ScriptError(
            message: message,
            script: plan.scripts[scriptIndex].name,
            line: plan.scripts[scriptIndex].lines[index]
        )
    }

    private func sleepNanoseconds(_ duration: SleepDuration, unit: Int64, at index: Int) throws(ScriptError) -> UInt64 {
        var amount: Int64
        switch duration {
        case .literal(let value):
            amount = value
        case .variable(let slot, let name):
            guard let value = evaluator.values[slot] else {
                throw failure("sleep: undefined variable \"\(name)\"", at: index)
            }
            switch value {
            case .int(let i): amount = i
            case .double(let d): amount = d.isFinite ? Int64(d.rounded(.towardZero)) : 0
            default:
                // atoi() of the text: leading digits, else an error as pgbench reports it.
                let text = value.text
                let digits = text.drop(while: { $0 == " " }).prefix(while: { $0.isNumber || $0 == "-" || $0 == "+" })
                guard let parsed = Int64(digits) else {
                    throw failure("sleep: invalid sleep time \"\(text)\" for variable \"\(name)\"", at: index)
                }
                amount = parsed
            }
        }
        let (microseconds, overflow) = amount.multipliedReportingOverflow(by: unit)
        if overflow || microseconds <= 0 { return overflow && amount > 0 ? UInt64.max : 0 }
        let (nanoseconds, overflowNanos) = UInt64(microseconds).multipliedReportingOverflow(by: 1000)
        return overflowNanos ? UInt64.max : nanoseconds
    }

    private func commandLine(_ arguments: [ShellArgument], at index: Int) throws(EvaluationError) -> String {
        var parts: [String] = []
        for argument in arguments {
            switch argument {
            case .literal(let text):
                parts.append(text)
            case .variable(let slot, let name):
                guard let value = evaluator.values[slot] else {
                    throw EvaluationError(message: "\(parts.first ?? "shell"): undefined variable \":\(name)\"")
                }
                parts.append(value.text)
            }
        }
        return parts.joined(separator: " ")
    }

    // MARK: Variables

    /// The value of a variable slot, nil when the variable is undefined. In extended/prepared mode an undefined
    /// variable is sent as NULL; in simple mode its `:name` stays in the text (see `simpleQueryText`).
    public func parameter(_ slot: Int) -> Value? {
        // Read in place: going through a computed copy of `values` costs a retain and a release per parameter.
        evaluator.values[slot]
    }

    /// A variable by name (nil when undefined or unknown to the plan).
    public func value(of name: String) -> Value? {
        guard let slot = plan.slot(named: name) else { return nil }
        return evaluator.values[slot]
    }

    /// Sets a variable known to the plan; returns false if no script uses that name.
    @discardableResult
    public mutating func setValue(_ value: Value, of name: String) -> Bool {
        guard let slot = plan.slot(named: name) else { return false }
        evaluator.values[slot] = value
        return true
    }

    /// Simple mode: the SQL text with each variable's value substituted (undefined ones stay `:name`).
    public func simpleQueryText(_ command: SQLCommand) -> String {
        if command.parameterSlots.isEmpty { return command.textParts[0] }
        var text = command.textParts[0]
        for (position, slot) in command.parameterSlots.enumerated() {
            if let value = evaluator.values[slot] {
                text += value.text
            } else {
                text += ":" + command.parameterNames[position]
            }
            text += command.textParts[position + 1]
        }
        return text
    }

    /// Stores one result row for \gset / \aset: each column becomes the variable `prefix + column name`; SQL NULL
    /// is stored as an empty string, as pgbench does. Columns no script reads are dropped.
    public mutating func storeRow(prefix: String, columnNames: [String], values: [String?]) {
        for (column, name) in columnNames.enumerated() where column < values.count {
            guard let slot = plan.slot(named: prefix.isEmpty ? name : prefix + name) else { continue }
            evaluator.values[slot] = .string(values[column] ?? "")
        }
    }

    /// The error pgbench reports when a \gset query did not return exactly one row.
    public func gsetRowCountError(_ command: SQLCommand, rows: Int, queryNumber: Int = 0) -> ScriptError {
        ScriptError(
            message: "client \(clientID) script \(command.scriptIndex) command \(command.commandNumber) query "
                + "\(queryNumber): expected one row, got \(rows)",
            script: plan.scripts[command.scriptIndex].name,
            line: command.line
        )
    }

    /// Handles one query result of an SQL command that has \gset or \aset. Call it for each result of a compound
    /// command, in order; `rowCount` is nil for a command that returns no rows (e.g. UPDATE).
    public mutating func storeResult(
        of command: SQLCommand,
        queryNumber: Int,
        isLastQuery: Bool,
        rowCount: Int?,
        columnNames: [String],
        lastRow: [String?]
    ) throws(ScriptError) {
        switch command.resultHandling {
        case .none:
            return
        case .gset(let prefix):
            guard isLastQuery else { return }
            guard let rowCount, rowCount == 1 else {
                throw gsetRowCountError(command, rows: rowCount ?? 0, queryNumber: queryNumber)
            }
            try checkNames(prefix: prefix, columnNames: columnNames, context: "gset", command: command)
            storeRow(prefix: prefix, columnNames: columnNames, values: lastRow)
        case .aset(let prefix):
            guard let rowCount, rowCount > 0 else { return }
            try checkNames(prefix: prefix, columnNames: columnNames, context: "aset", command: command)
            storeRow(prefix: prefix, columnNames: columnNames, values: lastRow)
        }
    }

    /// pgbench refuses to store a column whose name is not a valid variable name (`SELECT 1 \gset` names its
    /// column "?column?") and aborts the client.
    private func checkNames(
        prefix: String,
        columnNames: [String],
        context: String,
        command: SQLCommand
    ) throws(ScriptError) {
        for name in columnNames {
            let full = prefix + name
            if plan.slot(named: full) == nil && !VariableTable.isValidName(full) {
                throw ScriptError(
                    message: "\(context): invalid variable name: \"\(full)\"",
                    script: plan.scripts[command.scriptIndex].name,
                    line: command.line
                )
            }
        }
    }

    /// The source line of the command that `next()` returned last (for messages).
    public var currentLine: Int {
        let index = max(0, programCounter - 1)
        let lines = plan.scripts[scriptIndex].lines
        return index < lines.count ? lines[index] : 0
    }
}
