/// pgbench's three built-in scripts, with the same text and descriptions as pgbench 15.
public enum BuiltinScript {
    public struct Entry: Sendable {
        public let name: String
        public let description: String
        public let source: ScriptSource
    }

    public static let tpcbLike = ScriptSource(
        name: "<builtin: TPC-B (sort of)>",
        text: """
            \\set aid random(1, 100000 * :scale)
            \\set bid random(1, 1 * :scale)
            \\set tid random(1, 10 * :scale)
            \\set delta random(-5000, 5000)
            BEGIN;
            UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
            SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
            UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;
            UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;
            INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
            END;

            """
    )

    public static let simpleUpdate = ScriptSource(
        name: "<builtin: simple update>",
        text: """
            \\set aid random(1, 100000 * :scale)
            \\set bid random(1, 1 * :scale)
            \\set tid random(1, 10 * :scale)
            \\set delta random(-5000, 5000)
            BEGIN;
            UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
            SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
            INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, CURRENT_TIMESTAMP);
            END;

            """
    )

    public static let selectOnly = ScriptSource(
        name: "<builtin: select only>",
        text: """
            \\set aid random(1, 100000 * :scale)
            SELECT abalance FROM pgbench_accounts WHERE aid = :aid;

            """
    )

    /// The built-ins in pgbench's order, as `-b list` shows them.
    public static func list() -> [Entry] {
        [
            Entry(name: "tpcb-like", description: tpcbLike.name, source: tpcbLike),
            Entry(name: "simple-update", description: simpleUpdate.name, source: simpleUpdate),
            Entry(name: "select-only", description: selectOnly.name, source: selectOnly),
        ]
    }

    /// The built-in whose name starts with `prefix`, if exactly one does (pgbench accepts unambiguous prefixes).
    public static func named(_ prefix: String) -> ScriptSource? {
        let matches = list().filter { $0.name.hasPrefix(prefix) }
        return matches.count == 1 ? matches[0].source : nil
    }

    /// Like `named`, with pgbench's messages for no match and for an ambiguous prefix.
    public static func find(_ prefix: String) throws(WorkloadError) -> ScriptSource {
        let matches = list().filter { $0.name.hasPrefix(prefix) }
        if matches.count == 1 { return matches[0].source }
        let message =
            matches.isEmpty
            ? "no builtin script found for name \"\(prefix)\""
            : "ambiguous builtin name: \(matches.count) builtin scripts found for prefix \"\(prefix)\""
        throw WorkloadError(file: prefix, line: 0, column: 0, message: message)
    }

    /// pgbench --show-script output for one built-in.
    public static func showScript(_ entry: Entry) -> String {
        "-- \(entry.name): \(entry.description)\n" + entry.source.text
    }
}
