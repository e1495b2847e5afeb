import Engine
import Foundation
import LocalCluster
import NIOPosix
import PGWire
import Testing
import Workload
@testable import Connection
import TestSupport

/// pgswarm's own client logging in through PgBouncer: each authentication method as PgBouncer (not the server)
/// asks for it, and protocol negotiation against a pooler that knows only 3.0.
@Suite("Logging in through PgBouncer")
struct PgBouncerLoginTests {
    static func settings(_ bouncer: LocalPgBouncer, user: String, password: String?) -> ConnectionSettings {
        var settings = ConnectionSettings(endpoint: .tcp(host: bouncer.host, port: bouncer.port), user: user,
                                          database: "postgres", password: password)
        settings.sslMode = .disable
        return settings
    }

    @Test("each login role authenticates by its method; a wrong password is refused")
    func loginRoles() async throws {
        let bouncer = try await TestPgBouncer.shared(poolMode: .session)
        let expected: [String: StartupStateMachine.AuthenticationMethod] = [
            "password": .cleartextPassword, "md5": .md5, "scram-sha-256": .scramSHA256,
        ]
        for role in bouncer.backend.loginRoles {
            let admin = try await AdminConnection.connect(
                settings: Self.settings(bouncer, user: role.user, password: role.password),
                group: MultiThreadedEventLoopGroup.singleton
            )
            #expect(admin.startup.authenticationMethod == expected[role.method], "\(role.method)")
            let who = try await admin.simpleQuery("SELECT current_user")
            #expect(who.rows.first?.first == role.user)
            await admin.close()
        }
        do {
            let admin = try await AdminConnection.connect(
                settings: Self.settings(bouncer, user: bouncer.backend.scramUser.user, password: "wrong"),
                group: MultiThreadedEventLoopGroup.singleton
            )
            await admin.close()
            Issue.record("logged in with a wrong password")
        } catch let error as PgswarmError {
            // PgBouncer 1.18 reports a failed SCRAM exchange as 08P01 (protocol violation), not 28P01 as the server
            // does, so the refusal is classed as a connection error; the message still says why.
            #expect(error.message.contains("refused the connection as user \"pgswarm_scram\""), "\(error)")
            #expect(error.message.contains("authentication failed"), "\(error)")
        }
    }

    @Test("protocol auto falls back to 3.0 against PgBouncer 1.x, for an admin connection and a benchmark run")
    func protocolAutoFallsBack() async throws {
        let bouncer = try await TestPgBouncer.shared(poolMode: .transaction)
        var settings = Self.settings(bouncer, user: bouncer.backend.superuser, password: nil)
        settings.protocolRequest = .auto
        let admin = try await AdminConnection.connect(settings: settings, group: MultiThreadedEventLoopGroup.singleton)
        #expect(admin.startup.protocolVersion == .v3_0)
        await admin.close()

        let plan = try Plan.compile(sources: [ScriptSource(name: "select", text: "SELECT 1;\n")], mode: .extended)
        var configuration = RunConfiguration(connection: settings)
        configuration.clients = 2
        configuration.threads = 1
        configuration.limit = .transactionsPerClient(20)
        configuration.mode = .extended
        configuration.noVacuum = true
        configuration.outputDirectory = RunRig.temporaryDirectory()
        let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
        #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
        #expect(outcome.summary.transactions == 40)
        #expect(outcome.summary.failedTransactions == 0)
    }
}
