import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the resolver reads from outside the command line: the environment variables, the login name, the home
/// directory, the default socket directory and the password file. Tests pass their own.
public struct ConnectionEnvironment: Sendable {
    public var variables: [String: String]
    /// The operating-system user name: libpq's default user.
    public var osUserName: String
    /// Where `.pgpass` is looked for when PGPASSFILE is not set.
    public var homeDirectory: String?
    /// Debian's libpq uses /var/run/postgresql; elsewhere (or when it does not exist) /tmp.
    public var defaultSocketDirectory: String
    public var readPasswordFile: @Sendable (String) -> PgPass.FileStatus

    public init(
        variables: [String: String],
        osUserName: String,
        homeDirectory: String?,
        defaultSocketDirectory: String,
        readPasswordFile: @escaping @Sendable (String) -> PgPass.FileStatus = PgPass.read(path:)
    ) {
        self.variables = variables
        self.osUserName = osUserName
        self.homeDirectory = homeDirectory
        self.defaultSocketDirectory = defaultSocketDirectory
        self.readPasswordFile = readPasswordFile
    }

    /// This process's environment, user and home directory.
    public static func current() -> ConnectionEnvironment {
        let variables = ProcessInfo.processInfo.environment
        let account = getpwuid(geteuid())
        let osUser = account.map { String(cString: $0.pointee.pw_name) } ?? variables["USER"] ?? "postgres"
        let passwdHome = account.map { String(cString: $0.pointee.pw_dir) }
        let home = variables["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? passwdHome
        return ConnectionEnvironment(
            variables: variables,
            osUserName: osUser,
            homeDirectory: home,
            defaultSocketDirectory: isDirectory("/var/run/postgresql") ? "/var/run/postgresql" : "/tmp"
        )
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
