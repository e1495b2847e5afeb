import Foundation

/// A throwaway PostgreSQL for the pgbench oracle tests, started once per test process on a port in 5490...5499
/// and stopped at exit. (To be replaced by LocalCluster's TestPostgres once it is on main.)
final class OracleServer: @unchecked Sendable {
    let port: Int
    let host = "127.0.0.1"
    private let directory: String
    private let pgCtl: String
    private let asPostgres: Bool

    private static let lock = NSLock()
    nonisolated(unsafe) private static var started: Result<OracleServer, Error>?

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    static var binDirectory: String? {
        let candidates = (15...18).reversed().map { "/usr/lib/postgresql/\($0)/bin" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }

    static var pgbenchPath: String? {
        ProcessRunner.firstExisting(["/usr/bin/pgbench"] + (binDirectory.map { [$0 + "/pgbench"] } ?? []))
    }

    /// True when the machine has PostgreSQL's server binaries and pgbench.
    static var isAvailable: Bool { binDirectory != nil && pgbenchPath != nil }

    static func shared() throws -> OracleServer {
        try lock.withLock {
            if let started { return try started.get() }
            let result = Result { try OracleServer.start() }
            started = result
            if case .success = result { atexit { OracleServer.stopShared() } }
            return try result.get()
        }
    }

    private static func stopShared() {
        if case .success(let server) = started { server.stop() }
    }

    private init(port: Int, directory: String, pgCtl: String, asPostgres: Bool) {
        self.port = port
        self.directory = directory
        self.pgCtl = pgCtl
        self.asPostgres = asPostgres
    }

    private static func start() throws -> OracleServer {
        guard let bin = binDirectory else { throw Unavailable(description: "no PostgreSQL server binaries") }
        let asPostgres = getuid() == 0
        let directory = "/tmp/pgswarm-workload-oracle-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if asPostgres {
            _ = try ProcessRunner.run("/bin/chown", ["postgres", directory])
        }
        let initdb = try runAs(
            asPostgres,
            bin + "/initdb",
            ["-D", directory + "/data", "-A", "trust", "-U", "postgres"]
        )
        guard initdb.status == 0 else { throw Unavailable(description: "initdb failed: \(initdb.stderr)") }
        for port in 5490...5499 {
            let options = "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off"
            let start = try runAs(
                asPostgres,
                bin + "/pg_ctl",
                ["-D", directory + "/data", "-o", options, "-l", directory + "/log-\(port)", "-w", "-t", "30", "start"]
            )
            if start.status == 0 {
                return OracleServer(port: port, directory: directory, pgCtl: bin + "/pg_ctl", asPostgres: asPostgres)
            }
        }
        throw Unavailable(description: "no free port in 5490...5499 for the oracle server")
    }

    private static func runAs(
        _ asPostgres: Bool,
        _ executable: String,
        _ arguments: [String]
    ) throws
        -> ProcessRunner.Output
    {
        if asPostgres {
            return try ProcessRunner.run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        }
        return try ProcessRunner.run(executable, arguments)
    }

    func stop() {
        _ = try? Self.runAs(asPostgres, pgCtl, ["-D", directory + "/data", "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: directory)
    }
}
