import Foundation
import LocalCluster
import TestSupport

/// The server the pgbench oracle tests run pgbench against: LocalCluster's shared throwaway cluster.
struct OracleServer: Sendable {
    let host: String
    let port: Int

    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    static var binaries: PostgresBinaries? { try? PostgresBinaries.locate() }

    static var pgbenchPath: String? {
        ProcessRunner.firstExisting((binaries.map { [$0.pgbench] } ?? []) + ["/usr/bin/pgbench"])
    }

    /// True when the machine has PostgreSQL's server binaries and pgbench.
    static var isAvailable: Bool { binaries != nil && pgbenchPath != nil }

    static func shared() throws -> OracleServer {
        let cluster = try TestPostgres.sharedSync()
        return OracleServer(host: cluster.host, port: cluster.port)
    }
}
