import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs helper programs (initdb, pg_ctl, psql, pgbouncer) and captures what they print.
///
/// PostgreSQL's server programs refuse to run as root, so when we are root every command that touches
/// the cluster goes through `runuser -u postgres` (Debian's PostgreSQL packages create that user).
///
/// Built on posix_spawn and waitpid rather than Foundation's `Process`, whose `waitUntilExit` can hang on children
/// that have already exited when called from Swift Testing's concurrent tests.
public enum Subprocess {
    public struct Output: Sendable {
        public var status: Int32
        public var text: String
    }

    public static var isRoot: Bool { geteuid() == 0 }

    /// Runs `arguments` (the first is an absolute path), optionally as `user`, and returns status and output.
    /// Standard output and standard error are merged into a temporary file (not a pipe: pg_ctl leaves the
    /// server running with our descriptors, and a pipe would then never reach end-of-file).
    public static func run(_ arguments: [String], asUser user: String? = nil,
                           environment: [String: String] = [:]) throws -> Output
    {
        let argv = user.map { ["/usr/sbin/runuser", "-u", $0, "--"] + arguments } ?? arguments
        let outputPath = NSTemporaryDirectory() + "pgswarm-subprocess-\(UUID().uuidString).log"
        defer { unlink(outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours leaks into the child: a long-lived server holding a copy of a socket we close would
        // keep that connection open (a test that resets a connection would never see it end).
        closeInheritedDescriptors(&actions)

        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        let envStrings = env.map { "\($0.key)=\($0.value)" }

        var pid: pid_t = 0
        let spawnStatus = withCStrings(argv) { cArgv in
            withCStrings(envStrings) { cEnv in
                posix_spawn(&pid, argv[0], &actions, nil, cArgv, cEnv)
            }
        }
        guard spawnStatus == 0 else {
            throw LocalClusterError.commandFailed(
                command: argv.joined(separator: " "), status: -1,
                output: "cannot start: " + String(cString: strerror(spawnStatus))
            )
        }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) == -1 && errno == EINTR {}
        let exited = (waitStatus & 0x7f) == 0
        let status = exited ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return Output(status: status, text: String(decoding: data, as: UTF8.self))
    }

    /// Starts `arguments` (the first is an absolute path), optionally as `user`, with standard output and standard
    /// error appended to `outputPath`, and returns at once with its process ID; the caller ends it with `terminate`.
    /// For servers we keep in the foreground (pgbouncer) rather than let them daemonise, so that we own their end.
    public static func spawn(_ arguments: [String], asUser user: String? = nil, outputPath: String) throws -> pid_t {
        let argv = user.map { ["/usr/sbin/runuser", "-u", $0, "--"] + arguments } ?? arguments
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)
        // The child inherits the calling thread's signal mask, and NIO's and the test runner's threads block most
        // signals: pgbouncer would then never see the SIGTERM that `terminate` sends. Start it with none blocked
        // and the usual signals at their defaults.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGUSR1, SIGUSR2] { sigaddset(&defaultSignals, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let envStrings = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let spawnStatus = withCStrings(argv) { cArgv in
            withCStrings(envStrings) { cEnv in
                posix_spawn(&pid, argv[0], &actions, &attributes, cArgv, cEnv)
            }
        }
        guard spawnStatus == 0 else {
            throw LocalClusterError.commandFailed(
                command: argv.joined(separator: " "), status: -1,
                output: "cannot start: " + String(cString: strerror(spawnStatus))
            )
        }
        return pid
    }

    /// Whether a child started by `spawn` has exited; reaps it if so.
    public static func hasExited(_ pid: pid_t) -> Bool {
        var waitStatus: Int32 = 0
        let reaped = waitpid(pid, &waitStatus, WNOHANG)
        return reaped == pid || (reaped == -1 && errno == ECHILD)
    }

    /// Ends a child started by `spawn`: SIGTERM, up to `grace` seconds for it to exit, then SIGKILL; always reaps.
    /// `alsoSignal` is the real server's PID when `runuser` stands between us and it.
    public static func terminate(_ pid: pid_t, alsoSignal serverPID: pid_t? = nil, grace: Double = 5) {
        if let serverPID, serverPID > 0 { kill(serverPID, SIGTERM) }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while Date() < deadline {
            if hasExited(pid) { return }
            usleep(20_000)
        }
        if let serverPID, serverPID > 0 { kill(serverPID, SIGKILL) }
        kill(pid, SIGKILL)
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) == -1 && errno == EINTR {}
    }

    /// Runs a command and throws `LocalClusterError.commandFailed` with its output when it exits non-zero.
    @discardableResult
    public static func check(_ arguments: [String], asUser user: String? = nil,
                             environment: [String: String] = [:]) throws -> String
    {
        let output = try run(arguments, asUser: user, environment: environment)
        guard output.status == 0 else {
            throw LocalClusterError.commandFailed(
                command: arguments.joined(separator: " "),
                status: output.status,
                output: output.text
            )
        }
        return output.text
    }

    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}

/// Asks posix_spawn to close every descriptor from 3 up in the child (glibc 2.34's
/// posix_spawn_file_actions_addclosefrom_np, looked up at run time: Swift's Glibc module does not declare it).
/// Without it a child inherits our sockets that lack FD_CLOEXEC, and a long-lived server started while a connection
/// is open keeps that connection alive after we close it.
private func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
    let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
    _ = closeFrom(&actions, 3)
}
