import Foundation
import LocalCluster

/// One throwaway cluster per test process, started on first use and stopped when the process exits.
///
/// Tests share it (Swift Testing runs them in parallel), so a test that needs its own schema should create
/// objects under names of its own, or create a database: `try pg.psql("CREATE DATABASE x")`.
public enum TestPostgres {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cluster: LocalPostgres?
    nonisolated(unsafe) private static var startError: Error?

    public static func shared() async throws -> LocalPostgres {
        try sharedSync()
    }

    public static func sharedSync() throws -> LocalPostgres {
        try lock.withLock {
            if let cluster { return cluster }
            if let startError { throw startError }
            do {
                let started = try LocalPostgres.start()
                cluster = started
                atexit { TestPostgres.stopShared() }
                return started
            } catch {
                startError = error
                throw error
            }
        }
    }

    private static func stopShared() {
        cluster?.stop()
    }
}
