import Connection
import Engine
import Foundation
import LocalCluster
import PgbenchCLI
import Workload

/// What the integration tests of several modules share: pgbench's tables in a database of the shared test cluster,
/// reached directly or through the shared PgBouncer, and a run's usual configuration.
package enum RunRig {
    /// A database of our own in the shared test cluster, initialised at scale 1 once.
    package static func initialisedDatabase() async throws -> ConnectionSettings {
        let pg = try await TestPostgres.shared()
        let settings = ConnectionSettings(endpoint: .tcp(host: pg.host, port: pg.port), user: pg.superuser,
                                          database: "engine_tests")
        try DatabaseOnce.run {
            try pg.psql("DROP DATABASE IF EXISTS engine_tests")
            try pg.psql("CREATE DATABASE engine_tests")
        }
        try await InitOnce.run {
            var options = InitOptions()
            options.scale = 1
            try await PgbenchInit.run(connection: settings, options: options, print: { _ in })
        }
        return settings
    }

    /// A run of `clients` clients on two threads, without pgbench's vacuum, writing into a directory of its own.
    package static func configuration(_ settings: ConnectionSettings, clients: Int, limit: RunConfiguration.Limit)
        -> RunConfiguration
    {
        var configuration = RunConfiguration(connection: settings)
        configuration.clients = clients
        configuration.threads = 2
        configuration.limit = limit
        configuration.noVacuum = true
        configuration.outputDirectory = temporaryDirectory()
        return configuration
    }

    package static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "pgswarm-engine-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The initialised database, reached through the shared bouncer of a pool mode.
    package static func bouncerSettings(poolMode: LocalPgBouncer.PoolMode) async throws -> ConnectionSettings {
        _ = try await initialisedDatabase()
        let bouncer = try await TestPgBouncer.shared(poolMode: poolMode)
        var settings = ConnectionSettings(endpoint: .tcp(host: bouncer.host, port: bouncer.port),
                                          user: bouncer.backend.superuser, database: "engine_tests")
        // PgBouncer without client TLS answers "N"; asking costs a round trip per connection for nothing.
        settings.sslMode = .disable
        return settings
    }

    /// A workload spec shipped in Workloads/.
    package static func workloadSpec(_ name: String) throws -> WorkloadSpec {
        try WorkloadSpec.load(path: workloads.appendingPathComponent(name).path)
    }

    /// The repository's Workloads/ folder.
    package static let workloads = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Workloads")
}

/// Collects printed lines from the engine's printer across threads.
package final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    package init() {}
    package func append(_ line: String) { lock.withLock { lines.append(line) } }
    package var text: String { lock.withLock { lines.joined(separator: "\n") } }
}

/// Runs a setup closure once per process.
package enum DatabaseOnce {
    nonisolated(unsafe) private static var done = false
    private static let lock = NSLock()
    package static func run(_ body: () throws -> Void) throws {
        try lock.withLock {
            if done { return }
            try body()
            done = true
        }
    }
}

package actor InitOnceActor {
    private var task: Task<Void, any Error>?
    package func run(_ body: @escaping @Sendable () async throws -> Void) async throws {
        if let task { return try await task.value }
        let task = Task { try await body() }
        self.task = task
        try await task.value
    }
}

package enum InitOnce {
    package static let actor = InitOnceActor()
    package static func run(_ body: @escaping @Sendable () async throws -> Void) async throws {
        try await actor.run(body)
    }
}
