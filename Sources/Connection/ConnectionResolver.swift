/// Turns the command line's connection options into `ConnectionSettings` the way libpq (and so pgbench) does:
///
/// 1. `-h`, `-p`, `-U`, then the database argument; when that is a URI or `keyword=value` string, what it sets
///    overrides the options (pgbench passes dbname last to libpq);
/// 2. what is still unset comes from PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGAPPNAME, PGSSLMODE,
///    PGSSLROOTCERT, PGSSLSNI;
/// 3. then libpq's defaults: the default socket directory, port 5432, the login name, a database named as the user;
/// 4. without a password so far, the first matching line of the password file (PGPASSFILE or ~/.pgpass).
///
/// Pure apart from `ConnectionEnvironment`, which tests replace.
public enum ConnectionResolver {
    public struct Resolution: Sendable, Equatable {
        public var settings: ConnectionSettings
        /// Things libpq would warn about (an unreadable or too open password file, an ignored keyword); one line each.
        public var warnings: [String]
    }

    public static func resolve(
        _ options: ConnectionOptions,
        environment: ConnectionEnvironment
    ) throws(PgswarmError) -> Resolution {
        var warnings: [String] = []
        var keywords: [String: String] = [:]
        keywords["host"] = options.host
        keywords["port"] = options.port
        keywords["user"] = options.user
        keywords["application_name"] = options.applicationName
        keywords["sslmode"] = options.sslMode
        keywords["sslrootcert"] = options.sslRootCert
        if let database = options.database {
            if ConninfoString.isConnectionString(database) {
                let parsed = try ConninfoString.parseAny(database)
                keywords.merge(parsed) { _, fromString in fromString }
                for keyword in parsed.keys.sorted() where ConnectionKeywords.ignored.contains(keyword) {
                    warnings.append("ignoring connection parameter \"\(keyword)\": pgswarm does not support it")
                }
            } else {
                keywords["dbname"] = database
            }
        }
        func value(_ keyword: String, orEnvironment variable: String) -> String? {
            if let given = keywords[keyword], !given.isEmpty { return given }
            if let fromEnvironment = environment.variables[variable], !fromEnvironment.isEmpty {
                return fromEnvironment
            }
            return nil
        }

        let givenHost = value("host", orEnvironment: "PGHOST")
        let host = givenHost ?? environment.defaultSocketDirectory
        if host.contains(",") {
            throw PgswarmError(.usage, "multiple hosts are not supported: \"\(host)\"")
        }
        let port = try parsePort(value("port", orEnvironment: "PGPORT") ?? "5432")
        let user = value("user", orEnvironment: "PGUSER") ?? environment.osUserName
        let database = value("dbname", orEnvironment: "PGDATABASE") ?? user
        let sslMode = try parseSSLMode(value("sslmode", orEnvironment: "PGSSLMODE"))

        let endpoint: ConnectionSettings.Endpoint =
            host.hasPrefix("/")
            ? .unixSocket(path: socketPath(directory: host, port: port))
            : .tcp(host: host, port: port)
        var settings = ConnectionSettings(endpoint: endpoint, user: user, database: database)
        settings.hostWasGiven = givenHost != nil
        settings.sslMode = sslMode
        settings.sslRootCert = value("sslrootcert", orEnvironment: "PGSSLROOTCERT")
        settings.sslSNI = try parseBoolean(value("sslsni", orEnvironment: "PGSSLSNI") ?? "1", keyword: "sslsni")
        settings.applicationName =
            value("application_name", orEnvironment: "PGAPPNAME") ?? keywords["fallback_application_name"] ?? "pgswarm"
        if let request = options.protocolRequest {
            settings.protocolRequest = request
        } else {
            settings.protocolRequest = try protocolRequest(keywords["max_protocol_version"])
        }

        if let password = value("password", orEnvironment: "PGPASSWORD") {
            settings.password = password
        } else if let passwordFile = value("passfile", orEnvironment: "PGPASSFILE")
            ?? environment.homeDirectory.map({ $0 + "/.pgpass" })
        {
            // libpq matches a connection over the default socket directory as "localhost".
            let matchHost = host == environment.defaultSocketDirectory ? "localhost" : host
            switch environment.readPasswordFile(passwordFile) {
            case .missing:
                break
            case .notPlainFile:
                warnings.append("password file \"\(passwordFile)\" is not a plain file; ignoring it")
            case .accessibleByOthers:
                warnings.append(
                    "password file \"\(passwordFile)\" has group or world access; permissions should be u=rw (0600) or "
                        + "less; ignoring it"
                )
            case .contents(let text):
                settings.password = PgPass(parsing: text).password(
                    host: matchHost,
                    port: port,
                    database: database,
                    user: user
                )
            }
        }
        return Resolution(settings: settings, warnings: warnings)
    }

    /// libpq's socket file name in a socket directory.
    public static func socketPath(directory: String, port: Int) -> String {
        let trimmed = directory.count > 1 && directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        return (trimmed == "/" ? "" : trimmed) + "/.s.PGSQL.\(port)"
    }

    package static func parsePort(_ text: String) throws(PgswarmError) -> Int {
        guard let port = Int(text.trimmingSpaces()) else {
            throw PgswarmError(.usage, "invalid integer value \"\(text)\" for connection option \"port\"")
        }
        guard (1...65535).contains(port) else {
            throw PgswarmError(.usage, "invalid port number: \"\(text)\"")
        }
        return port
    }

    /// libpq's sslmode values; unset means prefer.
    package static func parseSSLMode(_ text: String?) throws(PgswarmError) -> ConnectionSettings.SSLMode {
        guard let text else { return .prefer }
        guard let mode = ConnectionSettings.SSLMode(rawValue: text) else {
            throw PgswarmError(.usage, "invalid sslmode value: \"\(text)\"")
        }
        return mode
    }

    /// libpq's boolean connection parameters are "0" or "1".
    package static func parseBoolean(_ text: String, keyword: String) throws(PgswarmError) -> Bool {
        switch text.trimmingSpaces() {
        case "1": return true
        case "0": return false
        default: throw PgswarmError(.usage, "invalid \(keyword) value: \"\(text)\"")
        }
    }

    /// libpq 18's `max_protocol_version`: "3.0", "3.2" or "latest".
    package static func protocolRequest(_ text: String?) throws(PgswarmError) -> ConnectionSettings.ProtocolRequest {
        switch text {
        case nil, "3.0": return .v3_0
        case "3.2", "latest": return .v3_2
        case let other?: throw PgswarmError(.usage, "invalid max_protocol_version value: \"\(other)\"")
        }
    }
}
