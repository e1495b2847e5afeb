import Testing

@testable import Connection
import TestSupport

@Suite("Connection strings: postgresql:// URIs and keyword=value")
struct ConnectionStringTests {
    @Test func fullURI() throws {
        let keywords = try ConnectionURI.parse("postgresql://bob:s%40cret@db.example:6432/bench?application_name=ci")
        #expect(
            keywords == [
                "user": "bob", "password": "s@cret", "host": "db.example", "port": "6432", "dbname": "bench",
                "application_name": "ci",
            ]
        )
    }

    @Test func shortAndEmptyURIs() throws {
        #expect(try ConnectionURI.parse("postgres://") == [:])
        #expect(try ConnectionURI.parse("postgresql:///bench") == ["dbname": "bench"])
        #expect(try ConnectionURI.parse("postgresql://host") == ["host": "host"])
        #expect(try ConnectionURI.parse("postgresql://:5433") == ["port": "5433"])
        #expect(try ConnectionURI.parse("postgresql://u@") == ["user": "u"])
        #expect(try ConnectionURI.parse("postgresql://h?dbname=x&user=y") == ["host": "h", "dbname": "x", "user": "y"])
    }

    @Test func ipv6HostInBrackets() throws {
        #expect(
            try ConnectionURI.parse("postgresql://[::1]:5433/db") == ["host": "::1", "port": "5433", "dbname": "db"]
        )
        #expect(try ConnectionURI.parse("postgresql://[fe80::1%25eth0]") == ["host": "fe80::1%eth0"])
        #expect(
            pgswarmErrorMessage { _ = try ConnectionURI.parse("postgresql://[::1/db") }
                == "end of IPv6 host address not found in URI: \"postgresql://[::1/db\""
        )
    }

    @Test func percentEncodedSocketDirectory() throws {
        let options = ConnectionOptions(database: "postgresql://%2Fvar%2Flib%2Fpostgresql:5433/db")
        let settings = try resolve(options).settings
        #expect(settings.endpoint == .unixSocket(path: "/var/lib/postgresql/.s.PGSQL.5433"))
        #expect(settings.database == "db")
        #expect(settings.hostWasGiven)
    }

    @Test func socketDirectoryAsHostParameter() throws {
        let settings = try resolve(ConnectionOptions(database: "postgresql:///db?host=/tmp/pg&port=7000")).settings
        #expect(settings.endpoint == .unixSocket(path: "/tmp/pg/.s.PGSQL.7000"))
    }

    @Test func malformedURIs() {
        #expect(
            pgswarmErrorMessage { _ = try ConnectionURI.parse("postgresql://%zz/") }
                == "invalid percent-encoded token: \"%zz\""
        )
        #expect(
            pgswarmErrorMessage { _ = try ConnectionURI.parse("postgresql://h/d%00") }
                == "forbidden value %00 in percent-encoded value: \"d%00\""
        )
        #expect(
            pgswarmErrorMessage { _ = try ConnectionURI.parse("postgresql://u@h/db?foo=1") }
                == "invalid URI query parameter: \"foo\""
        )
        #expect(
            pgswarmErrorMessage { _ = try ConnectionURI.parse("postgresql://h1,h2/db") }
                == "multiple hosts are not supported: \"h1,h2\" in \"postgresql://h1,h2/db\""
        )
    }

    @Test func uriOverridesOptionsAsInPgbench() throws {
        // pgbench passes dbname after host, port and user to libpq, so the expanded string wins.
        let options = ConnectionOptions(
            host: "/nonexistent",
            port: "7",
            user: "optuser",
            database: "postgresql://uriuser@?host=/tmp&port=1"
        )
        let settings = try resolve(options).settings
        #expect(settings.endpoint == .unixSocket(path: "/tmp/.s.PGSQL.1"))
        #expect(settings.user == "uriuser")
        // No dbname in the URI: the default (the user) applies.
        #expect(settings.database == "uriuser")
    }

    @Test func passwordInURIBeatsPGPASSWORD() throws {
        let options = ConnectionOptions(database: "postgres://u:fromuri@h/d")
        #expect(try resolve(options, testEnvironment(["PGPASSWORD": "fromenv"])).settings.password == "fromuri")
    }

    @Test func keywordValueStrings() throws {
        #expect(
            try ConninfoString.parse("host=/tmp port = 5433  dbname='my db' user=o\\'neil password='a\\'b\\\\c'")
                == ["host": "/tmp", "port": "5433", "dbname": "my db", "user": "o'neil", "password": "a'b\\c"]
        )
        #expect(try ConninfoString.parse("dbname=''") == ["dbname": ""])
        #expect(try ConninfoString.parse("  ") == [:])
    }

    @Test func keywordValueErrors() {
        #expect(
            pgswarmErrorMessage { _ = try ConninfoString.parse("host") }
                == "missing \"=\" after \"host\" in connection info string"
        )
        #expect(
            pgswarmErrorMessage { _ = try ConninfoString.parse("host='/tm") }
                == "unterminated quoted string in connection info string"
        )
        #expect(
            pgswarmErrorMessage { _ = try ConninfoString.parse("host=/tmp foo=1") }
                == "invalid connection option \"foo\""
        )
    }

    @Test func whatCountsAsAConnectionString() {
        #expect(ConninfoString.isConnectionString("postgresql://x"))
        #expect(ConninfoString.isConnectionString("postgres://"))
        #expect(ConninfoString.isConnectionString("dbname=x"))
        #expect(!ConninfoString.isConnectionString("bench"))
        #expect(!ConninfoString.isConnectionString("postgresql:x"))
    }
}
