import Foundation

/// A throwaway PgBouncer in front of a `LocalPostgres`: its own temporary directory (ini, userlist, hba, log, Unix
/// socket), listening on a free port of 127.0.0.1, run in the foreground as our child so that `stop()` ends it.
///
/// Every database of the backend is reachable through it (`* = host=… port=…`). The backend's superuser logs in
/// without a password (and is the admin user of the `pgbouncer` console database); the backend's login roles log
/// in with their passwords by their own method (password, md5, scram-sha-256), as on the backend itself.
/// When run as root, pgbouncer runs as `postgres`: it refuses root, as the server does.
public final class LocalPgBouncer: @unchecked Sendable {
    public enum PoolMode: String, Sendable, CaseIterable {
        /// A server connection per client connection, for the client's whole session.
        case session
        /// A server connection per transaction: session state (prepared statements, SET) does not survive.
        case transaction
        /// A server connection per statement; multi-statement transactions are refused.
        case statement
    }

    public struct Options: Sendable {
        public var poolMode: PoolMode = .session
        /// Client connections pgbouncer accepts in all (`max_client_conn`).
        public var maxClientConnections: Int = 200
        /// Server connections per database and user pair (`default_pool_size`).
        public var defaultPoolSize: Int = 20
        /// Extra `[pgbouncer]` section lines, e.g. `server_reset_query = DISCARD ALL`.
        public var extraConfiguration: [String] = []
        /// The port pgbouncer connects to instead of the backend's own (e.g. a fault proxy in front of it).
        public var backendPort: Int?
        public init(poolMode: PoolMode = .session) {
            self.poolMode = poolMode
        }
    }

    public let host = "127.0.0.1"
    public private(set) var port: Int = 0
    public let backend: LocalPostgres
    public let options: Options
    /// The console database where `SHOW POOLS` and friends work, for `adminUser`.
    public let adminDatabase = "pgbouncer"
    public var adminUser: String { backend.superuser }
    public let executable: String
    /// The temporary directory holding the configuration, the log and the Unix socket.
    public let baseDirectory: String
    public var configurationFile: String { baseDirectory + "/pgbouncer.ini" }
    public var logFile: String { baseDirectory + "/pgbouncer.log" }
    public var socketDirectory: String { baseDirectory }
    private var pidFile: String { baseDirectory + "/pgbouncer.pid" }

    private let owner: String?
    private let stateLock = NSLock()
    /// The spawned child (pgbouncer itself, or `runuser` when we are root); nil when not running.
    private var child: pid_t?

    private init(backend: LocalPostgres, options: Options, executable: String, baseDirectory: String,
                 owner: String?)
    {
        self.backend = backend
        self.options = options
        self.executable = executable
        self.baseDirectory = baseDirectory
        self.owner = owner
    }

    /// Where pgbouncer is: `PGSWARM_PGBOUNCER`, Debian's /usr/sbin/pgbouncer, else the PATH.
    public static func locateExecutable(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> String
    {
        var candidates: [String] = []
        if let override = environment["PGSWARM_PGBOUNCER"] { candidates.append(override) }
        candidates.append("/usr/sbin/pgbouncer")
        candidates += (environment["PATH"] ?? "/usr/local/bin:/usr/bin").split(separator: ":").map {
            "\($0)/pgbouncer"
        }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw LocalClusterError.pgbouncerNotFound(searched: candidates)
    }

    /// Starts a pgbouncer for `backend` in `poolMode`, with the rest of `options`.
    public static func start(backend: LocalPostgres, poolMode: PoolMode, options: Options = Options()) throws
        -> LocalPgBouncer
    {
        var options = options
        options.poolMode = poolMode
        return try start(backend: backend, options: options)
    }

    /// Configures and starts a pgbouncer for `backend`; retries on another port when the chosen one was taken.
    public static func start(backend: LocalPostgres, options: Options = Options()) throws -> LocalPgBouncer {
        let executable = try locateExecutable()
        // Each client costs pgbouncer a descriptor (and a server connection another); it inherits our limit.
        raiseOpenFileLimit(toAtLeast: options.maxClientConnections + options.defaultPoolSize + 64)
        let owner: String? = Subprocess.isRoot ? "postgres" : nil
        let base = try makeTemporaryDirectory(prefix: "/tmp/pgswarm-pgb-", owner: owner)
        // From here on, `bouncer.stop()` (or its deinit) removes the directory on any failure.
        let bouncer = LocalPgBouncer(backend: backend, options: options, executable: executable,
                                     baseDirectory: base, owner: owner)
        var lastError: Error = LocalClusterError.notStarted("no attempt made")
        for _ in 0..<5 {
            do {
                bouncer.port = try findFreePort()
                try bouncer.writeConfiguration()
                try bouncer.launch()
                return bouncer
            } catch {
                lastError = error
                bouncer.terminateChild()
            }
        }
        bouncer.stop()
        throw lastError
    }

    /// Raises this process's soft RLIMIT_NOFILE (which children inherit) towards `wanted`, up to the hard limit.
    static func raiseOpenFileLimit(toAtLeast wanted: Int) {
        var limits = rlimit()
        guard getrlimit(openFilesResource, &limits) == 0, limits.rlim_cur < rlim_t(wanted) else { return }
        limits.rlim_cur = min(limits.rlim_max, rlim_t(wanted))
        _ = setrlimit(openFilesResource, &limits)
    }

    #if canImport(Glibc)
    private static let openFilesResource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let openFilesResource = RLIMIT_NOFILE
    #endif

    /// Runs SQL through pgbouncer with psql over TCP and returns what it printed (unaligned, tuples only).
    /// Throws with psql's message when the SQL fails.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres", user: String? = nil, password: String? = nil)
        throws -> String
    {
        var environment: [String: String] = [:]
        if let password { environment["PGPASSWORD"] = password }
        return try Subprocess.check(
            [backend.binaries.psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host,
             "-p", String(port), "-U", user ?? backend.superuser, "-d", database, "-c", sql],
            environment: environment
        )
    }

    /// Runs a console command (`SHOW POOLS`, `RELOAD`…) in the admin database and returns its output.
    @discardableResult
    public func admin(_ command: String) throws -> String {
        try psql(command, database: adminDatabase, user: adminUser)
    }

    /// Ends pgbouncer and removes its directory. Safe to call twice.
    public func stop() {
        terminateChild()
        try? FileManager.default.removeItem(atPath: baseDirectory)
    }

    deinit { stop() }

    // MARK: Setting up

    static func makeTemporaryDirectory(prefix: String, owner: String?) throws -> String {
        var template = Array((prefix + "XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw LocalClusterError.notStarted("cannot create a temporary directory in /tmp")
        }
        let path = String(cString: made)
        if let owner { try Subprocess.check(["/bin/chown", owner, path]) }
        return path
    }

    private func writeConfiguration() throws {
        let ini = [
            "[databases]",
            "* = host=\(backend.host) port=\(options.backendPort ?? backend.port)",
            "",
            "[pgbouncer]",
            "listen_addr = \(host)",
            "listen_port = \(port)",
            "unix_socket_dir = \(socketDirectory)",
            "pidfile = \(pidFile)",
            "logfile = \(logFile)",
            "auth_type = hba",
            "auth_hba_file = \(baseDirectory)/hba.conf",
            "auth_file = \(baseDirectory)/userlist.txt",
            "admin_users = \(adminUser)",
            "pool_mode = \(options.poolMode.rawValue)",
            "max_client_conn = \(options.maxClientConnections)",
            "default_pool_size = \(options.defaultPoolSize)",
            // Clients such as JDBC send these; accepting them keeps the rig usable by any client.
            "ignore_startup_parameters = extra_float_digits,options",
            "log_connections = 0",
            "log_disconnections = 0",
        ] + options.extraConfiguration
        try write(ini.joined(separator: "\n") + "\n", to: configurationFile)

        // Passwords in clear: pgbouncer then answers each method itself, and logs in to the backend with SCRAM
        // or md5 as the backend asks. A trust user must still be listed.
        var userlist = ["\"\(backend.superuser)\" \"\""]
        var hba: [String] = []
        for role in backend.loginRoles {
            userlist.append("\"\(role.user)\" \"\(role.password)\"")
            hba.append("host all \(role.user) 127.0.0.1/32 \(role.method)")
        }
        hba += ["host all all 127.0.0.1/32 trust", "local all all trust"]
        try write(userlist.joined(separator: "\n") + "\n", to: baseDirectory + "/userlist.txt")
        try write(hba.joined(separator: "\n") + "\n", to: baseDirectory + "/hba.conf")
    }

    private func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        if let owner { try Subprocess.check(["/bin/chown", owner, path]) }
    }

    /// Whether pgbouncer still accepts connections (false once it has died).
    public var isAcceptingConnections: Bool { LocalCluster.isAcceptingConnections(port: port) }

    /// Spawns pgbouncer in the foreground and waits (at most 15 s) until it accepts connections.
    private func launch() throws {
        try? FileManager.default.removeItem(atPath: pidFile)
        let pid = try Subprocess.spawn([executable, configurationFile], asUser: owner,
                                       outputPath: baseDirectory + "/stdout.log")
        stateLock.withLock { child = pid }
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if Subprocess.hasExited(pid) {
                stateLock.withLock { child = nil }
                throw LocalClusterError.notStarted("pgbouncer exited: " + recentLog())
            }
            if LocalCluster.isAcceptingConnections(port: port) { return }
            usleep(20_000)
        }
        throw LocalClusterError.notStarted("pgbouncer did not accept connections within 15 s: " + recentLog())
    }

    private func recentLog() -> String {
        let log = (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? ""
        let stdout = (try? String(contentsOfFile: baseDirectory + "/stdout.log", encoding: .utf8)) ?? ""
        return String((log.isEmpty ? stdout : log).suffix(600))
    }

    private func terminateChild() {
        let pid = stateLock.withLock { () -> pid_t? in
            defer { child = nil }
            return child
        }
        guard let pid else { return }
        // Under runuser, signal pgbouncer itself as well: it writes its PID file once it listens.
        let serverPID = (try? String(contentsOfFile: pidFile, encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        Subprocess.terminate(pid, alsoSignal: serverPID)
    }
}
