import Testing

@testable import Engine
@testable import PgbenchCLI
import TestSupport

@Suite("CLI: pgbench argument forms normalised for ArgumentParser")
struct CliArgumentNormalizerTests {
    private func normalize(_ line: String, initializing: Bool = false) throws -> PgbenchArguments.Normalized {
        try PgbenchArguments.normalize(line.split(separator: " ").map(String.init), initializing: initializing)
    }

    @Test func separateGluedAndEqualsFormsAgree() throws {
        let expected = ["--client=8", "--time=60", "--protocol=prepared"]
        #expect(try normalize("-c 8 -T 60 -M prepared").arguments == expected)
        #expect(try normalize("-c8 -T60 -Mprepared").arguments == expected)
        #expect(try normalize("--client=8 --time 60 --protocol=prepared").arguments == expected)
    }

    @Test func clustersOfFlagsAndAValue() throws {
        #expect(try normalize("-nS").arguments == ["--no-vacuum", "--select-only"])
        #expect(try normalize("-Sc8 bench").arguments == ["--select-only", "--client=8", "bench"])
        #expect(try normalize("-rc 4").arguments == ["--report-per-command", "--client=4"])
    }

    @Test func valuesThatLookLikeOptionsStayValues() throws {
        #expect(try normalize("-D x=-1 -c -h").arguments == ["--define=x=-1", "--client=-h"])
        #expect(try normalize("--random-seed -5").arguments == ["--random-seed=-5"])
    }

    @Test func uniqueLongPrefixesAreExpanded() throws {
        #expect(try normalize("--cli=3 --sel --verb").arguments == ["--client=3", "--select-only", "--verbose-errors"])
        // An exact name wins over a longer one it prefixes.
        #expect(try normalize("--protocol=simple").arguments == ["--protocol=simple"])
    }

    @Test func positionalArgumentsAndDoubleDash() throws {
        #expect(try normalize("bench -c 2").arguments == ["bench", "--client=2"])
        #expect(try normalize("-c 2 -- -odd-name").arguments == ["--client=2", "--", "-odd-name"])
        #expect(try normalize("-").arguments == ["-"])
    }

    @Test func scriptOrderIsKept() throws {
        let normalized = try normalize("-f a.sql@3 -S -b tpcb@2 -N --file=b.sql")
        #expect(
            normalized.scripts == [
                .file("a.sql@3"), .builtin("select-only"), .builtin("tpcb@2"), .builtin("simple-update"),
                .file("b.sql"),
            ]
        )
    }

    @Test func helpVersionAndInitialiseAreNoticed() throws {
        #expect(try normalize("-?").arguments == ["--help"])
        #expect(try normalize("-V").arguments == ["--version"])
        #expect(try normalize("-?").helpOrVersion)
        #expect(try normalize("-i -s 10").initialize)
        #expect(try !normalize("-s 10").initialize)
        // Help is given even with options of the other mode, as pgbench does.
        #expect(try normalize("--foreign-keys --help").helpOrVersion)
    }

    @Test func getoptErrors() {
        #expect(pgswarmErrorMessage { _ = try normalize("--zzz") } == "unrecognized option '--zzz'")
        #expect(pgswarmErrorMessage { _ = try normalize("-Z") } == "invalid option -- 'Z'")
        #expect(pgswarmErrorMessage { _ = try normalize("-c") } == "option requires an argument -- 'c'")
        #expect(pgswarmErrorMessage { _ = try normalize("--client") } == "option '--client' requires an argument")
        #expect(
            pgswarmErrorMessage { _ = try normalize("--connect=1") } == "option '--connect' doesn't allow an argument"
        )
        #expect(
            pgswarmErrorMessage { _ = try normalize("--log-=x --sa") } == "option '--sampling-rate' requires an argument"
        )
        #expect(
            pgswarmErrorMessage { _ = try normalize("--pro=1") }
                == "option '--pro' is ambiguous; possibilities: '--protocol' '--progress' '--progress-timestamp' "
                + "'--protocol-version' '--probe' '--probe-rounds' '--probe-clients' '--probe-storm'"
        )
    }

    @Test func optionsOfTheOtherModeAreRefused() {
        #expect(
            pgswarmErrorMessage { _ = try normalize("--foreign-keys") }
                == "--foreign-keys cannot be used in benchmarking mode (it belongs to pgswarm init)"
        )
        #expect(
            pgswarmErrorMessage { _ = try normalize("-i -c 5") }
                == "-c/--client cannot be used in initialization (-i) mode"
        )
        #expect(
            pgswarmErrorMessage { _ = try normalize("-T 5", initializing: true) }
                == "-T/--time cannot be used in initialization (-i) mode"
        )
        #expect(pgswarmErrorMessage { _ = try normalize("-s 5 -n -h /tmp -I dtg -F 90 -q", initializing: true) } == nil)
    }

    @Test func shortOptionsArePgbench15s() {
        // pgbench 15's getopt string, "b:c:CdD:f:F:h:iI:j:lL:M:nNp:P:qrR:s:St:T:U:v", plus -V and -?.
        let pgbench = "b:c:CdD:f:F:h:iI:j:lL:M:nNp:P:qrR:s:St:T:U:vV?"
        var expected: [Character: Bool] = [:]
        for (offset, letter) in pgbench.enumerated() where letter != ":" {
            expected[letter] = pgbench.dropFirst(offset + 1).first == ":"
        }
        let shorts = PgbenchOptionTable.all.compactMap { spec in spec.short.map { ($0, spec.takesValue) } }
        #expect(shorts.count == expected.count)
        #expect(Dictionary(uniqueKeysWithValues: shorts) == expected)
    }
}
