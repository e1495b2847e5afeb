import Connection

/// Every option `pgswarm run` and `pgswarm init` accept: pgbench 15's, spelled as pgbench spells them, and
/// pgswarm's own (long only). The argument normaliser reads it to split pgbench's getopt forms; the CLI declares
/// the same names.
public struct PgbenchOptionSpec: Sendable, Equatable {
    /// Which of pgbench's two modes an option belongs to; pgbench refuses an option of the other mode.
    public enum Mode: Sendable, Equatable {
        case benchmark, initialize, both
    }

    public let long: String
    public let short: Character?
    public let takesValue: Bool
    public let mode: Mode

    package init(_ long: String, short: Character? = nil, value: Bool = false, _ mode: Mode) {
        self.long = long
        self.short = short
        self.takesValue = value
        self.mode = mode
    }

    /// "-c/--client" or "--max-tries", for messages.
    public var displayName: String {
        short.map { "-\($0)/--\(long)" } ?? "--\(long)"
    }
}

public enum PgbenchOptionTable {
    public static let all: [PgbenchOptionSpec] = [
        // Initialisation (pgbench -i).
        .init("initialize", short: "i", .both),
        .init("init-steps", short: "I", value: true, .initialize),
        .init("fillfactor", short: "F", value: true, .initialize),
        .init("quiet", short: "q", .initialize),
        .init("foreign-keys", .initialize),
        .init("index-tablespace", value: true, .initialize),
        .init("partition-method", value: true, .initialize),
        .init("partitions", value: true, .initialize),
        .init("tablespace", value: true, .initialize),
        .init("unlogged-tables", .initialize),
        // Both modes.
        .init("no-vacuum", short: "n", .both),
        .init("scale", short: "s", value: true, .both),
        .init("debug", short: "d", .both),
        .init("host", short: "h", value: true, .both),
        .init("port", short: "p", value: true, .both),
        .init("username", short: "U", value: true, .both),
        .init("version", short: "V", .both),
        .init("help", short: "?", .both),
        // Benchmarking.
        .init("builtin", short: "b", value: true, .benchmark),
        .init("file", short: "f", value: true, .benchmark),
        .init("skip-some-updates", short: "N", .benchmark),
        .init("select-only", short: "S", .benchmark),
        .init("client", short: "c", value: true, .benchmark),
        .init("connect", short: "C", .benchmark),
        .init("define", short: "D", value: true, .benchmark),
        .init("jobs", short: "j", value: true, .benchmark),
        .init("log", short: "l", .benchmark),
        .init("latency-limit", short: "L", value: true, .benchmark),
        .init("protocol", short: "M", value: true, .benchmark),
        .init("progress", short: "P", value: true, .benchmark),
        .init("report-per-command", short: "r", .benchmark),
        .init("report-latencies", .benchmark),
        .init("rate", short: "R", value: true, .benchmark),
        .init("transactions", short: "t", value: true, .benchmark),
        .init("time", short: "T", value: true, .benchmark),
        .init("vacuum-all", short: "v", .benchmark),
        .init("aggregate-interval", value: true, .benchmark),
        .init("failures-detailed", .benchmark),
        .init("log-prefix", value: true, .benchmark),
        .init("max-tries", value: true, .benchmark),
        .init("progress-timestamp", .benchmark),
        .init("random-seed", value: true, .benchmark),
        .init("sampling-rate", value: true, .benchmark),
        .init("show-script", value: true, .benchmark),
        .init("verbose-errors", .benchmark),
        // pgbench 18.
        .init("continue-on-error", .benchmark),
        // pgswarm's own, long only.
        .init("dbname", value: true, .both),
        .init("application-name", value: true, .both),
        .init("protocol-version", value: true, .both),
        .init("sslmode", value: true, .both),
        .init("sslrootcert", value: true, .both),
        .init("out", value: true, .benchmark),
        .init("temp-postgres", .benchmark),
        .init("shard", value: true, .benchmark),
        .init("start-at", value: true, .benchmark),
        .init("report", .benchmark),
        .init("reconnect", value: true, .benchmark),
        .init("io", value: true, .benchmark),
        .init("cpu-steering", value: true, .benchmark),
        .init("start-clients", value: true, .benchmark),
        .init("idle-connections", value: true, .benchmark),
        .init("connect-storm", value: true, .benchmark),
        .init("cancel-fraction", value: true, .benchmark),
        .init("cancel-delay", value: true, .benchmark),
        .init("storm-rate", value: true, .benchmark),
        .init("idle-in-transaction", .benchmark),
        .init("state-leak-check", .benchmark),
        .init("scram-cache", .benchmark),
        .init("cancel-close-immediately", .benchmark),
        .init("probe", value: true, .benchmark),
        .init("probe-rounds", value: true, .benchmark),
        .init("probe-clients", value: true, .benchmark),
        .init("probe-storm", value: true, .benchmark),
        .init("pooler-stats", value: true, .benchmark),
        .init("dry-run", .both),
    ]

    package static let byShort: [Character: PgbenchOptionSpec] = Dictionary(
        uniqueKeysWithValues: all.compactMap { spec in spec.short.map { ($0, spec) } }
    )
    package static let byLong: [String: PgbenchOptionSpec] = Dictionary(uniqueKeysWithValues: all.map { ($0.long, $0) })

    /// getopt_long's rule: an exact name, or a prefix of exactly one name.
    package static func lookUpLong(_ name: String) throws(PgswarmError) -> PgbenchOptionSpec {
        if let exact = byLong[name] { return exact }
        let candidates = all.filter { $0.long.hasPrefix(name) }
        if candidates.count == 1 { return candidates[0] }
        if candidates.isEmpty {
            throw PgswarmError(.usage, "unrecognized option '--\(name)'")
        }
        let names = candidates.map { "'--\($0.long)'" }.joined(separator: " ")
        throw PgswarmError(.usage, "option '--\(name)' is ambiguous; possibilities: \(names)")
    }
}
