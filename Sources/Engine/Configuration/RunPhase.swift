/// One phase of a run described by a workload spec: warmup (not recorded), ramp or steady. Phases run in order;
/// the run's length is the sum of their durations.
public struct RunPhase: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// Load as configured, but nothing recorded: caches warm up, connections open.
        case warmup
        /// Clients and/or rate move linearly from their `from` to their `to` value over the phase.
        case ramp
        /// Constant load.
        case steady
    }

    public var name: String
    public var kind: Kind
    public var durationSeconds: Double
    /// Active clients at the start and at the end of the phase (equal unless ramping).
    public var clientsFrom: Int
    public var clientsTo: Int
    /// Target rate (tx/s) at the start and end of the phase; nil for closed loop.
    public var rateFrom: Double?
    public var rateTo: Double?

    public init(name: String, kind: Kind, durationSeconds: Double, clients: Int, rate: Double? = nil) {
        self.init(name: name, kind: kind, durationSeconds: durationSeconds, clientsFrom: clients, clientsTo: clients,
                  rateFrom: rate, rateTo: rate)
    }

    public init(name: String, kind: Kind, durationSeconds: Double, clientsFrom: Int, clientsTo: Int,
                rateFrom: Double?, rateTo: Double?)
    {
        self.name = name
        self.kind = kind
        self.durationSeconds = durationSeconds
        self.clientsFrom = clientsFrom
        self.clientsTo = clientsTo
        self.rateFrom = rateFrom
        self.rateTo = rateTo
    }

    public var records: Bool { kind != .warmup }
}
