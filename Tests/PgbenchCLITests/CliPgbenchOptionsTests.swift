import Foundation
import Testing
import Workload

@testable import Engine
@testable import Connection
@testable import PgbenchCLI
import TestSupport

@Suite("CLI: pgbench options mapped onto RunConfiguration and Plan")
struct CliPgbenchOptionsTests {
    private let connection = ConnectionSettings(endpoint: .tcp(host: "h", port: 5432), user: "u", database: "d")
    private let now = Date(timeIntervalSince1970: 1_764_112_500.25)

    /// PgbenchOptions from a pgbench command line, the way the CLI fills it after normalising.
    private func options(_ line: String) throws -> PgbenchOptions {
        let normalized = try PgbenchArguments.normalize(line.split(separator: " ").map(String.init))
        var options = PgbenchOptions()
        options.scripts = normalized.scripts
        for argument in normalized.arguments where argument.hasPrefix("--") {
            let parts = argument.dropFirst(2).split(separator: "=", maxSplits: 1).map(String.init)
            let value = parts.count > 1 ? parts[1] : nil
            switch parts[0] {
            case "client": options.clients = value
            case "jobs": options.jobs = value
            case "transactions": options.transactions = value
            case "time": options.time = value
            case "rate": options.rate = value
            case "latency-limit": options.latencyLimit = value
            case "protocol": options.queryMode = value
            case "progress": options.progress = value
            case "scale": options.scale = value
            case "max-tries": options.maxTries = value
            case "random-seed": options.randomSeed = value
            case "define": options.defines.append(value!)
            case "connect": options.connectPerTransaction = true
            case "report-per-command", "report-latencies": options.reportPerCommand = true
            case "no-vacuum": options.noVacuum = true
            case "vacuum-all": options.vacuumAll = true
            case "verbose-errors": options.verboseErrors = true
            case "continue-on-error": options.continueOnError = true
            case "log": options.log = true
            case "log-prefix": options.logPrefix = value
            case "sampling-rate": options.samplingRate = value
            case "aggregate-interval": options.aggregateInterval = value
            case "progress-timestamp": options.progressTimestamp = true
            case "out": options.outputDirectory = value
            default: break
            }
        }
        return options
    }

    private func configuration(_ line: String) throws -> RunConfiguration {
        try options(line).makeRunConfiguration(connection: connection, now: now)
    }

    private func usageError(_ line: String) -> String? {
        pgswarmErrorMessage { _ = try configuration(line) }
    }

    @Test func pgbenchDefaults() throws {
        let configuration = try configuration("")
        #expect(configuration.clients == 1)
        #expect(configuration.threads == 1)
        #expect(configuration.limit == .transactionsPerClient(10))
        #expect(configuration.mode == .simple)
        #expect(configuration.rate == nil)
        #expect(configuration.maxTries == 1)
        #expect(configuration.connection == connection)
        #expect(configuration.outputDirectory == nil)
        #expect(configuration.scale == nil)
        #expect(configuration.definedVariables.isEmpty)
        #expect(!configuration.continueOnError)
        // --random-seed=time, pgbench's default: the clock in microseconds.
        #expect(configuration.randomSeed == 1_764_112_500_250_000)
    }

    @Test func typicalSelectOnlyRun() throws {
        let configuration = try configuration("-c 8 -j 2 -T 10 -M prepared -S -P 1 bench")
        #expect(configuration.clients == 8)
        #expect(configuration.threads == 2)
        #expect(configuration.limit == .duration(seconds: 10))
        #expect(configuration.mode == .prepared)
        #expect(configuration.progressInterval == 1)
        #expect(configuration.intervalSeconds == 1)
        let plan = try options("-c 8 -j 2 -T 10 -M prepared -S -P 1 bench").makePlan(configuration: configuration)
        #expect(plan.scripts.map(\.name) == ["<builtin: select only>"])
        #expect(plan.mode == .prepared)
    }

    @Test func gluedValues() throws {
        let configuration = try configuration("-c8 -T60 -Mextended -j4 -R1000 -L50")
        #expect(configuration.clients == 8)
        #expect(configuration.threads == 4)
        #expect(configuration.limit == .duration(seconds: 60))
        #expect(configuration.mode == .extended)
        #expect(configuration.rate == 1000)
        #expect(configuration.latencyLimitMicroseconds == 50_000)
    }

    @Test func threadsNeverExceedClients() throws {
        #expect(try configuration("-c 2 -j 8").threads == 2)
    }

    @Test func rateAndLatencyLimitInLongForm() throws {
        let configuration = try configuration("--rate=1000 -L 50 --latency-limit=0.5")
        #expect(configuration.rate == 1000)
        #expect(configuration.latencyLimitMicroseconds == 500)
    }

    @Test func flagsReachTheConfiguration() throws {
        let configuration = try configuration(
            "-C -r -n -v --verbose-errors --continue-on-error --out=/tmp/r -t 3 --random-seed=42 -s 5 -D a=1 -D scale=2"
        )
        #expect(configuration.continueOnError)
        #expect(configuration.scale == 5)
        #expect(configuration.definedVariables == ["a", "scale"])
        #expect(configuration.connectPerTransaction)
        #expect(configuration.reportPerCommand)
        #expect(configuration.noVacuum)
        #expect(configuration.vacuumAll)
        #expect(configuration.verboseErrors)
        #expect(configuration.outputDirectory == "/tmp/r")
        #expect(configuration.limit == .transactionsPerClient(3))
        #expect(configuration.randomSeed == 42)
    }

    @Test func weightedScriptsInCommandLineOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("a.sql").path
        try "SELECT :x;\n".write(toFile: file, atomically: false, encoding: .utf8)

        let options = try options("-f \(file)@3 -b select-only@1 -N -D x=1 -D y=z")
        let sources = try options.scriptSources()
        #expect(sources.map(\.name) == [file, "<builtin: select only>", "<builtin: simple update>"])
        #expect(sources.map(\.weight) == [3, 1, 1])
        #expect(try options.parsedDefines().map { "\($0.0)=\($0.1)" } == ["x=1", "y=z"])
        let plan = try options.makePlan(configuration: configuration("-t 1"))
        #expect(plan.totalWeight == 5)
        #expect(plan.slot(named: "y") != nil)
    }

    @Test func noScriptMeansTPCB() throws {
        #expect(try options("").scriptSources() == [BuiltinScript.tpcbLike])
    }

    @Test func scriptErrorsAreWorkloadErrors() throws {
        #expect(throws: WorkloadError.self) { try options("-b nope").scriptSources() }
        #expect(throws: WorkloadError.self) { try options("-b select-only@x").scriptSources() }
        #expect(throws: WorkloadError.self) { try options("-f /nonexistent/pgswarm.sql").scriptSources() }
    }

    @Test func pgbenchsMessagesForBadValues() {
        #expect(usageError("-t 5 -T 5") == "specify either a number of transactions (-t) or a duration (-T), not both")
        #expect(usageError("-c abc") == "invalid value \"abc\" for option -c/--client")
        #expect(usageError("-c 0") == "-c/--client must be in range 1..2147483647")
        #expect(usageError("-j 0") == "-j/--jobs must be in range 1..2147483647")
        #expect(usageError("-T 0") == "-T/--time must be in range 1..2147483647")
        #expect(usageError("-t x") == "invalid value \"x\" for option -t/--transactions")
        #expect(usageError("-R 0") == "invalid rate limit: \"0\"")
        #expect(usageError("-L -1") == "invalid latency limit: \"-1\"")
        #expect(usageError("-M foo") == "invalid query mode (-M): \"foo\"")
        #expect(usageError("-P 0") == "invalid value \"0\" for option -P/--progress")
        #expect(usageError("-D x") == "invalid variable definition: \"x\"")
        #expect(usageError("-D =x") == "invalid variable definition: \"=x\"")
        #expect(usageError("-s 0") == "-s/--scale must be in range 1..2147483647")
        #expect(usageError("--max-tries=-1") == "invalid number of maximum tries: \"-1\"")
        #expect(
            usageError("--max-tries=0 -t 5")
                == "an unlimited number of transaction tries can only be used with --latency-limit or a duration (-T)"
        )
        #expect(
            usageError("--random-seed=abc")
                == "unrecognized random seed option \"abc\": expecting an unsigned integer, \"time\" or \"rand\""
        )
        #expect(usageError("--progress-timestamp") == "--progress-timestamp is allowed only under --progress")
    }

    @Test func unlimitedTriesWithADuration() throws {
        #expect(try configuration("--max-tries=0 -T 5").maxTries == Int.max)
        #expect(try configuration("--max-tries=0 -L 10").maxTries == Int.max)
        #expect(try configuration("--max-tries=3").maxTries == 3)
    }

    @Test func fractionalProgressIsAnExtension() throws {
        #expect(try configuration("-P 0.5").progressInterval == 0.5)
        #expect(try configuration("-P 0.5").intervalSeconds == 0.5)
    }

    @Test func logOptionsFollowPgbenchsRules() throws {
        #expect(
            usageError("--sampling-rate=0.5")
                == "log sampling (--sampling-rate) is allowed only when logging transactions (-l)"
        )
        #expect(usageError("-l --sampling-rate=2") == "invalid sampling rate: \"2\"")
        #expect(
            usageError("--aggregate-interval=5") == "log aggregation is allowed only when actually logging transactions"
        )
        #expect(usageError("-l --aggregate-interval=0") == "--aggregate-interval must be in range 1..2147483647")
        #expect(
            usageError("-l --aggregate-interval=5 --sampling-rate=0.1")
                == "log sampling (--sampling-rate) and aggregation (--aggregate-interval) cannot be used at the "
                + "same time"
        )
        #expect(
            usageError("-l --aggregate-interval=7 -T 10")
                == "duration (10) must be a multiple of aggregation interval (7)"
        )
        #expect(
            usageError("--log-prefix=x")
                == "log file prefix (--log-prefix) is allowed only when logging transactions (-l)"
        )
        #expect(usageError("-l --log-prefix=x --sampling-rate=0.01 -P 1 --progress-timestamp") == nil)
        #expect(usageError("-l --aggregate-interval=5 -T 10") == nil)
    }

    @Test func randomSeedForms() throws {
        var options = PgbenchOptions()
        options.randomSeed = "18446744073709551615"
        #expect(try options.resolvedRandomSeed(now: now) == UInt64.max)
        options.randomSeed = "time"
        #expect(try options.resolvedRandomSeed(now: now) == 1_764_112_500_250_000)
        options.randomSeed = "rand"
        // Two draws from the system generator agreeing would mean it is not random at all.
        #expect(try options.resolvedRandomSeed(now: now) != options.resolvedRandomSeed(now: now))
    }

    @Test func planGetsTheSeedScaleAndMode() throws {
        let options = try options("-s 7 --random-seed=99 -M extended -b select-only")
        let configuration = try options.makeRunConfiguration(connection: connection, now: now)
        let plan = try options.makePlan(configuration: configuration)
        #expect(plan.randomSeed == 99)
        #expect(plan.mode == .extended)
        #expect(try options.scaleValue() == 7)
    }

    @Test("--cancel-delay takes milliseconds or a range A-B; anything else is a usage error")
    func cancelDelayRange() throws {
        var options = PgbenchOptions()
        options.cancelFraction = "0.25"
        options.cancelDelay = "5"
        var configuration = try options.makeRunConfiguration(connection: connection, now: now)
        #expect(configuration.cancelFraction == 0.25)
        #expect(configuration.cancelDelayMicroseconds == 5000)
        #expect(configuration.cancelDelaySpreadMicroseconds == 0)
        options.cancelDelay = "2-50"
        configuration = try options.makeRunConfiguration(connection: connection, now: now)
        #expect(configuration.cancelDelayMicroseconds == 2000)
        #expect(configuration.cancelDelaySpreadMicroseconds == 48_000)
        for bad in ["50-2", "-3", "a-b", "1-2-3", ""] {
            options.cancelDelay = bad
            let message = pgswarmErrorMessage { _ = try options.makeRunConfiguration(connection: connection, now: now) }
            #expect(message?.contains("invalid --cancel-delay value") == true, "\(bad): \(message ?? "accepted")")
        }
    }
}
