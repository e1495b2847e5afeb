import Engine
import Foundation
import LocalCluster
import NIOPosix
import Testing
import Workload
@testable import Connection
@testable import PgbenchCLI
import TestSupport

/// sslmode against a PostgreSQL with a self-signed CA, each mode as libpq treats it.
@Suite("TLS connections as sslmode asks")
struct TlsConnectionTests {
    static func settings(_ server: TlsTestServer.Server, mode: ConnectionSettings.SSLMode, host: String = "127.0.0.1",
                         root: String? = nil) -> ConnectionSettings
    {
        var settings = ConnectionSettings(endpoint: .tcp(host: host, port: server.cluster.port),
                                          user: server.cluster.superuser, database: "postgres")
        settings.sslMode = mode
        settings.sslRootCert = root
        return settings
    }

    /// Connects and asks the server whether this very connection is encrypted.
    static func connectionUsesTLS(_ settings: ConnectionSettings) async throws -> Bool {
        let admin = try await AdminConnection.connect(settings: settings, group: MultiThreadedEventLoopGroup.singleton)
        let result = try await admin.simpleQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        await admin.close()
        return result.rows.first?.first == "t"
    }

    static func connectError(_ settings: ConnectionSettings) async -> String? {
        do {
            let admin = try await AdminConnection.connect(settings: settings,
                                                          group: MultiThreadedEventLoopGroup.singleton)
            await admin.close()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("disable and allow stay in plain text; prefer and require (no root) encrypt without checking")
    func modesWithoutVerification() async throws {
        let server = try TlsTestServer.shared()
        #expect(try await !Self.connectionUsesTLS(Self.settings(server, mode: .disable)))
        #expect(try await !Self.connectionUsesTLS(Self.settings(server, mode: .allow)))
        #expect(try await Self.connectionUsesTLS(Self.settings(server, mode: .prefer)))
        #expect(try await Self.connectionUsesTLS(Self.settings(server, mode: .require)))
        // A root file makes require check the chain, as in libpq: the wrong root then fails.
        let wrong = await Self.connectError(Self.settings(server, mode: .require, root: server.wrongRootCertificate))
        #expect(wrong?.contains("certificate verify failed") == true, "\(wrong ?? "connected")")
    }

    @Test("verify-ca accepts the right root and refuses a wrong one in one clear line")
    func verifyCA() async throws {
        let server = try TlsTestServer.shared()
        #expect(try await Self.connectionUsesTLS(Self.settings(server, mode: .verifyCA, root: server.rootCertificate)))
        // verify-ca does not look at names: the certificate names localhost, we connect to 127.0.0.1.
        let message = await Self.connectError(
            Self.settings(server, mode: .verifyCA, root: server.wrongRootCertificate))
        let expected = "cannot connect to 127.0.0.1:\(server.cluster.port): SSL error: certificate verify failed "
            + "(sslmode=verify-ca, root certificate \"\(server.wrongRootCertificate)\")"
        #expect(message == expected)
    }

    @Test("verify-ca and verify-full without any root certificate file say what to set")
    func verifyWithoutRoot() async throws {
        let server = try TlsTestServer.shared()
        var settings = Self.settings(server, mode: .verifyFull, root: "/nonexistent/root.crt")
        let missing = await Self.connectError(settings)
        #expect(missing == "root certificate file \"/nonexistent/root.crt\" does not exist or cannot be read")
        settings.sslRootCert = server.rootCertificate
        settings.sslMode = .verifyCA
        #expect(try await Self.connectionUsesTLS(settings))
    }

    @Test("verify-full accepts the name in the certificate and refuses an address it does not name")
    func verifyFull() async throws {
        let server = try TlsTestServer.shared()
        let byName = Self.settings(server, mode: .verifyFull, host: "localhost", root: server.rootCertificate)
        #expect(byName.sslServerName == "localhost")
        #expect(try await Self.connectionUsesTLS(byName))
        let byAddress = Self.settings(server, mode: .verifyFull, host: "127.0.0.1", root: server.rootCertificate)
        #expect(byAddress.sslServerName == nil)
        let message = await Self.connectError(byAddress)
        #expect(message?.contains("server certificate does not match host name \"127.0.0.1\"") == true,
                "\(message ?? "connected")")
        #expect(message?.contains("\n") == false)
    }

    @Test("require fails, and prefer goes on in plain text, against a server without TLS")
    func serverWithoutTLS() async throws {
        let plain = try await TestPostgres.shared()
        var settings = ConnectionSettings(endpoint: .tcp(host: plain.host, port: plain.port), user: plain.superuser,
                                          database: "postgres")
        settings.sslMode = .prefer
        #expect(try await !Self.connectionUsesTLS(settings))
        settings.sslMode = .require
        let message = await Self.connectError(settings)
        #expect(message == "cannot connect to 127.0.0.1:\(plain.port): the server does not support SSL, but SSL was "
                    + "required (sslmode=require)")
        // Unix sockets never negotiate TLS, whatever the mode (as libpq).
        var overSocket = settings
        overSocket.endpoint = .unixSocket(path: ConnectionResolver.socketPath(directory: plain.socketDirectory,
                                                                              port: plain.port))
        #expect(try await !Self.connectionUsesTLS(overSocket))
    }

    @Test("init and a benchmark run over verify-full TLS complete with no failures")
    func benchmarkOverTLS() async throws {
        let server = try TlsTestServer.shared()
        try server.cluster.psql("DROP DATABASE IF EXISTS tls_bench")
        try server.cluster.psql("CREATE DATABASE tls_bench")
        var settings = Self.settings(server, mode: .verifyFull, host: "localhost", root: server.rootCertificate)
        settings.database = "tls_bench"
        var initOptions = InitOptions()
        initOptions.scale = 1
        try await PgbenchInit.run(connection: settings, options: initOptions, print: { _ in })
        for mode in [QueryMode.simple, .prepared] {
            let plan = try Plan.compile(sources: [BuiltinScript.selectOnly], mode: mode)
            var configuration = RunConfiguration(connection: settings)
            configuration.clients = 4
            configuration.threads = 2
            configuration.limit = .transactionsPerClient(50)
            configuration.mode = mode
            configuration.outputDirectory = RunRig.temporaryDirectory()
            let outcome = try await Benchmark.run(configuration: configuration, plan: plan, print: { _ in })
            #expect(outcome.abortedClients == 0, "\(outcome.abortMessages)")
            #expect(outcome.summary.transactions == 200)
            #expect(outcome.summary.failedTransactions == 0)
            #expect(outcome.summary.connectMicroseconds?.count == 4)
        }
        // Every connection of the runs (and of init) was encrypted: the server logs each one it authorised.
        let log = try String(contentsOfFile: server.cluster.logFile, encoding: .utf8)
        let authorised = log.split(separator: "\n").filter {
            $0.contains("connection authorized") && $0.contains("database=tls_bench")
        }
        #expect(authorised.count >= 8)
        #expect(authorised.allSatisfy { $0.contains("SSL enabled") })
    }
}
