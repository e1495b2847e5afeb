import Testing

@testable import Connection
import TestSupport

@Suite("ConnectionResolver: options, environment, defaults")
struct ConnectionResolverTests {
    @Test func defaultsAreLibpqs() throws {
        let settings = try resolve(ConnectionOptions()).settings
        #expect(settings.endpoint == .unixSocket(path: "/var/run/postgresql/.s.PGSQL.5432"))
        #expect(settings.user == "alice")
        #expect(settings.database == "alice")
        #expect(settings.password == nil)
        #expect(settings.applicationName == "pgswarm")
        #expect(settings.protocolRequest == .v3_0)
        #expect(!settings.hostWasGiven)
    }

    @Test func fallbackSocketDirectoryIsUsed() throws {
        let settings = try resolve(ConnectionOptions(port: "5433"), testEnvironment(socketDirectory: "/tmp")).settings
        #expect(settings.endpoint == .unixSocket(path: "/tmp/.s.PGSQL.5433"))
        #expect(!settings.hostWasGiven)
    }

    @Test func optionsGiveTCPEndpoint() throws {
        let settings = try resolve(
            ConnectionOptions(host: "db.example", port: "6432", user: "bob", database: "bench")
        ).settings
        #expect(settings.endpoint == .tcp(host: "db.example", port: 6432))
        #expect(settings.user == "bob")
        #expect(settings.database == "bench")
        #expect(settings.hostWasGiven)
    }

    @Test func databaseDefaultsToTheResolvedUser() throws {
        #expect(try resolve(ConnectionOptions(user: "bob")).settings.database == "bob")
        #expect(try resolve(ConnectionOptions(), testEnvironment(["PGUSER": "carol"])).settings.database == "carol")
    }

    @Test func hostStartingWithSlashIsASocketDirectory() throws {
        let settings = try resolve(ConnectionOptions(host: "/run/pg/", port: "5999")).settings
        #expect(settings.endpoint == .unixSocket(path: "/run/pg/.s.PGSQL.5999"))
        #expect(settings.hostWasGiven)
        #expect(settings.endpointDescription == "/run/pg/.s.PGSQL.5999")
    }

    @Test func environmentFillsWhatOptionsLeaveOut() throws {
        let environment = testEnvironment([
            "PGHOST": "10.0.0.5", "PGPORT": "5544", "PGUSER": "envuser", "PGDATABASE": "envdb",
            "PGPASSWORD": "envpw", "PGAPPNAME": "envapp",
        ])
        let fromEnvironment = try resolve(ConnectionOptions(), environment).settings
        #expect(fromEnvironment.endpoint == .tcp(host: "10.0.0.5", port: 5544))
        #expect(fromEnvironment.user == "envuser")
        #expect(fromEnvironment.database == "envdb")
        #expect(fromEnvironment.password == "envpw")
        #expect(fromEnvironment.applicationName == "envapp")
        #expect(fromEnvironment.hostWasGiven)

        let options = ConnectionOptions(host: "h", port: "1", user: "u", database: "d", applicationName: "a")
        let fromOptions = try resolve(options, environment).settings
        #expect(fromOptions.endpoint == .tcp(host: "h", port: 1))
        #expect(fromOptions.user == "u")
        #expect(fromOptions.database == "d")
        #expect(fromOptions.applicationName == "a")
    }

    @Test func emptyEnvironmentValuesCountAsUnset() throws {
        let settings = try resolve(ConnectionOptions(), testEnvironment(["PGHOST": "", "PGUSER": ""])).settings
        #expect(settings.endpoint == .unixSocket(path: "/var/run/postgresql/.s.PGSQL.5432"))
        #expect(settings.user == "alice")
        #expect(!settings.hostWasGiven)
    }

    @Test func portErrorsUseLibpqMessages() {
        #expect(
            pgswarmErrorMessage { _ = try resolve(ConnectionOptions(port: "abc")) }
                == "invalid integer value \"abc\" for connection option \"port\""
        )
        #expect(
            pgswarmErrorMessage { _ = try resolve(ConnectionOptions(port: "99999")) } == "invalid port number: \"99999\""
        )
        #expect(
            pgswarmErrorMessage { _ = try resolve(ConnectionOptions(), testEnvironment(["PGPORT": "0"])) }
                == "invalid port number: \"0\""
        )
    }

    @Test func multipleHostsAreRefused() {
        #expect(
            pgswarmErrorMessage { _ = try resolve(ConnectionOptions(host: "a,b")) }
                == "multiple hosts are not supported: \"a,b\""
        )
    }

    @Test func protocolRequestFromOptionOrConnectionString() throws {
        #expect(try resolve(ConnectionOptions(protocolRequest: .auto)).settings.protocolRequest == .auto)
        let fromString = ConnectionOptions(database: "max_protocol_version=latest")
        #expect(try resolve(fromString).settings.protocolRequest == .v3_2)
        var both = fromString
        both.protocolRequest = .v3_0
        #expect(try resolve(both).settings.protocolRequest == .v3_0)
    }

    @Test func ignoredKeywordsAreReportedAsWarnings() throws {
        let resolution = try resolve(ConnectionOptions(database: "dbname=x connect_timeout=5"))
        #expect(
            resolution.warnings == ["ignoring connection parameter \"connect_timeout\": pgswarm does not support it"]
        )
    }
}
