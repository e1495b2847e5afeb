import Foundation
import LocalCluster
import Stats
import Testing
import TestSupport

/// The executable against a real server: init then run through the command line, and the bad-input cases that
/// need a server (missing database, refused login), plus a password from ~/.pgpass.
@Suite("CLI: the pgswarm executable against a real server", .serialized)
struct CliServerTests {
    static func server() async throws -> (LocalPostgres, [String]) {
        let pg = try await TestPostgres.shared()
        try CreateOnce.run {
            try pg.psql("DROP DATABASE IF EXISTS cli_tests")
            try pg.psql("CREATE DATABASE cli_tests")
        }
        return (pg, ["-h", pg.host, "-p", String(pg.port)])
    }

    @Test func initThenRunThroughTheCommandLine() async throws {
        let (pg, connection) = try await Self.server()
        let initialised = try PgswarmProcess.run(["init", "-q", "-U", pg.superuser] + connection + ["cli_tests"])
        #expect(initialised.status == 0, "stderr: \(initialised.standardError)")
        #expect(initialised.standardError == "")

        let out = PgswarmProcess.home.appendingPathComponent("run-\(UUID().uuidString)").path
        let run = try PgswarmProcess.run(
            ["run", "-c2", "-t", "5", "-S", "-Mprepared", "--out", out, "-U", pg.superuser] + connection
                + ["cli_tests"]
        )
        #expect(run.status == 0, "stderr: \(run.standardError)")
        #expect(run.lines.contains("number of transactions actually processed: 10/10"), "\(run.standardOutput)")
        #expect(run.lines.contains("query mode: prepared"))
        #expect(FileManager.default.fileExists(atPath: out + "/summary.json"))
        #expect(FileManager.default.fileExists(atPath: out + "/latency.hlog"))
    }

    @Test func missingDatabaseIsOneLineAndExitCodeTwo() async throws {
        let (pg, connection) = try await Self.server()
        let outcome = try PgswarmProcess.run(
            ["run", "-t", "1", "-U", pg.superuser, "--out", PgswarmProcess.home.path + "/unused"] + connection
                + ["no_such_database"]
        )
        #expect(outcome.status == 2)
        let lines = outcome.standardError.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(outcome.standardError)")
        #expect(lines.first?.hasPrefix("pgswarm: ") == true)
        #expect(outcome.standardError.contains("no_such_database"))
    }

    @Test func refusedLoginIsOneLineAndExitCodeTwo() async throws {
        let (pg, connection) = try await Self.server()
        let outcome = try PgswarmProcess.run(
            ["run", "-t", "1", "-U", pg.scramUser.user] + connection + ["postgres"],
            environment: ["PGPASSWORD": "wrong-password"]
        )
        #expect(outcome.status == 2)
        let lines = outcome.standardError.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(outcome.standardError)")
        #expect(outcome.standardError.contains(pg.scramUser.user))
    }

    @Test func passwordFromPgpassLogsIn() async throws {
        let (pg, connection) = try await Self.server()
        let role = pg.scramUser
        let directory = PgswarmProcess.home.appendingPathComponent("pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let passwordFile = directory.appendingPathComponent("pgpass").path
        try "# test\n\(pg.host):\(pg.port):*:\(role.user):\(role.password)\n"
            .write(toFile: passwordFile, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile)
        let script = directory.appendingPathComponent("one.sql").path
        try "SELECT 1;\n".write(toFile: script, atomically: false, encoding: .utf8)

        let outcome = try PgswarmProcess.run(
            ["run", "-t", "3", "-f", script, "-n", "--out", directory.path + "/out", "-U", role.user] + connection
                + ["postgres"],
            environment: ["PGPASSFILE": passwordFile]
        )
        #expect(outcome.status == 0, "stderr: \(outcome.standardError)")
        #expect(outcome.lines.contains("number of transactions actually processed: 3/3"), "\(outcome.standardOutput)")
    }
}

extension CliServerTests {
    @Test(arguments: [false, true])
    func ctrlCOrSigtermEndsTheRunAndWritesResults(terminate: Bool) async throws {
        let (pg, connection) = try await Self.server()
        let directory = PgswarmProcess.home.appendingPathComponent("interrupt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("one.sql").path
        try "SELECT 1;\n".write(toFile: script, atomically: false, encoding: .utf8)

        let started = Date()
        let outcome = try PgswarmProcess.run(
            ["run", "-T", "60", "-f", script, "-n", "--out", directory.path + "/out", "-U", pg.superuser]
                + connection + ["postgres"],
            interruptAfter: 1.5,
            terminateInsteadOfInterrupt: terminate
        )
        #expect(outcome.status == 1, "stderr: \(outcome.standardError)")
        #expect(Date().timeIntervalSince(started) < 30)
        #expect(outcome.standardError.contains("interrupted"))
        let summary = try RunSummary.read(from: directory.path + "/out/summary.json")
        #expect(summary.interrupted)
        #expect(summary.transactions > 0)
        // The partial last interval is in the log too: its counts add up to the summary's.
        let log = try HlogReader.read(path: directory.path + "/out/latency.hlog")
        #expect(log.merged(tag: nil).totalCount == summary.transactions)
    }
}

/// Creates the test database once per process.
private enum CreateOnce {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var done = false

    static func run(_ body: () throws -> Void) throws {
        try lock.withLock {
            if done { return }
            try body()
            done = true
        }
    }
}
