import PGWire
import Synchronization

/// SCRAM's salted password (4,096 rounds of PBKDF2 by default) kept per (password, salt, iterations), shared by all
/// the run's connections (`--scram-cache`), as poolers keep it for their server logins. Without it every login pays
/// the full computation, as an application opening connections does.
package final class SaltedPasswordCache: SCRAMSaltedPasswordCache {
    private struct Key: Hashable {
        var password: String
        var salt: [UInt8]
        var iterations: Int
    }

    private let entries = Mutex<[Key: [UInt8]]>([:])

    package init() {}

    package func saltedPassword(password: String, salt: [UInt8], iterations: Int, compute: () -> [UInt8]) -> [UInt8] {
        let key = Key(password: password, salt: salt, iterations: iterations)
        if let known = entries.withLock({ $0[key] }) { return known }
        // Computed outside the lock: two logins racing both compute it once, nothing worse.
        let value = compute()
        entries.withLock { $0[key] = value }
        return value
    }
}
