/// Why a throwaway cluster could not be set up; each case reads as one line a user can act on.
public enum LocalClusterError: Error, CustomStringConvertible {
    case binariesNotFound(searched: [String])
    case pgbouncerNotFound(searched: [String])
    case commandFailed(command: String, status: Int32, output: String)
    case noFreePort
    case notStarted(String)

    public var description: String {
        switch self {
        case .binariesNotFound(let searched):
            return "no PostgreSQL server binaries found (looked in \(searched.joined(separator: ", "))); "
                + "install them, e.g. `apt-get install -y postgresql`, or set PGSWARM_PG_BINDIR"
        case .pgbouncerNotFound(let searched):
            return "no pgbouncer found (looked in \(searched.joined(separator: ", "))); "
                + "install it, e.g. `apt-get install -y pgbouncer`, or set PGSWARM_PGBOUNCER to its path"
        case .commandFailed(let command, let status, let output):
            let lastLines = output.split(separator: "\n").suffix(5).joined(separator: "\n    ")
            return "`\(command)` exited with status \(status):\n    \(lastLines)"
        case .noFreePort:
            return "no free TCP port found on 127.0.0.1 for a temporary server"
        case .notStarted(let why):
            return "the temporary server did not start: \(why)"
        }
    }
}
