import ArgumentParser
import Engine
import Connection

/// Where to connect, as pgbench takes it: -h, -p, -U and the database as the last argument (a name, a
/// postgresql:// URI or a keyword=value string), with PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD and ~/.pgpass.
struct ConnectionArguments: ParsableArguments {
    @Option(name: [.customShort("h"), .long], help: "Database server host or socket directory.")
    var host: String?

    @Option(name: [.customShort("p"), .long], help: "Database server port number.")
    var port: String?

    @Option(name: [.customShort("U"), .long], help: "Connect as this database user.")
    var username: String?

    @Option(name: .long, help: "The database (the same as the last argument).")
    var dbname: String?

    @Option(name: .long, help: "The application_name the server shows (default: pgswarm, or PGAPPNAME).")
    var applicationName: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Protocol version to ask for: 3.0 (default), 3.2, or auto (3.2, and 3.0 when a server or pooler refuses).",
            valueName: "3.0|3.2|auto"
        )
    )
    var protocolVersion: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "TLS as libpq's sslmode (default: prefer, or PGSSLMODE); a connection string's sslmode overrides it.",
            valueName: "disable|allow|prefer|require|verify-ca|verify-full"
        )
    )
    var sslmode: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "PEM file of root certificates for verify-ca/verify-full, or \"system\" (default: ~/.postgresql/root.crt).",
            valueName: "file"
        )
    )
    var sslrootcert: String?

    @Argument(
        help: ArgumentHelp(
            "Database name, postgresql:// URI or keyword=value connection string; what a URI sets overrides -h/-p/-U.",
            valueName: "dbname"
        )
    )
    var database: String?

    func validate() throws {
        // `pgswarm run workload.toml --dbname bench`: the last argument is then the spec, not a database.
        if dbname != nil && database != nil && database?.lowercased().hasSuffix(".toml") != true {
            throw ValidationError("give the database either as --dbname or as the last argument, not both")
        }
        if let protocolVersion, ConnectionSettings.ProtocolRequest(rawValue: protocolVersion) == nil {
            throw ValidationError("invalid --protocol-version \"\(protocolVersion)\": expecting 3.0, 3.2 or auto")
        }
        if let sslmode, ConnectionSettings.SSLMode(rawValue: sslmode) == nil {
            throw ValidationError(
                "invalid --sslmode \"\(sslmode)\": expecting disable, allow, prefer, require, verify-ca or verify-full"
            )
        }
    }

    var options: ConnectionOptions {
        ConnectionOptions(
            host: host,
            port: port,
            user: username,
            database: dbname ?? database,
            applicationName: applicationName,
            protocolRequest: protocolVersion.flatMap(ConnectionSettings.ProtocolRequest.init(rawValue:)),
            sslMode: sslmode,
            sslRootCert: sslrootcert
        )
    }

    /// Resolves the settings (libpq's rules) and prints the resolver's warnings.
    func resolve() throws -> ConnectionSettings {
        let resolution = try ConnectionResolver.resolve(options, environment: .current())
        for warning in resolution.warnings { StandardError.write("pgswarm: warning: \(warning)") }
        return resolution.settings
    }
}
