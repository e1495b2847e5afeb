import Foundation
import LocalCluster
import Testing
import TestSupport

/// Real runs of the built binary against the shared test server, made once per test process and shared by the
/// integration tests: two runs of the same workload and one against a server slowed on purpose (the same script
/// file, now sleeping three times as long in the server).
final class RealRuns: @unchecked Sendable {
    let directory: String
    let database = "report_tests"
    let server: LocalPostgres
    let base: String
    let again: String
    let slowed: String

    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: RealRuns?

    static func shared() throws -> RealRuns {
        try lock.withLock {
            if let made { return made }
            let runs = try RealRuns()
            made = runs
            return runs
        }
    }

    /// `-h 127.0.0.1 -p PORT -U postgres report_tests`.
    var connectionArguments: [String] {
        ["-h", server.host, "-p", String(server.port), "-U", server.superuser, database]
    }

    private init() throws {
        server = try TestPostgres.sharedSync()
        try server.psql("DROP DATABASE IF EXISTS \(database)")
        try server.psql("CREATE DATABASE \(database)")
        directory = TemporaryDirectory.make("pgswarm-report-runs")
        base = directory + "/base"
        again = directory + "/again"
        slowed = directory + "/slowed"
        let script = directory + "/work.sql"
        try "SELECT pg_sleep(0.002);\n".write(toFile: script, atomically: true, encoding: .utf8)
        try run(script: script, out: base, extra: ["--report"])
        try run(script: script, out: again)
        try "SELECT pg_sleep(0.006);\n".write(toFile: script, atomically: true, encoding: .utf8)
        try run(script: script, out: slowed)
    }

    private func run(script: String, out: String, extra: [String] = []) throws {
        let outcome = try PgswarmBinary.run(
            ["run", "-c", "4", "-j", "2", "-T", "3", "-P", "0.5", "-n", "-f", script, "--out", out] + extra
                + connectionArguments
        )
        guard outcome.status == 0 else {
            throw ReportTestFailure("pgswarm run failed (\(outcome.status)): \(outcome.standardError)")
        }
    }
}

struct ReportTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
