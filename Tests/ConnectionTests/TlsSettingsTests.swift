import Foundation
import Testing
@testable import Connection
import TestSupport

/// sslmode, sslrootcert and sslsni from options, environment and connection strings, with libpq's precedence.
@Suite("TLS settings resolve as libpq's")
struct TlsSettingsTests {
    @Test func defaultIsPreferWithSNIAndNoRoot() throws {
        let settings = try resolve(ConnectionOptions(host: "db.example.com")).settings
        #expect(settings.sslMode == .prefer)
        #expect(settings.sslRootCert == nil)
        #expect(settings.sslServerName == "db.example.com")
    }

    @Test func everyLibpqModeParses() throws {
        for mode in ConnectionSettings.SSLMode.allCases {
            let settings = try resolve(ConnectionOptions(database: "sslmode=\(mode.rawValue)")).settings
            #expect(settings.sslMode == mode)
        }
        #expect(
            pgswarmErrorMessage { _ = try resolve(ConnectionOptions(database: "sslmode=bogus")) }
                == "invalid sslmode value: \"bogus\""
        )
        #expect(
            pgswarmErrorMessage { _ = try resolve(ConnectionOptions(sslMode: "verify_full")) }
                == "invalid sslmode value: \"verify_full\""
        )
    }

    @Test func connectionStringOverridesOptionWhichOverridesEnvironment() throws {
        let environment = testEnvironment(["PGSSLMODE": "require", "PGSSLROOTCERT": "/env/root.crt"])
        let fromEnvironment = try resolve(ConnectionOptions(), environment).settings
        #expect(fromEnvironment.sslMode == .require)
        #expect(fromEnvironment.sslRootCert == "/env/root.crt")

        let fromOptions = try resolve(ConnectionOptions(sslMode: "verify-ca", sslRootCert: "/opt/root.crt"),
                                      environment).settings
        #expect(fromOptions.sslMode == .verifyCA)
        #expect(fromOptions.sslRootCert == "/opt/root.crt")

        let uri = "postgresql://h/db?sslmode=verify-full&sslrootcert=/uri/root.crt"
        let fromURI = try resolve(ConnectionOptions(database: uri, sslMode: "disable"), environment).settings
        #expect(fromURI.sslMode == .verifyFull)
        #expect(fromURI.sslRootCert == "/uri/root.crt")
    }

    @Test func sniIsSentForNamesOnly() throws {
        #expect(try resolve(ConnectionOptions(host: "127.0.0.1")).settings.sslServerName == nil)
        #expect(try resolve(ConnectionOptions(host: "::1")).settings.sslServerName == nil)
        #expect(try resolve(ConnectionOptions(host: "/tmp")).settings.sslServerName == nil)
        #expect(try resolve(ConnectionOptions(host: "10.0.0.1.example")).settings.sslServerName == "10.0.0.1.example")
        let off = try resolve(ConnectionOptions(host: "db.example.com", database: "sslsni=0")).settings
        #expect(!off.sslSNI)
        #expect(off.sslServerName == nil)
        #expect(
            pgswarmErrorMessage { _ = try resolve(ConnectionOptions(database: "sslsni=yes")) }
                == "invalid sslsni value: \"yes\""
        )
    }

    @Test func tlsKeywordsAreUsedNotWarnedAbout() throws {
        let resolution = try resolve(ConnectionOptions(database: "dbname=x sslrootcert=/r.crt sslsni=1 sslmode=allow"))
        #expect(resolution.warnings.isEmpty)
    }

    @Test func planFollowsTheMode() throws {
        var settings = ConnectionSettings(endpoint: .tcp(host: "localhost", port: 5432), user: "u", database: "d")
        settings.sslMode = .disable
        #expect(try TLSClientContexts.plan(for: settings) == nil)
        settings.sslMode = .allow
        #expect(try TLSClientContexts.plan(for: settings) == nil)
        settings.sslMode = .prefer
        let prefer = try #require(try TLSClientContexts.plan(for: settings))
        #expect(!prefer.required)
        #expect(prefer.serverHostname == "localhost")
        settings.sslMode = .require
        settings.sslRootCert = "system"
        let require = try #require(try TLSClientContexts.plan(for: settings))
        #expect(require.required)
        #expect(require.summary == "sslmode=require, root certificate \"system\"")
        settings.endpoint = .unixSocket(path: "/tmp/.s.PGSQL.5432")
        #expect(try TLSClientContexts.plan(for: settings) == nil)
    }

    @Test func verificationWithoutAnyRootSaysWhatToSet() throws {
        let fallback = TLSClientContexts.defaultRootCertificatePath()
        try #require(fallback.map { !FileManager.default.fileExists(atPath: $0) } ?? true,
                     "this machine has ~/.postgresql/root.crt")
        var settings = ConnectionSettings(endpoint: .tcp(host: "db.example", port: 5432), user: "u", database: "d")
        settings.sslMode = .verifyCA
        #expect(
            pgswarmErrorMessage { _ = try TLSClientContexts.plan(for: settings) }
                == "sslmode=verify-ca needs a root certificate file: set sslrootcert (or --sslrootcert, "
                + "PGSSLROOTCERT) to a PEM file, or to \"system\" for the system's roots, or put one at "
                + "~/.postgresql/root.crt"
        )
        // Without a root file, require encrypts without checking, as in libpq.
        settings.sslMode = .require
        let require = try #require(try TLSClientContexts.plan(for: settings))
        #expect(require.summary == "sslmode=require")
    }
}
