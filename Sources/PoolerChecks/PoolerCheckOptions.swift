import Engine

/// What runs beside the clients to stress or check a pooler, as the command line and a spec's `[pooler]` and
/// `[probe]` tables ask for it; `companions` turns it into the run's companions.
public struct PoolerCheckOptions: Sendable, Equatable {
    /// `--connect-storm N`: open N connections before the clients start, timing each; `--storm-rate` per second
    /// (nil: as fast as the server accepts them).
    public var connectStorm = 0
    public var stormRate: Double?
    /// `--idle-connections M`: connections opened before the run that stay idle while the clients work;
    /// `--idle-in-transaction`: each inside an open transaction (BEGIN), as a leaky pool's would be.
    public var idleConnections = 0
    public var idleInTransaction = false
    /// `--state-leak-check`: a few connections SET a marker and others look for it (see `StateLeakProbe`).
    public var stateLeakCheck = false
    /// `--probe NAME[,NAME]` and `--pooler-stats`.
    public var probes = ProbeOptions()

    public init() {}

    /// The companions these options ask for, in the order they start.
    public var companions: [any RunCompanion] {
        var companions: [any RunCompanion] = []
        if probes.poolerStats { companions.append(PoolerStatsCompanion(address: probes.poolerStatsAddress)) }
        if connectStorm > 0 { companions.append(ConnectionStormCompanion(count: connectStorm, rate: stormRate)) }
        if idleConnections > 0 {
            companions.append(IdleHordeCompanion(count: idleConnections, inTransaction: idleInTransaction))
        }
        if stateLeakCheck { companions.append(StateLeakCompanion()) }
        if !probes.names.isEmpty { companions.append(ProbesCompanion(options: probes)) }
        return companions
    }
}
