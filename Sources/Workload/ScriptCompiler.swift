/// Compiles one script's text into commands: SQL split and rewritten for the query mode, meta-commands parsed,
/// `\gset`/`\aset` merged into the SQL before them, and `\if` chains turned into forward jumps.
struct ScriptCompiler {
    /// A command as written, before conditionals become jumps.
    private enum Item {
        case sql(PendingSQL)
        case command(Command)
        case ifCondition(Expr)
        case elifCondition(Expr)
        case elseBranch
        case endIf
    }

    private struct PendingSQL {
        var text: String
        var offset: Int
        var isCompound: Bool
        var resultHandling: ResultHandling
    }

    private struct Located {
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
        return finish(
            items,
            variables: &variables,
            nextSQLIndex: &nextSQLIndex,
            nextStatementNumber: &nextStatementNumber
        )
    }

    // MARK: Meta-commands

    private struct Word {
        var text: String
        var offset: Int
    }

    /// Reads the next blank-separated word on the current line (a backslash-newline continues the line).
    private func readWord(_ position: inout Int) -> Word? {
        var lexer = ExpressionLexer(bytes: source.bytes, position: position)
        lexer.skipBlanks()
        var index = lexer.position
        let start = index
        let bytes = source.bytes
        while index < bytes.count {
            let c = bytes[index]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x0B || c == 0x0C { break }
            index += 1
        }
        position = index
        guard index > start else { return nil }
        return Word(text: String(decoding: bytes[start..<index], as: UTF8.self), offset: start)
    }

    /// Parses the meta-command whose backslash is at `offset`; returns where scanning resumes (its line's end).
    private func parseMetaCommand(
        at offset: Int,
        variables: inout VariableTable,
        items: inout [Located]
    ) throws(WorkloadError) -> Int {
        var position = offset + 1
        guard let name = readWord(&position) else {
            return position  // a lone backslash: pgbench ignores it
        }
        let command = name.text.lowercased()
        func fail(_ message: String, at errorOffset: Int? = nil) -> WorkloadError {
            source.error(at: errorOffset ?? offset, message)
        }

        switch command {
        case "set", "if", "elif":
            var target: Word? = nil
            if command == "set" {
                guard let variable = readWord(&position) else {
                    throw fail("missing argument in command \"set\": expected a variable name and an expression")
                }
                guard VariableTable.isValidName(variable.text) else {
                    throw fail("invalid variable name: \"\(variable.text)\"", at: variable.offset)
                }
                target = variable
            }
            let parsed: Expr
            let end: Int
            do {
                let resolver = PendingNames()
                var parser = try ExpressionParser(bytes: source.bytes, position: position) { name in
                    resolver.add(name)
                }
                let provisional = try parser.parseWhole()
                end = parser.endOffset
                // Slots are assigned after parsing: the parser hands out provisional numbers for new names.
                parsed = resolver.rebind(provisional, into: &variables)
            } catch {
                throw fail("\(error.message) in command \"\(command)\"", at: error.offset)
            }
            switch command {
            case "set":
                let name = target!.text
                items.append(
                    Located(
                        item: .command(.set(slot: variables.slot(for: name), name: name, expression: parsed)),
                        offset: offset
                    )
                )
            case "if": items.append(Located(item: .ifCondition(parsed), offset: offset))
            default: items.append(Located(item: .elifCondition(parsed), offset: offset))
            }
            return end
        default:
            break
        }

        var arguments: [Word] = []
        while let word = readWord(&position) {
            if arguments.count + 1 >= Self.maximumArguments {
                throw fail("too many arguments in command \"\(command)\"", at: word.offset)
            }
            arguments.append(word)
        }

        switch command {
        case "sleep":
            items.append(
                Located(
                    item: .command(try parseSleep(arguments, offset: offset, variables: &variables)),
                    offset: offset
                )
            )
        case "setshell":
            guard arguments.count >= 2 else {
                throw fail("missing argument in command \"setshell\": expected a variable name and a command")
            }
            guard VariableTable.isValidName(arguments[0].text) else {
                throw fail("invalid variable name: \"\(arguments[0].text)\"", at: arguments[0].offset)
            }
            let shellArguments = arguments.dropFirst().map { shellArgument($0.text, variables: &variables) }
            let name = arguments[0].text
            items.append(
                Located(
                    item: .command(.setShell(slot: variables.slot(for: name), name: name, arguments: shellArguments)),
                    offset: offset
                )
            )
        case "shell":
            guard !arguments.isEmpty else { throw fail("missing command in command \"shell\"") }
            let shellArguments = arguments.map { shellArgument($0.text, variables: &variables) }
            items.append(Located(item: .command(.shell(arguments: shellArguments)), offset: offset))
        case "else", "endif", "startpipeline", "syncpipeline", "endpipeline":
            if let extra = arguments.first {
                throw fail("unexpected argument in command \"\(command)\"", at: extra.offset)
            }
            let item: Item
            switch command {
            case "else": item = .elseBranch
            case "endif": item = .endIf
            case "startpipeline": item = .command(.startPipeline)
            case "syncpipeline": item = .command(.syncPipeline)
            default: item = .command(.endPipeline)
            }
            items.append(Located(item: item, offset: offset))
        case "gset", "aset":
            if arguments.count > 1 {
                throw fail("too many arguments in command \"\(command)\"", at: arguments[1].offset)
            }
            guard let last = items.indices.last, case .sql(var pending) = items[last].item,
                pending.resultHandling == .none
            else {
                throw fail("\\\(command) must follow an SQL command")
            }
            let prefix = arguments.first?.text ?? ""
            pending.resultHandling = command == "gset" ? .gset(prefix: prefix) : .aset(prefix: prefix)
            items[last].item = .sql(pending)
        default:
            throw fail("invalid command \"\\\(name.text)\"")
        }
        return position
    }

    private func parseSleep(
        _ arguments: [Word],
        offset: Int,
        variables: inout VariableTable
    ) throws(WorkloadError) -> Command {
        guard let first = arguments.first else {
            throw source.error(at: offset, "missing argument in command \"sleep\": expected a duration")
        }
        if arguments.count > 2 {
            throw source.error(at: arguments[2].offset, "too many arguments in command \"sleep\"")
        }
        var unit = arguments.count == 2 ? arguments[1] : nil
        let duration: SleepDuration
        if first.text.hasPrefix(":") {
            let name = String(first.text.dropFirst())
            duration = .variable(slot: variables.slot(for: name), name: name)
        } else {
            // As pgbench: optional sign, digits, and a unit glued on ("10ms") only when no unit word follows.
            let bytes = Array(first.text.utf8)
            var index = 0
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) {
                index += 1
            }
            let digitsStart = index
            while index < bytes.count && ExpressionLexer.isDigit(bytes[index]) { index += 1 }
            let haveDigit = index > digitsStart
            if index < bytes.count {
                guard arguments.count == 1 && haveDigit else {
                    throw source.error(at: first.offset, "invalid sleep time, must be an integer: \"\(first.text)\"")
                }
                unit = Word(
                    text: String(decoding: bytes[index...], as: UTF8.self),
                    offset: first.offset + index
                )
            }
            guard haveDigit else {
                throw source.error(at: first.offset, "invalid sleep time, must be an integer: \"\(first.text)\"")
            }
            let number = String(decoding: bytes[0..<index], as: UTF8.self)
            duration = .literal(Int64(number.hasPrefix("+") ? String(number.dropFirst()) : number) ?? Int64.max)
        }
        var microseconds: Int64 = 1_000_000
        if let unit {
            switch unit.text.lowercased() {
            case "us": microseconds = 1
            case "ms": microseconds = 1_000
            case "s": microseconds = 1_000_000
            default:
                throw source.error(
                    at: unit.offset,
                    "unrecognized time unit, must be us, ms or s: \"\(unit.text)\""
                )
            }
        }
        return .sleep(duration, unitMicroseconds: microseconds)
    }

    /// `:name` is a variable, `::text` is the literal `:text`, anything else is literal.
    private func shellArgument(_ text: String, variables: inout VariableTable) -> ShellArgument {
        guard text.hasPrefix(":") else { return .literal(text) }
        let rest = String(text.dropFirst())
        if rest.hasPrefix(":") { return .literal(rest) }
        return .variable(slot: variables.slot(for: rest), name: rest)
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

/// Collects the variable names an expression uses while it is parsed, then binds them to real slots: a parse that
/// fails must not leave names behind in the plan.
private final class PendingNames {
    private(set) var names: [String] = []

    func add(_ name: String) -> Int {
        if let existing = names.firstIndex(of: name) { return existing }
        names.append(name)
        return names.count - 1
    }

    func rebind(_ expr: Expr, into table: inout VariableTable) -> Expr {
        switch expr {
        case .constant, .nullary:
            return expr
        case .variable(let provisional, let name):
            _ = provisional
            return .variable(slot: table.slot(for: name), name: name)
        case .unary(let f, let a):
            return .unary(f, rebind(a, into: &table))
        case .binary(let f, let a, let b):
            return .binary(f, rebind(a, into: &table), rebind(b, into: &table))
        case .ternary(let f, let a, let b, let c):
            return .ternary(f, rebind(a, into: &table), rebind(b, into: &table), rebind(c, into: &table))
        case .variadic(let f, let arguments):
            return .variadic(f, arguments.map { rebind($0, into: &table) })
        }
    }
}
