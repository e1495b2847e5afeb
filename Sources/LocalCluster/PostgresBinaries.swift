import Foundation

/// Where the machine's PostgreSQL server programs live.
///
/// Debian installs them under /usr/lib/postgresql/<major>/bin, outside PATH; other systems put them on PATH.
/// `PGSWARM_PG_BINDIR` overrides the search.
public struct PostgresBinaries: Sendable {
    public let directory: String

    public var initdb: String { directory + "/initdb" }
    public var pgCtl: String { directory + "/pg_ctl" }
    public var postgres: String { directory + "/postgres" }
    public var psql: String { directory + "/psql" }
    public var pgbench: String { directory + "/pgbench" }

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> PostgresBinaries
    {
        var candidates: [String] = []
        if let override = environment["PGSWARM_PG_BINDIR"] { candidates.append(override) }
        let debianRoot = "/usr/lib/postgresql"
        if let majors = try? FileManager.default.contentsOfDirectory(atPath: debianRoot) {
            // Newest major first: "9.6" < "15" compares numerically on the leading integer.
            let sorted = majors.sorted { (Double($0) ?? 0) > (Double($1) ?? 0) }
            candidates += sorted.map { "\(debianRoot)/\($0)/bin" }
        }
        candidates += (environment["PATH"] ?? "/usr/local/bin:/usr/bin").split(separator: ":").map(String.init)
        for directory in candidates where FileManager.default.isExecutableFile(atPath: directory + "/initdb") {
            return PostgresBinaries(directory: directory)
        }
        throw LocalClusterError.binariesNotFound(searched: candidates)
    }
}
