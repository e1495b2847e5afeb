/// The spec's `[probe]` table: pooler-correctness probes run beside the workload (`--probe` on the command line).
///
/// ```toml
/// [probe]
/// names = ["negotiation", "pipeline"]   # or "all"
/// rounds = 3        # rounds per probe connection
/// clients = 2       # probe connections at once
/// storm = 40        # negotiation: then this many connections at once
/// timeout = "10s"   # the longest wait for any one reply
/// pooler_stats = true   # poll PgBouncer's admin console at the run's address (or "HOST:PORT")
/// ```
public struct SpecProbe: Sendable, Equatable {
    /// Probe names as written, checked against `knownNames`; "all" is expanded.
    public var names: [String]
    public var rounds: Int?
    public var clients: Int?
    public var storm: Int?
    public var timeoutSeconds: Double?
    public var poolerStats: Bool = false
    public var poolerStatsAddress: String?

    public init(names: [String], rounds: Int? = nil, clients: Int? = nil, storm: Int? = nil,
                timeoutSeconds: Double? = nil)
    {
        self.names = names
        self.rounds = rounds
        self.clients = clients
        self.storm = storm
        self.timeoutSeconds = timeoutSeconds
    }

    /// The probes the engine knows (its `ProbeName`s); kept here so a spec's mistake is reported at its line.
    public static let knownNames = ["negotiation", "pipeline", "copy", "notify", "prepared-churn", "faults"]
    static let keys = ["names", "rounds", "clients", "storm", "timeout", "pooler_stats"]
}

extension WorkloadSpecParser {
    func probe(_ root: SpecTable) throws(WorkloadError) -> SpecProbe? {
        guard let table = try root.table("probe", title: "[probe]") else { return nil }
        try table.checkKeys(SpecProbe.keys)
        var poolerStats = false
        var poolerStatsAddress: String?
        switch table.entries["pooler_stats"] {
        case nil: break
        case .boolean(let value)?: poolerStats = value
        case .string(let address)?: (poolerStats, poolerStatsAddress) = (true, address)
        case let value?: throw table.typeError("pooler_stats", expected: "true, false or \"HOST:PORT\"", got: value)
        }
        guard let written = try table.stringList("names") ?? (poolerStats ? [] : nil) else {
            throw context.error(at: table.path, atKey: true, "[probe] needs names (e.g. names = [\"negotiation\"])")
        }
        var names: [String] = []
        for (index, name) in written.enumerated() {
            if name == "all" {
                names = SpecProbe.knownNames
            } else if SpecProbe.knownNames.contains(name) {
                if !names.contains(name) { names.append(name) }
            } else {
                let path = table.entries["names"].map { if case .array = $0 { "[\(index)]" } else { "" } } ?? ""
                let known = SpecProbe.knownNames.joined(separator: ", ")
                throw context.error(at: table.keyPath("names") + path,
                                    "unknown probe \"\(name)\" (known: \(known), all)")
            }
        }
        var probe = SpecProbe(
            names: names,
            rounds: try table.integer("rounds", minimum: 1),
            clients: try table.integer("clients", minimum: 1),
            storm: try table.integer("storm", minimum: 0),
            timeoutSeconds: try table.duration("timeout")
        )
        probe.poolerStats = poolerStats
        probe.poolerStatsAddress = poolerStatsAddress
        return probe
    }
}
