import Foundation
import Testing
import TestSupport

/// `--sslmode` and `--sslrootcert` on the pgswarm command line, and a real run over TLS through the executable.
@Suite("CLI: TLS options")
struct TlsCliTests {
    @Test func dryRunShowsTheModeAndRoot() throws {
        let outcome = try PgswarmProcess.run(
            ["run", "-h", "db.example", "--sslmode", "verify-ca", "--sslrootcert", "/etc/ca.pem", "--dry-run", "x"]
        )
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.lines.contains("sslmode: verify-ca (root certificate /etc/ca.pem)"))
        let fromEnvironment = try PgswarmProcess.run(["run", "-h", "db.example", "--dry-run", "x"],
                                                     environment: ["PGSSLMODE": "require"])
        #expect(fromEnvironment.lines.contains("sslmode: require"))
    }

    @Test func unknownModeIsAUsageError() throws {
        let outcome = try PgswarmProcess.run(["run", "--sslmode", "verify", "--dry-run"])
        #expect(outcome.status != 0)
        #expect(outcome.standardError.contains("invalid --sslmode \"verify\""))
    }

    @Test func runOverVerifyFullAndAWrongRoot() throws {
        let server = try TlsTestServer.shared()
        let script = PgswarmProcess.home.appendingPathComponent("tls-select.sql").path
        try "SELECT 1;\n".write(toFile: script, atomically: false, encoding: .utf8)
        let common = ["run", "-h", "localhost", "-p", String(server.cluster.port), "-U", server.cluster.superuser,
                      "-n", "-f", script, "-c", "2", "-j", "1", "-t", "20", "--sslmode", "verify-full",
                      "--out", RunRig.temporaryDirectory()]
        let good = try PgswarmProcess.run(common + ["--sslrootcert", server.rootCertificate, "postgres"])
        #expect(good.status == 0, "\(good.standardError)")
        #expect(good.lines.contains("number of transactions actually processed: 40/40"), "\(good.standardOutput)")
        let wrong = try PgswarmProcess.run(common + ["--sslrootcert", server.wrongRootCertificate, "postgres"])
        #expect(wrong.status != 0)
        #expect(wrong.standardError.contains("SSL error: certificate verify failed"), "\(wrong.standardError)")
    }
}
