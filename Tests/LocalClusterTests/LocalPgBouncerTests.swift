import Foundation
import LocalCluster
import Testing
import TestSupport

@Suite("A throwaway PgBouncer in front of the test cluster")
struct LocalPgBouncerTests {
    @Test("answers SQL in each shared pool mode and reports that mode", arguments: [
        LocalPgBouncer.PoolMode.session, .transaction,
    ])
    func answersSQL(mode: LocalPgBouncer.PoolMode) async throws {
        let bouncer = try await TestPgBouncer.shared(poolMode: mode)
        let backend = try await TestPostgres.shared()
        #expect(bouncer.port != backend.port)
        #expect(try bouncer.psql("SELECT 40 + 2").trimmingCharacters(in: .whitespacesAndNewlines) == "42")
        // The query really went through the backend: the server's port is the one pgbouncer points at.
        let port = try bouncer.psql("SELECT current_setting('port')").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(port == String(backend.port))
        let config = try bouncer.admin("SHOW CONFIG")
        let poolModeLine = config.split(separator: "\n").first { $0.hasPrefix("pool_mode|") }
        #expect(poolModeLine?.hasPrefix("pool_mode|\(mode.rawValue)|") == true)
    }

    @Test("the admin console lists the pool the last query used")
    func adminConsoleShowsPools() async throws {
        let bouncer = try await TestPgBouncer.shared(poolMode: .transaction)
        try bouncer.psql("SELECT 1")
        let pools = try bouncer.admin("SHOW POOLS")
        // Unaligned rows: database|user|cl_active|…|pool_mode.
        let rows = pools.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false) }
        let postgresPool = rows.first { $0.count > 2 && $0[0] == "postgres" && $0[1] == "postgres" }
        #expect(postgresPool != nil, "SHOW POOLS printed:\n\(pools)")
        #expect(postgresPool?.last == "transaction")
    }

    @Test("the backend's password roles log in through it with their passwords, and a wrong one is refused")
    func passwordRolesLogIn() async throws {
        let bouncer = try await TestPgBouncer.shared(poolMode: .session)
        for role in bouncer.backend.loginRoles {
            let who = try bouncer.psql("SELECT current_user", user: role.user, password: role.password)
            #expect(who.trimmingCharacters(in: .whitespacesAndNewlines) == role.user, "\(role.method)")
        }
        let scram = bouncer.backend.scramUser
        #expect(throws: LocalClusterError.self) {
            try bouncer.psql("SELECT 1", user: scram.user, password: "wrong")
        }
    }

    @Test("a private bouncer in statement mode refuses a multi-statement transaction; stop() ends it and cleans up")
    func statementModeAndStop() async throws {
        let backend = try await TestPostgres.shared()
        var options = LocalPgBouncer.Options()
        options.defaultPoolSize = 2
        options.maxClientConnections = 10
        let bouncer = try LocalPgBouncer.start(backend: backend, poolMode: .statement, options: options)
        #expect(try bouncer.psql("SELECT 7").trimmingCharacters(in: .whitespacesAndNewlines) == "7")
        let refusal = #expect(throws: LocalClusterError.self) {
            try bouncer.psql("BEGIN; SELECT 1")
        }
        #expect("\(refusal.map { "\($0)" } ?? "")".contains("statement pooling"), "\(String(describing: refusal))")
        let config = try bouncer.admin("SHOW CONFIG")
        #expect(config.contains("default_pool_size|2|"))
        #expect(config.contains("max_client_conn|10|"))
        #expect(config.contains("pool_mode|statement|"))
        let pidText = try String(contentsOfFile: bouncer.baseDirectory + "/pgbouncer.pid", encoding: .utf8)
        let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        let stopStarted = Date()
        bouncer.stop()
        // SIGTERM ends it at once (a blocked signal would leave stop() waiting for its SIGKILL fallback).
        #expect(Date().timeIntervalSince(stopStarted) < 2.5)
        // Under runuser, init reaps pgbouncer once runuser is gone: allow it a moment.
        var gone = false
        for _ in 0..<100 where !gone {
            gone = kill(pid, 0) == -1 || Self.isZombie(pid)
            if !gone { usleep(20_000) }
        }
        #expect(gone)
        #expect(!FileManager.default.fileExists(atPath: bouncer.baseDirectory))
        #expect(throws: LocalClusterError.self) {
            try bouncer.psql("SELECT 1")
        }
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
