import Foundation
import Testing

@testable import Engine
import TestSupport

/// The built `pgswarm` executable, run the way a user runs it; `--dry-run` shows how a command line was understood
/// without connecting. Covers the ArgumentParser layer, which the library tests cannot import.
@Suite("CLI: the pgswarm executable")
struct CliBinaryTests {
    typealias Outcome = PgswarmProcess.Outcome

    static var home: URL { PgswarmProcess.home }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        try PgswarmProcess.run(
            arguments,
            environment: ["PGHOST": "/nonexistent-socket-dir"].merging(environment) { $1 }
        )
    }

    func run(_ line: String, environment: [String: String] = [:]) throws -> Outcome {
        try run(line.split(separator: " ").map(String.init), environment: environment)
    }

    @Test func pgbenchCommandLineUnderstood() throws {
        let outcome = try run("run -c 8 -j 2 -T 10 -M prepared -S -P 1 --dry-run bench")
        #expect(outcome.status == 0)
        #expect(outcome.standardError == "")
        for expected in [
            "server: /nonexistent-socket-dir/.s.PGSQL.5432", "database: bench", "scripts: <builtin: select only>@1",
            "query mode: prepared", "clients: 8", "threads: 2", "duration: 10 s", "progress: every 1 s",
        ] {
            #expect(outcome.lines.contains(expected), "missing \(expected)")
        }
    }

    @Test("--io picks the driver; the default says what auto means; a wrong value is a usage error")
    func ioDriverOption() throws {
        #expect(try run("run -c 2 --dry-run").lines.contains("io driver: auto (direct unless TLS is in use)"))
        #expect(try run("run -c 2 --io nio --dry-run").lines.contains("io driver: nio"))
        let wrong = try run("run -c 2 --io epoll --dry-run")
        #expect(wrong.status == 2)
        #expect(wrong.standardError.contains("invalid --io value: \"epoll\" (expected auto, direct or nio)"),
                "\(wrong.standardError)")
    }

    @Test("--start-clients: together by default, each on request; pgbench's --cli prefix still means --client")
    func startClientsOption() throws {
        #expect(try run("run -c 2 --dry-run").lines
            .contains("client start: together (every client connects first, then all start; tps counts from then)"))
        #expect(try run("run -c 2 --start-clients each --dry-run").lines.contains("client start: each as it connects"))
        #expect(try run("run --cli=3 --dry-run").lines.contains("clients: 3"))
        let wrong = try run("run -c 2 --start-clients later --dry-run")
        #expect(wrong.status == 2)
        #expect(wrong.standardError.contains("invalid --start-clients value: \"later\" (expected together or each)"),
                "\(wrong.standardError)")
    }

    @Test func gluedShortOptions() throws {
        let outcome = try run("run -c8 -T60 -Mprepared -j1 --dry-run")
        #expect(outcome.status == 0)
        #expect(outcome.lines.contains("clients: 8"))
        #expect(outcome.lines.contains("duration: 60 s"))
        #expect(outcome.lines.contains("query mode: prepared"))
        #expect(outcome.lines.contains("threads: 1"))
    }

    @Test func weightedScriptsKeepTheirOrder() throws {
        let file = Self.home.appendingPathComponent("a.sql").path
        try "SELECT 1;\n".write(toFile: file, atomically: false, encoding: .utf8)
        let outcome = try run("run -b select-only@1 -f \(file)@3 -N --dry-run")
        #expect(outcome.status == 0)
        #expect(
            outcome.lines.contains(
                "scripts: <builtin: select only>@1, \(file)@3, <builtin: simple update>@1"
            )
        )
    }

    @Test func connectionFromURIAndPasswordFile() throws {
        // A home of its own: the other tests run in parallel and must not see this file.
        let home = Self.home.appendingPathComponent("pgpass-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let passwordFile = home.appendingPathComponent(".pgpass").path
        try "db.example:6432:bench:bob:secret\n".write(toFile: passwordFile, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile)
        let uri = "postgresql://bob@db.example:6432/bench?application_name=ci"
        let outcome = try run("run --dry-run \(uri) --protocol-version=auto", environment: ["HOME": home.path])
        #expect(outcome.status == 0)
        for expected in [
            "server: db.example:6432", "user: bob", "database: bench", "password: given", "application name: ci",
            "protocol version: auto",
        ] {
            #expect(outcome.lines.contains(expected), "missing \(expected)")
        }

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: passwordFile)
        let tooOpen = try run("run --dry-run \(uri)", environment: ["HOME": home.path])
        #expect(tooOpen.status == 0)
        #expect(tooOpen.lines.contains("password: none"))
        #expect(tooOpen.standardError.contains("has group or world access"))
        try FileManager.default.removeItem(at: home)
    }

    @Test func environmentVariables() throws {
        let outcome = try run(
            "run --dry-run",
            environment: ["PGHOST": "127.0.0.1", "PGPORT": "5544", "PGUSER": "u", "PGDATABASE": "d"]
        )
        #expect(outcome.lines.contains("server: 127.0.0.1:5544"))
        #expect(outcome.lines.contains("user: u"))
        #expect(outcome.lines.contains("database: d"))
    }

    @Test(
        arguments: [
            ("run -t 5 -T 5", "pgswarm: specify either a number of transactions (-t) or a duration (-T), not both"),
            ("run -c abc", "pgswarm: invalid value \"abc\" for option -c/--client"),
            ("run --zzz", "pgswarm: unrecognized option '--zzz' (see 'pgswarm run --help')"),
            ("run -Z", "pgswarm: invalid option -- 'Z' (see 'pgswarm run --help')"),
            (
                "run -i -c 5",
                "pgswarm: -c/--client cannot be used in initialization (-i) mode (see 'pgswarm run --help')"
            ),
            ("run -M fast --dry-run", "pgswarm: invalid query mode (-M): \"fast\""),
            ("run -p 99999 --dry-run", "pgswarm: invalid port number: \"99999\""),
            (
                "run --dry-run --protocol-version=4",
                "pgswarm: invalid --protocol-version \"4\": expecting 3.0, 3.2 or auto (see 'pgswarm run --help')"
            ),
            ("run -b nope --dry-run", "pgswarm: no builtin script found for name \"nope\""),
            ("run -c 8", nil),
            (
                "-c 8",
                "pgswarm: unknown option '-c': pgbench's options go after the subcommand, as in 'pgswarm run -c 8'"
            ),
            (
                "init -I xyz",
                "pgswarm: unrecognized initialization step \"x\" (allowed step characters are \"dtgGvpf\")"
            ),
            ("run a b --dry-run", nil),
        ] as [(String, String?)]
    )
    func badInputIsOneLineAndExitCodeTwo(line: String, message: String?) throws {
        // "run -c 8" would connect: give it something else to trip on first.
        let arguments = line == "run -c 8" ? "run -c 8 -t 0" : line
        let outcome = try run(arguments)
        #expect(outcome.status == 2)
        let errorLines = outcome.standardError.split(separator: "\n")
        #expect(errorLines.count == 1, "stderr: \(outcome.standardError)")
        #expect(errorLines.first?.hasPrefix("pgswarm: ") == true)
        if let message { #expect(outcome.standardError == message + "\n") }
        #expect(outcome.standardOutput == "")
    }

    @Test func noServerGivenAndNoneAnswering() throws {
        // No PGHOST: the default socket directory, on a port where nothing listens.
        let outcome = try PgswarmProcess.run(["run", "-t", "1", "-n"], environment: ["PGPORT": "1"])
        #expect(outcome.status == 2)
        let lines = outcome.standardError.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(outcome.standardError)")
        #expect(outcome.standardError.hasPrefix("pgswarm: cannot connect to "))
        #expect(outcome.standardError.contains(".s.PGSQL.1"))
        #expect(outcome.standardError.contains("--temp-postgres"))
    }

    @Test func versionEverywhere() throws {
        for line in ["version", "--version", "run -V", "run --version", "init -V"] {
            let outcome = try run(line)
            #expect(outcome.status == 0)
            #expect(outcome.standardOutput == PgswarmVersion.description + "\n", "for \(line)")
            #expect(outcome.standardOutput.hasPrefix("pgswarm \(PgswarmVersion.string) ("), "for \(line)")
        }
    }

    @Test func builtinListAndShowScript() throws {
        let list = try run("run -b list")
        #expect(list.status == 0)
        #expect(
            list.lines == [
                "Available builtin scripts:", "      tpcb-like: <builtin: TPC-B (sort of)>",
                "  simple-update: <builtin: simple update>", "    select-only: <builtin: select only>",
            ]
        )
        let show = try run("run --show-script=select")
        #expect(show.status == 0)
        #expect(show.lines.first == "-- select-only: <builtin: select only>")
        #expect(show.lines.contains("SELECT abalance FROM pgbench_accounts WHERE aid = :aid;"))
    }

    @Test func helpWithPgbenchsQuestionMark() throws {
        let outcome = try run(["run", "-?"])
        #expect(outcome.status == 0)
        #expect(outcome.standardOutput.contains("-c, --client <NUM>"))
        #expect(outcome.standardOutput.contains("-h, --host <host>"))
    }

    @Test func questionMarkIsHelpForEveryCommand() throws {
        // Not a declared help name (fish's completion script could not take it), so each form is checked here.
        for line in [["-?"], ["compare", "-?"], ["hlog", "-?"], ["init", "-?"]] {
            let outcome = try run(line)
            #expect(outcome.status == 0, "for \(line): \(outcome.standardError)")
            #expect(outcome.standardOutput.hasPrefix("OVERVIEW: "), "for \(line)")
        }
    }

    @Test func initialiseModeOnRunIsInit() throws {
        let outcome = try run("run -i -s3 -n --foreign-keys --dry-run -h /tmp")
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        #expect(outcome.lines.contains("scale: 3"))
        #expect(outcome.lines.contains("init steps: dtgpf"))
        #expect(outcome.lines.contains("server: /tmp/.s.PGSQL.5432"))
    }
}
