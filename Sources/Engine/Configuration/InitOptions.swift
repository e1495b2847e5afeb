/// `pgswarm init`: pgbench -i's options.
public struct InitOptions: Sendable, Equatable {
    /// `-s`: 1 branch, 10 tellers and 100,000 accounts per unit.
    public var scale: Int = 1
    /// `-F`: fillfactor of accounts, tellers and branches.
    public var fillfactor: Int = 100
    /// `-I`: the steps, pgbench's letters: d drop, t tables, g client-side data (COPY), G server-side data,
    /// v vacuum, p primary keys, f foreign keys.
    public var steps: String = "dtgvp"
    /// `-q`: progress every 5 seconds instead of every 100,000 rows.
    public var quiet: Bool = false
    /// `--unlogged-tables`.
    public var unloggedTables: Bool = false

    public init() {}

    /// `-n` drops the vacuum step; `--foreign-keys` adds the foreign-key step, as pgbench does.
    public mutating func apply(noVacuum: Bool, foreignKeys: Bool) {
        if noVacuum { steps.removeAll { $0 == "v" } }
        if foreignKeys && !steps.contains("f") { steps.append("f") }
    }
}
