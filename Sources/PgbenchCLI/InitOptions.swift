import Connection

/// What `pgswarm init` (and `pgswarm run -i`) creates: pgbench's initialisation options (`pgbench -i`), checked
/// with pgbench's rules and messages. The engine's `PgbenchInit` executes them.
public struct InitOptions: Sendable, Equatable {
    public enum PartitionMethod: String, Sendable, Equatable, CaseIterable {
        case range, hash
    }

    /// pgbench's step letters: d drop, t create tables, g client-side generate, G server-side generate,
    /// v vacuum, p primary keys, f foreign keys.
    public static let allSteps = "dtgGvpf"
    public static let defaultSteps = "dtgvp"

    /// `-s`: 100,000 accounts, 10 tellers and 1 branch per unit.
    public var scale: Int = 1
    /// `-F`: fill factor of the accounts, tellers and branches tables (10...100).
    public var fillfactor: Int = 100
    /// `-I`: as given; `steps` applies `-n` and `--foreign-keys` to it.
    public var initSteps: String = InitOptions.defaultSteps
    /// `-n`: leave out the vacuum step.
    public var noVacuum: Bool = false
    /// `-q`: one progress line every 5 seconds instead of one per 100,000 rows.
    public var quiet: Bool = false
    /// `--foreign-keys`: add the foreign-key step.
    public var foreignKeys: Bool = false
    /// `--unlogged-tables`.
    public var unloggedTables: Bool = false
    /// `--partitions`: partition pgbench_accounts into this many parts (0: not partitioned).
    public var partitions: Int = 0
    /// `--partition-method`; nil means range when partitioned.
    public var partitionMethod: PartitionMethod?
    /// `--tablespace`, `--index-tablespace`.
    public var tablespace: String?
    public var indexTablespace: String?

    public init() {}

    /// The steps to run, in order: `-I` without `v` under `-n`, with `f` under `--foreign-keys` (pgbench's rules).
    public var steps: String {
        var steps = initSteps.filter { $0 != " " }
        if noVacuum { steps.removeAll { $0 == "v" } }
        if foreignKeys && !steps.contains("f") { steps.append("f") }
        return steps
    }

    /// The partitioning in effect: range by default when partitioned, none when not.
    public var effectivePartitionMethod: PartitionMethod? {
        partitions > 0 ? (partitionMethod ?? .range) : nil
    }

    /// Builds the options from the command line's text values, with pgbench's checks and messages.
    public init(
        scale: String? = nil,
        fillfactor: String? = nil,
        initSteps: String? = nil,
        noVacuum: Bool = false,
        quiet: Bool = false,
        foreignKeys: Bool = false,
        unloggedTables: Bool = false,
        partitions: String? = nil,
        partitionMethod: String? = nil,
        tablespace: String? = nil,
        indexTablespace: String? = nil
    ) throws(PgswarmError) {
        if let scale { self.scale = try PgbenchNumber.integer(scale, option: "-s/--scale", range: 1...Int(Int32.max)) }
        if let fillfactor {
            self.fillfactor = try PgbenchNumber.integer(fillfactor, option: "-F/--fillfactor", range: 10...100)
        }
        if let initSteps {
            for step in initSteps where !(InitOptions.allSteps + " ").contains(step) {
                throw PgswarmError(
                    .usage,
                    "unrecognized initialization step \"\(step)\" "
                        + "(allowed step characters are \"\(InitOptions.allSteps)\")"
                )
            }
            self.initSteps = initSteps
        }
        self.noVacuum = noVacuum
        self.quiet = quiet
        self.foreignKeys = foreignKeys
        self.unloggedTables = unloggedTables
        if let partitions {
            self.partitions = try PgbenchNumber.integer(partitions, option: "--partitions", range: 0...Int(Int32.max))
        }
        if let partitionMethod {
            guard let method = PartitionMethod(rawValue: partitionMethod) else {
                throw PgswarmError(
                    .usage,
                    "invalid partition method, expecting \"range\" or \"hash\", got: \"\(partitionMethod)\""
                )
            }
            guard self.partitions > 0 else {
                throw PgswarmError(.usage, "--partition-method requires greater than zero --partitions")
            }
            self.partitionMethod = method
        }
        self.tablespace = tablespace
        self.indexTablespace = indexTablespace
    }
}
