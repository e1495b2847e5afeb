import Foundation
import LocalCluster
import Testing
import TestSupport

@Suite("A throwaway PostgreSQL cluster")
struct LocalClusterTests {
    @Test("starts, answers SQL over its socket, and has the login roles")
    func startsAndAnswers() async throws {
        let pg = try await TestPostgres.shared()
        #expect(pg.port > 0)
        #expect(try pg.psql("SELECT 40 + 2").trimmingCharacters(in: .whitespacesAndNewlines) == "42")
        let roles = try pg.psql("SELECT rolname FROM pg_roles WHERE rolname LIKE 'pgswarm_%' ORDER BY 1")
        #expect(roles.split(separator: "\n") == ["pgswarm_md5", "pgswarm_password", "pgswarm_scram"])
        // The md5 role must be stored as an md5 hash, or the server would ask for SCRAM instead.
        let stored = try pg.psql("SELECT left(rolpassword, 3) FROM pg_authid WHERE rolname = 'pgswarm_md5'")
        #expect(stored.hasPrefix("md5"))
    }

    @Test("a second cluster starts beside the first and stop() removes its directory")
    func independentClusterStops() throws {
        let pg = try LocalPostgres.start()
        #expect(FileManager.default.fileExists(atPath: pg.dataDirectory))
        #expect(try pg.psql("SHOW fsync").contains("off"))
        pg.stop()
        #expect(!FileManager.default.fileExists(atPath: pg.baseDirectory))
    }

    @Test("binaries are found on this machine")
    func binariesFound() throws {
        let binaries = try PostgresBinaries.locate()
        #expect(FileManager.default.isExecutableFile(atPath: binaries.pgCtl))
    }
}
