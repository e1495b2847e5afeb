/// Compiles one script's text into commands: SQL split and rewritten for the query mode, meta-commands parsed,
/// `\gset`/`\aset` merged into the SQL before them, and `\if` chains turned into forward jumps.
struct ScriptCompiler {
    /// A command as written, before conditionals become jumps.
    enum Item {
        case sql(PendingSQL)
        case command(Command)
        case ifCondition(Expr)
        case elifCondition(Expr)
        case elseBranch
        case endIf
    }

    struct PendingSQL {
        var text: String
        var offset: Int
        var isCompound: Bool
        var resultHandling: ResultHandling
    }

    struct Located {
        var item: Item
        var offset: Int
        /// Set for commands the compiler added (pipeline depth): the text the per-command report shows.
        var generatedText: String? = nil
    }

    let source: SourceText
    let scriptIndex: Int
    let weight: Int
    let mode: QueryMode
    var tags: [String] = []
    var connection: ConnectionPolicy = .persistent
    /// Greater than 0: runs of consecutive SQL commands are wrapped in pipelines of at most this many commands.
    var pipelineDepth: Int = 0

    /// pgbench's MAX_ARGS: a command has at most 256 words, an SQL command at most 255 parameters.
    static let maximumArguments = 256

    func compile(
        variables: inout VariableTable,
        nextSQLIndex: inout Int,
        nextStatementNumber: inout Int
    ) throws(WorkloadError) -> CompiledScript {
        var scanner = ScriptScanner(bytes: source.bytes)
        var items: [Located] = []
        // Bounded by the text: every round consumes at least one byte (a `;`, a meta-command) or stops.
        for _ in 0...source.bytes.count {
            let (fragment, stop) = scanner.scanSQL()
            if let fragment {
                let pending = PendingSQL(
                    text: String(decoding: fragment.text, as: UTF8.self),
                    offset: fragment.offset,
                    isCompound: fragment.isCompound,
                    resultHandling: .none
                )
                items.append(Located(item: .sql(pending), offset: fragment.offset))
            }
            if case .backslash(let offset) = stop {
                scanner.position = try parseMetaCommand(
                    at: offset,
                    variables: &variables,
                    items: &items
                )
            }
            if stop == .endOfText { break }
        }
        if items.isEmpty {
            throw WorkloadError(
                file: source.name,
                line: 0,
                column: 0,
                message: "empty command list for script \"\(source.name)\""
            )
        }
        if pipelineDepth > 0 { items = try wrapInPipelines(items) }
        try checkConditionals(items)
        try checkPipelines(items)
        return finish(
            items,
            variables: &variables,
            nextSQLIndex: &nextSQLIndex,
            nextStatementNumber: &nextStatementNumber
        )
    }

    // MARK: Pipelines

    /// What pgbench refuses when it reaches it, refused before the run: a pipeline in the simple protocol, one
    /// opened twice or closed when none is open, and a script that ends with its pipeline open (pgbench aborts the
    /// client there; a script bug is not to be hidden). Scripts with `\if` are checked for the first only, since a
    /// pipeline may open and close in different branches.
    private func checkPipelines(_ items: [Located]) throws(WorkloadError) {
        var open: Int?
        var conditional = false
        for located in items {
            guard case .command(let command) = located.item else {
                if case .ifCondition = located.item { conditional = true }
                continue
            }
            switch command {
            case .startPipeline:
                if mode == .simple {
                    throw source.error(at: located.offset, "cannot use pipeline mode with the simple query protocol")
                }
                if open != nil && !conditional { throw source.error(at: located.offset, "already in pipeline mode") }
                open = located.offset
            case .syncPipeline, .endPipeline:
                if open == nil && !conditional { throw source.error(at: located.offset, "not in pipeline mode") }
                if case .endPipeline = command { open = nil }
            default:
                break
            }
        }
        if let offset = open, !conditional {
            throw source.error(at: offset, "end of script reached with pipeline open")
        }
    }

    // MARK: Conditionals

    private func checkConditionals(_ items: [Located]) throws(WorkloadError) {
        // Each open \if: its offset, and whether its \else was seen.
        var stack: [(offset: Int, sawElse: Bool)] = []
        for located in items {
            switch located.item {
            case .ifCondition:
                stack.append((located.offset, false))
            case .elifCondition:
                guard let top = stack.last else {
                    throw source.error(at: located.offset, "\\elif without matching \\if")
                }
                if top.sawElse { throw source.error(at: located.offset, "\\elif after \\else") }
            case .elseBranch:
                guard let top = stack.last else {
                    throw source.error(at: located.offset, "\\else without matching \\if")
                }
                if top.sawElse { throw source.error(at: located.offset, "\\else after \\else") }
                stack[stack.count - 1].sawElse = true
            case .endIf:
                if stack.popLast() == nil {
                    throw source.error(at: located.offset, "\\endif without matching \\if")
                }
            default:
                break
            }
        }
        if let unclosed = stack.last {
            throw source.error(at: unclosed.offset, "\\if without matching \\endif")
        }
    }

    // MARK: Emission

    private func finish(
        _ items: [Located],
        variables: inout VariableTable,
        nextSQLIndex: inout Int,
        nextStatementNumber: inout Int
    ) -> CompiledScript {
        var commands: [Command] = []
        var lines: [Int] = []
        var sqlCommands: [SQLCommand] = []
        var sourceCommands: [SourceCommand] = []
        var sourceCommandIndex: [Int] = []
        // Per open \if: the jump to patch when its current condition is false, and the jumps to its \endif.
        var frames: [(falseJump: Int?, endJumps: [Int])] = []

        func patch(_ index: Int, to target: Int) {
            switch commands[index] {
            case .jumpUnless(let condition, _): commands[index] = .jumpUnless(condition: condition, target: target)
            case .jump: commands[index] = .jump(target: target)
            default: break
            }
        }

        for (number, located) in items.enumerated() {
            let line = source.line(of: located.offset)
            sourceCommands.append(describe(located))
            // Every compiled command records its line and the source command it came from.
            func mark() {
                lines.append(line)
                sourceCommandIndex.append(number)
            }
            switch located.item {
            case .sql(let pending):
                let command = makeSQL(
                    pending,
                    line: source.line(of: pending.offset),
                    variables: &variables,
                    index: &nextSQLIndex,
                    commandNumber: number,
                    statementNumber: &nextStatementNumber
                )
                sqlCommands.append(command)
                commands.append(.sql(command))
                mark()
            case .command(let command):
                commands.append(command)
                mark()
            case .ifCondition(let condition):
                frames.append((commands.count, []))
                commands.append(.jumpUnless(condition: condition, target: -1))
                mark()
            case .elifCondition(let condition):
                frames[frames.count - 1].endJumps.append(commands.count)
                commands.append(.jump(target: -1))
                mark()
                if let falseJump = frames[frames.count - 1].falseJump { patch(falseJump, to: commands.count) }
                frames[frames.count - 1].falseJump = commands.count
                commands.append(.jumpUnless(condition: condition, target: -1))
                mark()
            case .elseBranch:
                frames[frames.count - 1].endJumps.append(commands.count)
                commands.append(.jump(target: -1))
                mark()
                if let falseJump = frames[frames.count - 1].falseJump { patch(falseJump, to: commands.count) }
                frames[frames.count - 1].falseJump = nil
            case .endIf:
                let frame = frames.removeLast()
                if let falseJump = frame.falseJump { patch(falseJump, to: commands.count) }
                for jump in frame.endJumps { patch(jump, to: commands.count) }
            }
        }
        return CompiledScript(
            name: source.name,
            weight: weight,
            mode: mode,
            tags: tags,
            connection: connection,
            commands: commands,
            lines: lines,
            sqlCommands: sqlCommands,
            sourceCommands: sourceCommands,
            sourceCommandIndex: sourceCommandIndex
        )
    }

    /// A workload spec's `pipeline = N`: each run of consecutive SQL commands goes out in pipelines of at most N
    /// commands. Runs never cross a meta-command, so a pipeline never straddles an \if branch.
    private func wrapInPipelines(_ items: [Located]) throws(WorkloadError) -> [Located] {
        if mode == .simple {
            throw WorkloadError(
                file: source.name,
                line: 0,
                column: 0,
                message: "pipelining (depth \(pipelineDepth)) needs the extended or prepared protocol, not simple"
            )
        }
        for located in items {
            if case .command(let command) = located.item {
                switch command {
                case .startPipeline, .syncPipeline, .endPipeline:
                    throw source.error(
                        at: located.offset,
                        "a script with a pipeline depth must not use \\startpipeline, \\syncpipeline or \\endpipeline"
                    )
                default:
                    break
                }
            }
        }
        var wrapped: [Located] = []
        var open = 0  // SQL commands in the pipeline being built; 0 when none is open
        var lastOffset = 0
        func close() {
            guard open > 0 else { return }
            wrapped.append(Located(item: .command(.endPipeline), offset: lastOffset, generatedText: "\\endpipeline"))
            open = 0
        }
        for located in items {
            guard case .sql = located.item else {
                close()
                wrapped.append(located)
                continue
            }
            if open == pipelineDepth { close() }
            if open == 0 {
                wrapped.append(
                    Located(item: .command(.startPipeline), offset: located.offset, generatedText: "\\startpipeline")
                )
            }
            wrapped.append(located)
            open += 1
            lastOffset = located.offset
        }
        close()
        return wrapped
    }

    /// A command's line and first line of text, as pgbench shows it in its per-command report.
    private func describe(_ located: Located) -> SourceCommand {
        if let generatedText = located.generatedText {
            return SourceCommand(line: source.line(of: located.offset), text: generatedText, isSQL: false)
        }
        if case .sql(let pending) = located.item {
            let firstLine = pending.text.prefix { $0 != "\n" && $0 != "\r" }
            return SourceCommand(line: source.line(of: pending.offset), text: String(firstLine), isSQL: true)
        }
        let line = source.line(of: located.offset)
        let column = source.column(of: located.offset)
        let text = String(source.lineText(line).dropFirst(column - 1))
        return SourceCommand(line: line, text: text, isSQL: false)
    }

    /// Finds the `:name` references in an SQL command, as pgbench does: anywhere in the text, quotes included;
    /// `::` is skipped, so casts are not variables.
    private func makeSQL(
        _ pending: PendingSQL,
        line: Int,
        variables: inout VariableTable,
        index: inout Int,
        commandNumber: Int,
        statementNumber: inout Int
    ) -> SQLCommand {
        let bytes = Array(pending.text.utf8)
        var parts: [String] = []
        var slots: [Int] = []
        var names: [String] = []
        var rewritten: [UInt8] = []
        var partStart = 0
        var i = 0
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: ":") else {
                i += 1
                continue
            }
            guard i + 1 < bytes.count, ExpressionLexer.isAlpha(bytes[i + 1]),
                slots.count < Self.maximumArguments - 1
            else {
                while i < bytes.count && bytes[i] == UInt8(ascii: ":") { i += 1 }
                continue
            }
            var end = i + 2
            while end < bytes.count && ExpressionLexer.isAlnum(bytes[end]) { end += 1 }
            let name = String(decoding: bytes[(i + 1)..<end], as: UTF8.self)
            parts.append(String(decoding: bytes[partStart..<i], as: UTF8.self))
            rewritten.append(contentsOf: bytes[partStart..<i])
            slots.append(variables.slot(for: name))
            names.append(name)
            rewritten.append(contentsOf: "$\(slots.count)".utf8)
            partStart = end
            i = end
        }
        parts.append(String(decoding: bytes[partStart...], as: UTF8.self))
        rewritten.append(contentsOf: bytes[partStart...])

        var statementName = ""
        if mode == .prepared {
            statementName = "P_\(statementNumber)"
            statementNumber += 1
        }
        defer { index += 1 }
        return SQLCommand(
            index: index,
            scriptIndex: scriptIndex,
            commandNumber: commandNumber,
            sql: mode == .simple ? pending.text : String(decoding: rewritten, as: UTF8.self),
            textParts: parts,
            parameterSlots: slots,
            parameterNames: names,
            mode: mode,
            statementName: statementName,
            resultHandling: pending.resultHandling,
            line: line,
            isCompound: pending.isCompound
        )
    }
}
