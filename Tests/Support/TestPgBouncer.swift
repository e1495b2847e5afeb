import Foundation
import LocalCluster

/// One throwaway pgbouncer per pool mode per test process, in front of `TestPostgres.shared()`, started on first
/// use and stopped when the process exits.
public enum TestPgBouncer {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var bouncers: [LocalPgBouncer.PoolMode: LocalPgBouncer] = [:]
    nonisolated(unsafe) private static var startErrors: [LocalPgBouncer.PoolMode: Error] = [:]
    nonisolated(unsafe) private static var registeredExit = false

    public static func shared(poolMode: LocalPgBouncer.PoolMode) async throws -> LocalPgBouncer {
        try sharedSync(poolMode: poolMode)
    }

    public static func sharedSync(poolMode: LocalPgBouncer.PoolMode) throws -> LocalPgBouncer {
        let backend = try TestPostgres.sharedSync()
        return try lock.withLock {
            if let bouncer = bouncers[poolMode] { return bouncer }
            if let error = startErrors[poolMode] { throw error }
            do {
                let started = try LocalPgBouncer.start(backend: backend, options: .init(poolMode: poolMode))
                bouncers[poolMode] = started
                if !registeredExit {
                    registeredExit = true
                    atexit { TestPgBouncer.stopAll() }
                }
                return started
            } catch {
                startErrors[poolMode] = error
                throw error
            }
        }
    }

    private static func stopAll() {
        for bouncer in bouncers.values { bouncer.stop() }
    }
}
