import NIOCore
import PGWire
import Testing

/// Logs in to a real PostgreSQL with every method it is configured for.
@Suite(.serialized) struct LoginIntegrationTests {
    private func login(
        user: String,
        password: String? = nil,
        parameters: [(String, String)] = [],
        protocolVersion: ProtocolVersionRequest = .v3_0
    ) async throws -> TestConnection? {
        guard let server = try await IntegrationServer.shared() else {
            return nil
        }
        return try await TestConnection.connect(
            host: server.host,
            port: server.port,
            configuration: StartupConfiguration(
                user: user,
                database: "postgres",
                password: password,
                parameters: parameters,
                protocolVersion: protocolVersion
            )
        )
    }

    @Test func trust() async throws {
        guard let server = try await IntegrationServer.shared(),
            let connection = try await self.login(user: server.superuser)
        else { return }
        #expect(connection.login.authenticationMethod == .trust)
        #expect(connection.login.protocolVersion == .v3_0)
        #expect(connection.login.serverVersion?.isEmpty == false)
        #expect(connection.login.parameters["client_encoding"] == "UTF8")
        #expect(connection.login.backendKey?.secretKey.readableBytes == 4)
        await connection.close()
    }

    @Test func cleartextPassword() async throws {
        guard let server = try await IntegrationServer.shared(),
            let connection = try await self.login(
                user: server.passwordUser.name,
                password: server.passwordUser.password
            )
        else { return }
        #expect(connection.login.authenticationMethod == .cleartextPassword)
        await connection.close()
    }

    @Test func md5Password() async throws {
        guard let server = try await IntegrationServer.shared(),
            let connection = try await self.login(user: server.md5User.name, password: server.md5User.password)
        else { return }
        #expect(connection.login.authenticationMethod == .md5)
        await connection.close()
    }

    @Test func scramSHA256() async throws {
        guard let server = try await IntegrationServer.shared(),
            let connection = try await self.login(user: server.scramUser.name, password: server.scramUser.password)
        else { return }
        #expect(connection.login.authenticationMethod == .scramSHA256)
        await connection.close()
    }

    @Test(arguments: ["password", "md5", "scram"])
    func wrongPasswordIsRefusedWithSQLState28P01(method: String) async throws {
        guard let server = try await IntegrationServer.shared() else { return }
        let user =
            switch method {
            case "password": server.passwordUser.name
            case "md5": server.md5User.name
            default: server.scramUser.name
            }
        do {
            let connection = try await self.login(user: user, password: "wrong")
            await connection?.close()
            Issue.record("logged in with a wrong password")
        } catch let error as PGWireError {
            #expect(error.kind == .serverError)
            #expect(error.serverError?.sqlState == "28P01")
        }
    }

    @Test func protocol32IsNegotiatedDownWithUnrecognisedOptionsReported() async throws {
        guard let server = try await IntegrationServer.shared(),
            let connection = try await self.login(
                user: server.superuser,
                parameters: [("_pq_.pgswarm_test", "on")],
                protocolVersion: .v3_2
            )
        else { return }
        let version = connection.login.protocolVersion
        // A server older than 18 offers 3.0 and lists our option; 18 keeps 3.2 and still lists it.
        #expect(version == .v3_0 || version == .v3_2)
        #expect(connection.login.unrecognisedOptions == ["_pq_.pgswarm_test"])
        if version == .v3_0 {
            #expect(connection.login.backendKey?.secretKey.readableBytes == 4)
        }
        let rows = try await connection.send { $0.query("SELECT 1") }
        #expect(rows.last == .readyForQuery(.idle))
        await connection.close()
    }
}
