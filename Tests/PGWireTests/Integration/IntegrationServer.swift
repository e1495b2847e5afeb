import LocalCluster
import TestSupport

/// Where the integration tests log in, and as whom: the test process's throwaway cluster.
struct IntegrationServer: Sendable {
    var host: String
    var port: Int
    var superuser: String
    var passwordUser: (name: String, password: String)
    var md5User: (name: String, password: String)
    var scramUser: (name: String, password: String)

    /// The shared LocalCluster server (started on first use). Optional so that a test can be
    /// pointed elsewhere, but the rig always provides one.
    static func shared() async throws -> IntegrationServer? {
        let pg = try await TestPostgres.shared()
        return IntegrationServer(
            host: pg.host,
            port: pg.port,
            superuser: pg.superuser,
            passwordUser: (pg.passwordUser.user, pg.passwordUser.password),
            md5User: (pg.md5User.user, pg.md5User.password),
            scramUser: (pg.scramUser.user, pg.scramUser.password)
        )
    }
}
