import Foundation
import Testing

@testable import Connection

@Suite("Password file (.pgpass): format, matching, permissions")
struct ConnectionPgPassTests {
    @Test func firstMatchingLineWinsWithWildcards() {
        let file = PgPass(
            parsing: """
                # comment line
                db.example:5432:bench:bob:first
                *:*:bench:bob:second
                *:*:*:*:fallback
                """
        )
        #expect(file.entries.count == 3)
        #expect(file.password(host: "db.example", port: 5432, database: "bench", user: "bob") == "first")
        #expect(file.password(host: "other", port: 5432, database: "bench", user: "bob") == "second")
        #expect(file.password(host: "db.example", port: 5433, database: "bench", user: "bob") == "second")
        #expect(file.password(host: "db.example", port: 5432, database: "other", user: "bob") == "fallback")
    }

    @Test func escapesInFieldsAndPassword() {
        let file = PgPass(parsing: "fe80\\:\\:1:5432:d\\\\b:u:pa\\:ss\\\\word:ignored\r\n\\*:*:*:*:literal-star\n")
        #expect(file.password(host: "fe80::1", port: 5432, database: "d\\b", user: "u") == "pa:ss\\word")
        // An escaped star is a literal "*", not a wildcard.
        #expect(file.password(host: "h", port: 5432, database: "x", user: "y") == nil)
        #expect(file.password(host: "*", port: 5432, database: "x", user: "y") == "literal-star")
    }

    @Test func shortLinesAreSkipped() {
        let file = PgPass(parsing: "h:5432:d:u\n\n*:*:*:*:ok")
        #expect(file.entries.count == 1)
        #expect(file.password(host: "h", port: 5432, database: "d", user: "u") == "ok")
    }

    @Test func resolverReadsPGPASSFILEAndMatchesResolvedValues() throws {
        let environment = testEnvironment(
            ["PGPASSFILE": "/secrets/pass"],
            passwordFiles: ["/secrets/pass": .contents("h:6000:db:u:pw\n")]
        )
        let matching = ConnectionOptions(host: "h", port: "6000", user: "u", database: "db")
        #expect(try resolve(matching, environment).settings.password == "pw")
        var otherPort = matching
        otherPort.port = "6001"
        #expect(try resolve(otherPort, environment).settings.password == nil)
    }

    @Test func defaultSocketDirectoryMatchesAsLocalhost() throws {
        let environment = testEnvironment(
            passwordFiles: [
                "/home/alice/.pgpass": .contents("localhost:5432:alice:alice:sockpw\n/tmp:5432:*:*:tmppw\n")
            ]
        )
        #expect(try resolve(ConnectionOptions(), environment).settings.password == "sockpw")
        // Another socket directory is matched by its path, as libpq does.
        #expect(try resolve(ConnectionOptions(host: "/tmp"), environment).settings.password == "tmppw")
    }

    @Test func explicitPasswordSkipsTheFile() throws {
        let environment = testEnvironment(
            ["PGPASSWORD": "env"],
            passwordFiles: ["/home/alice/.pgpass": .contents("*:*:*:*:file\n")]
        )
        #expect(try resolve(ConnectionOptions(), environment).settings.password == "env")
    }

    @Test func unsafeFilesAreIgnoredWithAWarning() throws {
        let open = testEnvironment(passwordFiles: ["/home/alice/.pgpass": .accessibleByOthers(mode: 0o644)])
        let resolution = try resolve(ConnectionOptions(), open)
        #expect(resolution.settings.password == nil)
        #expect(
            resolution.warnings == [
                "password file \"/home/alice/.pgpass\" has group or world access; permissions should be u=rw (0600) "
                    + "or less; ignoring it"
            ]
        )
        let directory = testEnvironment(passwordFiles: ["/home/alice/.pgpass": .notPlainFile])
        #expect(
            try resolve(ConnectionOptions(), directory).warnings
                == ["password file \"/home/alice/.pgpass\" is not a plain file; ignoring it"]
        )
    }

    @Test func readChecksTheRealFilesMode() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("pgpass").path
        try "*:*:*:*:secret\n".write(toFile: path, atomically: false, encoding: .utf8)

        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(PgPass.read(path: path) == .contents("*:*:*:*:secret\n"))
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        #expect(PgPass.read(path: path) == .accessibleByOthers(mode: 0o640))
        #expect(PgPass.read(path: directory.path) == .notPlainFile)
        #expect(PgPass.read(path: path + "-missing") == .missing)
    }
}
