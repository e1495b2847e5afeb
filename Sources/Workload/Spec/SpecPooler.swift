/// `[pooler]`: the connection behaviours that stress a pooler, as named items of the spec. Each maps to a run
/// option (`connect_storm` is `--connect-storm`, ...); nil means the spec does not ask for it, and an option given
/// on the command line wins over the spec's value.
public struct SpecPooler: Sendable, Equatable {
    /// Connections opened and timed before the run.
    public var connectStorm: Int?
    /// Storm connections per second (absent: as fast as the server accepts them).
    public var stormRate: Double?
    /// Connections held idle during the run.
    public var idleConnections: Int?
    /// The idle connections sit inside an open transaction.
    public var idleInTransaction: Bool?
    /// Fraction (0...1) of transactions that get a CancelRequest.
    public var cancelFraction: Double?
    /// How long after a transaction starts its cancel is sent, in seconds; with `cancelDelayMaxSeconds`
    /// (`cancel_delay = { from, to }`) each cancel's delay is drawn between the two.
    public var cancelDelaySeconds: Double?
    public var cancelDelayMaxSeconds: Double?
    /// Run the session-state-leak probe beside the clients.
    public var stateLeakCheck: Bool?

    public init(
        connectStorm: Int? = nil,
        stormRate: Double? = nil,
        idleConnections: Int? = nil,
        idleInTransaction: Bool? = nil,
        cancelFraction: Double? = nil,
        cancelDelaySeconds: Double? = nil,
        stateLeakCheck: Bool? = nil
    ) {
        self.connectStorm = connectStorm
        self.stormRate = stormRate
        self.idleConnections = idleConnections
        self.idleInTransaction = idleInTransaction
        self.cancelFraction = cancelFraction
        self.cancelDelaySeconds = cancelDelaySeconds
        self.stateLeakCheck = stateLeakCheck
    }

    /// True when the table asks for no behaviour (absent, or only `false` flags): the refinements (`storm_rate`,
    /// `idle_in_transaction`, `cancel_delay`) cannot be given without the behaviour they refine.
    public var isEmpty: Bool {
        connectStorm == nil && idleConnections == nil && cancelFraction == nil && stateLeakCheck != true
    }

    /// One line for `pgswarm check`, e.g. `connect storm 200 at 100/s; idle connections 50 in transaction`.
    public func describe() -> String {
        var parts: [String] = []
        if let connectStorm {
            parts.append("connect storm \(connectStorm)" + (stormRate.map { " at \(Self.number($0))/s" } ?? " at once"))
        }
        if let idleConnections {
            parts.append("idle connections \(idleConnections)" + (idleInTransaction == true ? " in transaction" : ""))
        }
        if let cancelFraction {
            var delay = cancelDelaySeconds.map { WorkloadSpec.formatDuration($0) } ?? "1ms"
            if let cancelDelayMaxSeconds { delay += "-" + WorkloadSpec.formatDuration(cancelDelayMaxSeconds) }
            parts.append("cancel \(Self.number(cancelFraction * 100))% of transactions after \(delay)")
        }
        if stateLeakCheck == true { parts.append("state-leak check") }
        return parts.isEmpty ? "nothing" : parts.joined(separator: "; ")
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

extension WorkloadSpecParser {
    static let poolerKeys = [
        "connect_storm", "storm_rate", "idle_connections", "idle_in_transaction", "cancel_fraction", "cancel_delay",
        "state_leak_check",
    ]

    /// `[pooler]`, every value checked where it was written; settings that only refine another (`storm_rate`,
    /// `idle_in_transaction`, `cancel_delay`) are refused without it, since alone they would do nothing.
    func pooler(_ root: SpecTable) throws(WorkloadError) -> SpecPooler {
        guard let table = try root.table("pooler", title: "[pooler]") else { return SpecPooler() }
        try table.checkKeys(Self.poolerKeys)
        var pooler = SpecPooler()
        pooler.connectStorm = try table.integer("connect_storm", minimum: 1)
        pooler.stormRate = try table.positiveNumber("storm_rate")
        pooler.idleConnections = try table.integer("idle_connections", minimum: 1)
        pooler.idleInTransaction = try table.boolean("idle_in_transaction")
        if let value = table.entries["cancel_fraction"] {
            let fraction: Double
            switch value {
            case .integer(let number): fraction = Double(number)
            case .float(let number): fraction = number
            default: throw table.typeError("cancel_fraction", expected: "a number from 0 to 1", got: value)
            }
            guard fraction > 0 && fraction <= 1 else {
                throw context.error(
                    at: table.keyPath("cancel_fraction"),
                    "\"cancel_fraction\" in [pooler] must be greater than 0 and at most 1 (a fraction of "
                        + "transactions), not \(SpecPooler.number(fraction))"
                )
            }
            pooler.cancelFraction = fraction
        }
        if case .table = table.entries["cancel_delay"] {
            // A spread of delays: cancels before, during and after the query (see --cancel-delay A-B).
            let inner = try table.table("cancel_delay", title: "cancel_delay of [pooler]")!
            try inner.checkKeys(["from", "to"])
            guard let from = try inner.duration("from"), let to = try inner.duration("to") else {
                throw context.error(at: inner.path, "cancel_delay = { from, to } needs both from and to")
            }
            guard to >= from else {
                throw context.error(at: inner.keyPath("to"), "cancel_delay's to must not be below its from")
            }
            pooler.cancelDelaySeconds = from
            pooler.cancelDelayMaxSeconds = to
        } else {
            pooler.cancelDelaySeconds = try table.duration("cancel_delay")
        }
        pooler.stateLeakCheck = try table.boolean("state_leak_check")

        for (refinement, base) in [("storm_rate", "connect_storm"), ("cancel_delay", "cancel_fraction")]
        where table.has(refinement) && !table.has(base) {
            throw context.error(
                at: table.keyPath(refinement),
                atKey: true,
                "\(refinement) needs \(base) in [pooler]: alone it would do nothing"
            )
        }
        if pooler.idleInTransaction == true && !table.has("idle_connections") {
            throw context.error(
                at: table.keyPath("idle_in_transaction"),
                atKey: true,
                "idle_in_transaction needs idle_connections in [pooler]: alone it would do nothing"
            )
        }
        return pooler
    }
}
