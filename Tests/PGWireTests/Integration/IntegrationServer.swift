import Foundation

/// Where the integration tests log in, and as whom. One place to adapt to the test rig.
struct IntegrationServer: Sendable {
    var host: String
    var port: Int
    var superuser: String
    var passwordUser: (name: String, password: String)
    var md5User: (name: String, password: String)
    var scramUser: (name: String, password: String)

    /// Until the LocalCluster rig is merged: a server named by PGWIRE_TEST_PORT, nil otherwise.
    static func shared() async throws -> IntegrationServer? {
        guard let port = ProcessInfo.processInfo.environment["PGWIRE_TEST_PORT"].flatMap(Int.init) else {
            return nil
        }
        return IntegrationServer(
            host: "127.0.0.1",
            port: port,
            superuser: "postgres",
            passwordUser: ("pgswarm_password", "pw-cleartext"),
            md5User: ("pgswarm_md5", "pw-md5"),
            scramUser: ("pgswarm_scram", "pw-scram")
        )
    }
}
