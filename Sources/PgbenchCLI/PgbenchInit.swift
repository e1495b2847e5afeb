import Foundation
import NIOCore
import NIOPosix
import Connection
import Engine

/// `pgswarm init`: creates and fills pgbench's four tables exactly as `pgbench -i` does (same schema, same row
/// counts and values), loading them with COPY, so that `pgswarm run` and `pgbench` can be pointed at the result.
public enum PgbenchInit {
    package static let branchesPerScale = 1
    package static let tellersPerScale = 10
    package static let accountsPerScale = 100_000

    public static func run(connection: ConnectionSettings, options: InitOptions, print: @escaping Benchmark.Printer)
        async throws
    {
        for step in options.steps where !"dtgGvpf ".contains(step) {
            throw PgswarmError(.usage, "unrecognized initialization step \"\(step)\"; allowed: d t g G v p f")
        }
        guard options.scale >= 1 else { throw PgswarmError(.usage, "invalid scaling factor: \(options.scale)") }
        guard (10...100).contains(options.fillfactor) else {
            throw PgswarmError(.usage, "invalid fillfactor: \(options.fillfactor) (must be between 10 and 100)")
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let admin = try await AdminConnection.connect(settings: connection, group: group)
            let started = Date()
            print("dropping old tables...")
            for step in options.steps {
                try await perform(step, admin: admin, options: options, print: print)
            }
            await admin.close()
            print("done in \(fixed(Date().timeIntervalSince(started), 2)) s.")
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try? await group.shutdownGracefully()
    }

    private static func perform(_ step: Character, admin: AdminConnection, options: InitOptions,
                                print: @escaping Benchmark.Printer) async throws
    {
        let scale = options.scale
        // pgbench switches aid to bigint when the account count no longer fits an int.
        let aidType = scale >= 20000 ? "bigint" : "int"
        switch step {
        case "d":
            try await admin.simpleQuery(
                "drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers")
        case "t":
            print("creating tables...")
            try await admin.simpleQuery(createTablesSQL(options: options, aidType: aidType))
        case "g":
            print("generating data (client-side)...")
            try await admin.simpleQuery(
                "begin; truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers")
            let branches = branchesPerScale * scale
            let tellers = tellersPerScale * scale
            let accounts = accountsPerScale * scale
            try await admin.copyIn("copy pgbench_branches from stdin", rowCount: branches) { row, buffer in
                writeRow(&buffer, [row + 1, 0])
            }
            try await admin.copyIn("copy pgbench_tellers from stdin", rowCount: tellers) { row, buffer in
                writeRow(&buffer, [row + 1, row / tellersPerScale + 1, 0])
            }
            let reportEvery = options.quiet ? max(accounts / 10, 1) : 100_000
            var nextReport = reportEvery
            let started = Date()
            try await admin.copyIn(
                options.partitions > 0 ? "copy pgbench_accounts from stdin" : "copy pgbench_accounts from stdin with (freeze on)", rowCount: accounts,
                writeRow: { row, buffer in writeRow(&buffer, [row + 1, row / accountsPerScale + 1, 0]) },
                progress: { done in
                    while done >= nextReport {
                        let elapsed = Date().timeIntervalSince(started)
                        print("\(nextReport) of \(accounts) tuples (\(100 * nextReport / accounts)%) done "
                              + "(elapsed \(fixed(elapsed, 2)) s)")
                        nextReport += reportEvery
                    }
                }
            )
            try await admin.simpleQuery("commit")
        case "G":
            print("generating data (server-side)...")
            try await admin.simpleQuery("""
                begin;
                truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers;
                insert into pgbench_branches(bid,bbalance) select bid, 0 from generate_series(1, \(scale)) as bid;
                insert into pgbench_tellers(tid,bid,tbalance) select tid, (tid - 1) / \(tellersPerScale) + 1, 0 \
                from generate_series(1, \(tellersPerScale * scale)) as tid;
                insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / \(accountsPerScale) + 1, \
                0, '' from generate_series(1, \(accountsPerScale * scale)) as aid;
                commit
                """)
        case "v":
            print("vacuuming...")
            for table in ["pgbench_branches", "pgbench_tellers", "pgbench_accounts", "pgbench_history"] {
                try await admin.simpleQuery("vacuum analyze \(table)")
            }
        case "p":
            print("creating primary keys...")
            let space = options.indexTablespace.map { " using index tablespace \(quoteIdentifier($0))" } ?? ""
            try await admin.simpleQuery("""
                alter table pgbench_branches add primary key (bid)\(space);
                alter table pgbench_tellers add primary key (tid)\(space);
                alter table pgbench_accounts add primary key (aid)\(space)
                """)
        case "f":
            print("creating foreign keys...")
            try await admin.simpleQuery("""
                alter table pgbench_tellers add constraint pgbench_tellers_bid_fkey foreign key (bid) \
                references pgbench_branches;
                alter table pgbench_accounts add constraint pgbench_accounts_bid_fkey foreign key (bid) \
                references pgbench_branches;
                alter table pgbench_history add constraint pgbench_history_bid_fkey foreign key (bid) \
                references pgbench_branches;
                alter table pgbench_history add constraint pgbench_history_tid_fkey foreign key (tid) \
                references pgbench_tellers;
                alter table pgbench_history add constraint pgbench_history_aid_fkey foreign key (aid) \
                references pgbench_accounts
                """)
        default:
            break
        }
    }

    /// pgbench's DDL: the four tables, the accounts optionally partitioned by range or hash on aid.
    package static func createTablesSQL(options: InitOptions, aidType: String) -> String {
        let unlogged = options.unloggedTables ? "unlogged " : ""
        let fill = " with (fillfactor=\(options.fillfactor))"
        let space = options.tablespace.map { " tablespace \(quoteIdentifier($0))" } ?? ""
        var statements = [
            "create \(unlogged)table pgbench_history(tid int,bid int,aid \(aidType),delta int,mtime timestamp,"
                + "filler char(22))\(space)",
            "create \(unlogged)table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84))"
                + fill + space,
            "create \(unlogged)table pgbench_branches(bid int not null,bbalance int,filler char(88))" + fill + space,
        ]
        let accountsColumns = "(aid \(aidType) not null,bid int,abalance int,filler char(84))"
        guard let method = options.effectivePartitionMethod else {
            statements.append("create \(unlogged)table pgbench_accounts\(accountsColumns)" + fill + space)
            return statements.joined(separator: ";\n")
        }
        // A partitioned parent takes no storage options; its partitions do.
        statements.append(
            "create \(unlogged)table pgbench_accounts\(accountsColumns) partition by \(method.rawValue) (aid)\(space)")
        let parts = options.partitions
        let accounts = accountsPerScale * options.scale
        let partSize = (accounts + parts - 1) / parts
        for part in 1...parts {
            let bounds: String
            switch method {
            case .range:
                let lower = part == 1 ? "minvalue" : String((part - 1) * partSize + 1)
                let upper = part == parts ? "maxvalue" : String(part * partSize + 1)
                bounds = "for values from (\(lower)) to (\(upper))"
            case .hash:
                bounds = "for values with (modulus \(parts), remainder \(part - 1))"
            }
            statements.append(
                "create \(unlogged)table pgbench_accounts_\(part) partition of pgbench_accounts \(bounds)" + fill + space)
        }
        return statements.joined(separator: ";\n")
    }

    private static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One COPY text row of integers, then an empty filler column, as pgbench writes it.
    private static func writeRow(_ buffer: inout ByteBuffer, _ values: [Int]) {
        for value in values {
            buffer.writeString(String(value))
            buffer.writeInteger(UInt8(ascii: "\t"))
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }
}
