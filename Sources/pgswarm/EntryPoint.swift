import ArgumentParser
import Engine
import Workload
import Connection
import PgbenchCLI

/// Parses, runs and turns every failure into one line on stderr and an exit code.
enum EntryPoint {
    /// pgbench's convention: 0 success, 1 an error during the run, 2 bad input or no way to start.
    static func run(_ arguments: [String]) async -> Int32 {
        do {
            let (rewritten, scripts) = try rewrite(arguments)
            var command = try Pgswarm.parseAsRoot(rewritten)
            try await Invocation.$scripts.withValue(scripts) {
                if var asyncCommand = command as? AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
            }
            return 0
        } catch {
            return report(error, arguments: arguments)
        }
    }

    /// `run` and `init` arguments in canonical form; `run -i` becomes `init`, as pgbench's -i switches mode.
    static func rewrite(_ arguments: [String]) throws -> ([String], [PgbenchArguments.ScriptChoice]) {
        guard let subcommand = arguments.first, subcommand == "run" || subcommand == "init" else {
            // A lone -h at the top level can only be a request for help (no subcommand takes a host there).
            if arguments == ["-h"] { return (["--help"], []) }
            // pgbench's short help, -?, is --help to every command (run and init get it from the normaliser).
            let arguments = arguments.map { $0 == "-?" ? "--help" : $0 }
            if let first = arguments.first, first.hasPrefix("-"), !rootOptions.contains(first),
                !first.hasPrefix("--generate-completion-script")
            {
                throw PgswarmError(
                    .usage,
                    "unknown option '\(first)': pgbench's options go after the subcommand, as in "
                        + "'pgswarm run \(arguments.joined(separator: " "))'"
                )
            }
            return (arguments, [])
        }
        let normalized: PgbenchArguments.Normalized
        do {
            normalized = try PgbenchArguments.normalize(
                Array(arguments.dropFirst()),
                initializing: subcommand == "init"
            )
        } catch {
            throw PgswarmError(.usage, "\(error.message) (see 'pgswarm \(subcommand) --help')")
        }
        if normalized.initialize {
            // -i selects the mode; the init subcommand itself has no such option.
            return (["init"] + normalized.arguments.filter { $0 != "--initialize" }, [])
        }
        return ([subcommand] + normalized.arguments, normalized.scripts)
    }

    /// --experimental-dump-help prints the command definitions as JSON: swift-argument-parser's generate-manual
    /// makes the manual page from it (Scripts/build-release.sh).
    static let rootOptions: Set<String> = ["--help", "--version", "--experimental-dump-help"]

    /// Prints what went wrong and picks the exit code.
    static func report(_ error: Error, arguments: [String]) -> Int32 {
        switch error {
        case let error as PgswarmError:
            StandardError.write("pgswarm: \(error.message)")
            switch error.kind {
            case .usage, .connection, .authentication: return 2
            case .server, .io: return 1
            }
        case let error as WorkloadError:
            // Without a line the location is just the option's text, which the message already names (as pgbench
            // prints it); with one, file:line:column and the caret line help.
            StandardError.write("pgswarm: " + (error.line == 0 ? error.message : error.description))
            return 2
        case let error as ExitCode:
            return error.rawValue
        default:
            // ArgumentParser's own errors, help and version requests.
            let exitCode = Pgswarm.exitCode(for: error)
            if exitCode == .success {
                print(Pgswarm.fullMessage(for: error))
                return 0
            }
            let subcommand = arguments.first.map { ["run", "init", "version", "compare", "merge", "hlog", "report", "check"].contains($0) ? " " + $0 : "" } ?? ""
            let message = Pgswarm.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            StandardError.write("pgswarm: \(message) (see 'pgswarm\(subcommand) --help')")
            return 2
        }
    }
}
