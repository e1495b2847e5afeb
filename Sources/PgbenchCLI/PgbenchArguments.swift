import Connection

/// pgbench's command line (GNU getopt_long) rewritten into one canonical form before swift-argument-parser reads it:
/// `-c8`, `-c 8`, `--client 8`, `--client=8` and `--cli=8` all become `--client=8`; `-nS` becomes `--no-vacuum`
/// `--select-only`; positional arguments stay as they are. A value always travels glued to its option, so a value
/// that looks like an option (`-D x=-1`, `-c -h`) is read the way pgbench reads it.
public enum PgbenchArguments {
    /// One script choice, in command-line order (pgbench numbers and picks scripts in that order).
    public enum ScriptChoice: Sendable, Equatable {
        /// `-b name[@weight]`; `-S` is `select-only`, `-N` is `simple-update`.
        case builtin(String)
        /// `-f path[@weight]`.
        case file(String)
    }

    public struct Normalized: Sendable, Equatable {
        /// The arguments in canonical form.
        public var arguments: [String]
        /// `-b`, `-f`, `-S` and `-N` in the order given.
        public var scripts: [ScriptChoice]
        /// `-i` was given: pgbench's initialisation mode.
        public var initialize: Bool
        /// `--help`/`-?` or `--version`/`-V` was given: checks of the other options are skipped, as pgbench does.
        public var helpOrVersion: Bool
    }

    /// Rewrites `arguments` (without the program name and subcommand). `initializing` is true for `pgswarm init`;
    /// for `pgswarm run` the mode follows `-i`. Options of the other mode are refused as pgbench refuses them.
    public static func normalize(_ arguments: [String], initializing: Bool = false) throws(PgswarmError) -> Normalized {
        var result = Normalized(arguments: [], scripts: [], initialize: initializing, helpOrVersion: false)
        var given: [PgbenchOptionSpec] = []
        func add(_ spec: PgbenchOptionSpec, value: String?) {
            given.append(spec)
            result.arguments.append(value.map { "--\(spec.long)=\($0)" } ?? "--\(spec.long)")
            switch spec.long {
            case "builtin": result.scripts.append(.builtin(value ?? ""))
            case "file": result.scripts.append(.file(value ?? ""))
            case "select-only": result.scripts.append(.builtin("select-only"))
            case "skip-some-updates": result.scripts.append(.builtin("simple-update"))
            case "initialize": result.initialize = true
            case "help", "version": result.helpOrVersion = true
            default: break
            }
        }

        var index = 0
        // Each round consumes at least one argument.
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                result.arguments.append(contentsOf: arguments[(index - 1)...])
                break
            }
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let equals = body.firstIndex(of: "=")
                let spec = try PgbenchOptionTable.lookUpLong(String(body[..<(equals ?? body.endIndex)]))
                if let equals {
                    guard spec.takesValue else {
                        throw PgswarmError(.usage, "option '--\(spec.long)' doesn't allow an argument")
                    }
                    add(spec, value: String(body[body.index(after: equals)...]))
                } else if spec.takesValue {
                    guard index < arguments.count else {
                        throw PgswarmError(.usage, "option '--\(spec.long)' requires an argument")
                    }
                    add(spec, value: arguments[index])
                    index += 1
                } else {
                    add(spec, value: nil)
                }
            } else if argument.hasPrefix("-") && argument.count > 1 {
                // A cluster of short options; the first one taking a value takes the rest, or the next argument.
                var letters = Substring(argument.dropFirst())
                while let letter = letters.first {
                    letters = letters.dropFirst()
                    guard let spec = PgbenchOptionTable.byShort[letter] else {
                        throw PgswarmError(.usage, "invalid option -- '\(letter)'")
                    }
                    guard spec.takesValue else {
                        add(spec, value: nil)
                        continue
                    }
                    if !letters.isEmpty {
                        add(spec, value: String(letters))
                    } else if index < arguments.count {
                        add(spec, value: arguments[index])
                        index += 1
                    } else {
                        throw PgswarmError(.usage, "option requires an argument -- '\(letter)'")
                    }
                    break
                }
            } else {
                result.arguments.append(argument)
            }
        }

        if !result.helpOrVersion {
            let wrongMode: PgbenchOptionSpec.Mode = result.initialize ? .benchmark : .initialize
            if let misplaced = given.first(where: { $0.mode == wrongMode }) {
                throw PgswarmError(
                    .usage,
                    result.initialize
                        ? "\(misplaced.displayName) cannot be used in initialization (-i) mode"
                        : "\(misplaced.displayName) cannot be used in benchmarking mode (it belongs to pgswarm init)"
                )
            }
        }
        return result
    }
}
