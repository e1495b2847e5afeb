#if canImport(Glibc)
import Glibc
import Connection
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Connections a run holds at once: the connect storm closes its connections before the clients start, while
    /// the idle connections stay open beside them.
    static func connectionsNeeded(_ configuration: RunConfiguration) -> Int {
        let clients = max(configuration.clients,
                          configuration.phases.map { max($0.clientsFrom, $0.clientsTo) }.max() ?? 0)
        return max(configuration.connectStorm, clients + configuration.idleConnections)
    }

    /// Raises the limit and throws a usage error when the run still cannot hold its connections.
    static func ensureRoom(for configuration: RunConfiguration) throws {
        let needed = connectionsNeeded(configuration) + reserve
        let limit = raiseToHardLimit()
        if needed > limit {
            throw PgswarmError(.usage, "this run holds up to \(connectionsNeeded(configuration)) connections, but the "
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
