/// Meta-commands: a backslash line read into words and parsed into a `Command`.
extension ScriptCompiler {
    struct Word {
        var text: String
        var offset: Int
    }

    /// Reads the next blank-separated word on the current line (a backslash-newline continues the line).
    func readWord(_ position: inout Int) -> Word? {
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
    func parseMetaCommand(
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

    func parseSleep(
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
    func shellArgument(_ text: String, variables: inout VariableTable) -> ShellArgument {
        guard text.hasPrefix(":") else { return .literal(text) }
        let rest = String(text.dropFirst())
        if rest.hasPrefix(":") { return .literal(rest) }
        return .variable(slot: variables.slot(for: rest), name: rest)
    }
}

/// Collects the variable names an expression uses while it is parsed, then binds them to real slots: a parse that
/// fails must not leave names behind in the plan.
final class PendingNames {
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
