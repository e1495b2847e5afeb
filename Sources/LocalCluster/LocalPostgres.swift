import Foundation

/// A throwaway PostgreSQL cluster: `initdb` into a private temporary directory, a server on a free port of
/// 127.0.0.1 with its Unix socket in that directory, and `stop()` removes it all.
///
/// Used by the tests (one cluster per test process, see `TestPostgres`) and by `pgswarm run` when no server
/// is given. When run as root, the cluster belongs to the `postgres` user: initdb refuses root.
public final class LocalPostgres: @unchecked Sendable {
    public struct Options: Sendable {
        public var maxConnections: Int = 200
        public var sharedBuffers: String = "128MB"
        /// Durability off: a throwaway cluster needs no fsync, and the tests run faster without it.
        public var durable: Bool = false
        /// Extra `postgresql.conf` lines, e.g. for TLS.
        public var extraConfiguration: [String] = []
        public init() {}
    }

    /// A role that logs in with a password over TCP through a given pg_hba method.
    public struct LoginRole: Sendable {
        public let user: String
        public let password: String
        public let method: String
    }

    public let host = "127.0.0.1"
    public private(set) var port: Int
    public let superuser = "postgres"
    public let binaries: PostgresBinaries
    /// The temporary directory holding the data directory, the socket and the server log.
    public let baseDirectory: String
    public var dataDirectory: String { baseDirectory + "/data" }
    public var socketDirectory: String { baseDirectory }
    public var logFile: String { baseDirectory + "/server.log" }

    public let passwordUser = LoginRole(user: "pgswarm_password", password: "pw-cleartext", method: "password")
    public let md5User = LoginRole(user: "pgswarm_md5", password: "pw-md5", method: "md5")
    public let scramUser = LoginRole(user: "pgswarm_scram", password: "pw-scram", method: "scram-sha-256")
    public var loginRoles: [LoginRole] { [passwordUser, md5User, scramUser] }

    private let owner: String?
    private let stateLock = NSLock()
    private var running = false

    private init(port: Int, binaries: PostgresBinaries, baseDirectory: String, owner: String?) {
        self.port = port
        self.binaries = binaries
        self.baseDirectory = baseDirectory
        self.owner = owner
    }

    /// Creates and starts a cluster; retries on another port when the chosen one was taken meanwhile.
    public static func start(options: Options = Options()) throws -> LocalPostgres {
        let binaries = try PostgresBinaries.locate()
        let owner: String? = Subprocess.isRoot ? "postgres" : nil
        let base = try makeTemporaryDirectory(owner: owner)
        // From here on, `cluster.stop()` (or its deinit) removes the directory on any failure.
        let cluster = LocalPostgres(port: 0, binaries: binaries, baseDirectory: base, owner: owner)
        try cluster.initialise()
        var lastError: Error = LocalClusterError.notStarted("no attempt made")
        for _ in 0..<5 {
            cluster.port = try findFreePort()
            do {
                try cluster.configure(options: options)
                try cluster.startServer()
                try cluster.createLoginRoles()
                return cluster
            } catch {
                lastError = error
                _ = try? Subprocess.run([binaries.pgCtl, "-D", cluster.dataDirectory, "-m", "immediate", "stop"],
                                        asUser: owner)
                cluster.stateLock.withLock { cluster.running = false }
            }
        }
        if case LocalClusterError.commandFailed = lastError,
           let log = try? String(contentsOfFile: cluster.logFile, encoding: .utf8) {
            lastError = LocalClusterError.notStarted(String(log.suffix(600)))
        }
        throw lastError
    }

    private static func makeTemporaryDirectory(owner: String?) throws -> String {
        // Short paths: a Unix socket path must fit in 107 bytes.
        var template = Array("/tmp/pgswarm-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            throw LocalClusterError.notStarted("cannot create a temporary directory in /tmp")
        }
        let path = String(cString: made)
        if let owner {
            try Subprocess.check(["/bin/chown", owner, path])
        }
        return path
    }

    private func initialise() throws {
        try Subprocess.check(
            [binaries.initdb, "-D", dataDirectory, "-U", superuser, "-A", "trust", "-E", "UTF8",
             "--locale=C", "--no-sync"],
            asUser: owner
        )
    }

    private func configure(options: Options) throws {
        var settings = [
            "listen_addresses = '127.0.0.1'",
            "port = \(port)",
            "unix_socket_directories = '\(socketDirectory)'",
            "max_connections = \(options.maxConnections)",
            "shared_buffers = \(options.sharedBuffers)",
            "logging_collector = off",
            "log_min_messages = warning",
        ]
        if !options.durable {
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        }
        settings += options.extraConfiguration
        let conf = settings.joined(separator: "\n") + "\n"
        // The server reads postgresql.auto.conf last; writing our settings there keeps initdb's file intact.
        try write(conf, to: dataDirectory + "/postgresql.auto.conf")
        var hba = [
            "local all all trust",
        ]
        for role in loginRoles {
            hba.append("host all \(role.user) 127.0.0.1/32 \(role.method)")
        }
        hba += ["host all all 127.0.0.1/32 trust", "host all all ::1/128 trust"]
        try write(hba.joined(separator: "\n") + "\n", to: dataDirectory + "/pg_hba.conf")
    }

    private func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        if let owner { try Subprocess.check(["/bin/chown", owner, path]) }
    }

    private func startServer() throws {
        try Subprocess.check(
            [binaries.pgCtl, "-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "start"],
            asUser: owner
        )
        stateLock.withLock { running = true }
    }

    private func createLoginRoles() throws {
        var sql = ""
        for role in loginRoles {
            // The stored form decides what the server can ask for: an md5 hash for md5, a verifier for SCRAM.
            let encryption = role.method == "md5" ? "md5" : "scram-sha-256"
            sql += "SET password_encryption = '\(encryption)'; "
            sql += "CREATE ROLE \(role.user) LOGIN PASSWORD '\(role.password)'; "
            sql += "GRANT ALL ON SCHEMA public TO \(role.user); "
        }
        try psql(sql)
    }

    /// Runs SQL through psql as the superuser over the Unix socket and returns what it printed
    /// (unaligned, tuples only). Throws with psql's message when the SQL fails.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        try Subprocess.check(
            [binaries.psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory,
             "-p", String(port), "-U", superuser, "-d", database, "-c", sql]
        )
    }

    /// The server's PID (the postmaster), for tests that stop or signal it.
    public func postmasterPID() -> Int32? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8),
              let first = text.split(separator: "\n").first
        else { return nil }
        return Int32(first)
    }

    /// Restarts the server process on the same port (e.g. after an immediate stop in a fault test).
    public func restart() throws {
        _ = try? Subprocess.run([binaries.pgCtl, "-D", dataDirectory, "-m", "immediate", "stop"], asUser: owner)
        try startServer()
    }

    /// Stops the server at once and removes the cluster's directory. Safe to call twice.
    public func stop() {
        let wasRunning = stateLock.withLock { () -> Bool in
            defer { running = false }
            return running
        }
        if wasRunning {
            _ = try? Subprocess.run([binaries.pgCtl, "-D", dataDirectory, "-m", "immediate", "-w", "stop"],
                                    asUser: owner)
        }
        try? FileManager.default.removeItem(atPath: baseDirectory)
    }

    deinit { stop() }
}
