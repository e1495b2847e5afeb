#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Connection

/// Every connection is a file descriptor, so a run's connection count is bounded by RLIMIT_NOFILE. The soft limit is
/// often 1,024 while the hard limit is far higher; like most servers and load generators, pgswarm raises the soft
/// limit to the hard one before a run, and refuses a run that cannot fit with a message that says what to raise.
enum OpenFileLimit {
    /// Descriptors besides connections: the event loops' epoll and eventfds, the hlog, stdio, Foundation's own.
    static let reserve = 64

    /// Raises the soft limit to the hard limit (capped so that a hard limit of "unlimited" stays sane); returns the
    /// soft limit in force afterwards.
    @discardableResult
    static func raiseToHardLimit() -> Int {
        var limits = rlimit()
        guard getrlimit(resourceLimit, &limits) == 0 else { return Int.max }
        let wanted = min(limits.rlim_max, rlim_t(1 << 20))
        if limits.rlim_cur < wanted {
            var raised = limits
            raised.rlim_cur = wanted
            if setrlimit(resourceLimit, &raised) == 0 { return Int(wanted) }
        }
        return Int(clamping: limits.rlim_cur)
    }

    /// Connections a run holds at once: what companions hold before the clients start (a storm closes its own
    /// first), or the clients and what companions hold beside them.
    static func connectionsNeeded(_ configuration: RunConfiguration, companions: [any RunCompanion]) -> Int {
        let clients = max(configuration.clients,
                          configuration.phases.map { max($0.clientsFrom, $0.clientsTo) }.max() ?? 0)
        let before = companions.map(\.connectionsBeforeClients).max() ?? 0
        return max(before, clients + companions.map(\.connectionsBesideClients).reduce(0, +))
    }

    /// Raises the limit and throws a usage error when the run still cannot hold its connections.
    static func ensureRoom(for configuration: RunConfiguration, companions: [any RunCompanion]) throws {
        let held = connectionsNeeded(configuration, companions: companions)
        let needed = held + reserve
        let limit = raiseToHardLimit()
        if needed > limit {
            throw PgswarmError(.usage, "this run holds up to \(held) connections, but the "
                + "open-files limit is \(limit) (hard limit included); raise it (e.g. `ulimit -n \(needed)` as root "
                + "or in /etc/security/limits.conf) or run fewer connections")
        }
    }

    #if canImport(Glibc)
    private static let resourceLimit = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceLimit = RLIMIT_NOFILE
    #endif
}
