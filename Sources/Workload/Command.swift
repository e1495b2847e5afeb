/// How pgbench sends SQL: one Query message with variables substituted as text, or Parse/Bind/Execute with
/// variables as parameters (unnamed statement each time, or a named statement prepared once per connection).
public enum QueryMode: String, Sendable, CaseIterable {
    case simple, extended, prepared
}

/// When a client running a script connects again: keep its connection (pgbench's default), open a new one after
/// every N transactions of this script, or for each transaction (pgbench -C, for one script).
public enum ConnectionPolicy: Sendable, Equatable, Hashable {
    case persistent
    case reconnectEvery(Int)
    case reconnectEach
}

/// What to do with the rows of an SQL command.
public enum ResultHandling: Sendable, Equatable {
    case none
    /// `\gset [prefix]`: the single row of the last query's result becomes variables `prefix + column`.
    case gset(prefix: String)
    /// `\aset [prefix]`: every query's last row (if any) becomes variables; empty results are skipped.
    case aset(prefix: String)
}

/// One SQL command of a script, compiled for the plan's query mode. Immutable and shared by all clients.
public final class SQLCommand: Sendable {
    /// Position of this SQL command among all SQL commands of the plan (0-based): the engine can keep one
    /// "prepared on this connection?" flag per index.
    public let index: Int
    /// Index of the script this command belongs to.
    public let scriptIndex: Int
    /// pgbench's number for this command within its script (0-based; SQL and meta-commands counted together,
    /// \gset/\aset not counted): the "command N" of pgbench's messages and the row of its per-command report.
    public let commandNumber: Int
    /// The SQL to send: in extended/prepared mode with `$1..$n` in place of variables; in simple mode the text as
    /// written (use `textParts` and `parameterSlots` to substitute).
    public let sql: String
    /// Simple mode: the literal text around the variable references; `textParts.count == parameterSlots.count + 1`.
    /// The text to send is textParts[0] + value(slot 0) + textParts[1] + ... (an undefined variable stays `:name`).
    public let textParts: [String]
    /// Variable slot of each parameter, in order (`$1` is `parameterSlots[0]`); the same variable used twice is
    /// two parameters, as in pgbench.
    public let parameterSlots: [Int]
    /// Variable names of the parameters, for messages and for `:name` text of undefined variables.
    public let parameterNames: [String]
    /// The protocol this command is sent with: its script's mode, or the plan's.
    public let mode: QueryMode
    /// Prepared mode: the statement name (pgbench's `P_<n>`, unique over the plan); empty otherwise.
    public let statementName: String
    public let resultHandling: ResultHandling
    /// 1-based line of the command's first character in its script.
    public let line: Int
    /// True when `\;` joined several statements into this one command (simple protocol sends it as one Query).
    public let isCompound: Bool

    init(
        index: Int,
        scriptIndex: Int,
        commandNumber: Int,
        sql: String,
        textParts: [String],
        parameterSlots: [Int],
        parameterNames: [String],
        mode: QueryMode,
        statementName: String,
        resultHandling: ResultHandling,
        line: Int,
        isCompound: Bool
    ) {
        self.index = index
        self.scriptIndex = scriptIndex
        self.commandNumber = commandNumber
        self.sql = sql
        self.textParts = textParts
        self.parameterSlots = parameterSlots
        self.parameterNames = parameterNames
        self.mode = mode
        self.statementName = statementName
        self.resultHandling = resultHandling
        self.line = line
        self.isCompound = isCompound
    }
}

/// One argument of \shell and \setshell: literal text, or a variable.
public enum ShellArgument: Sendable, Equatable {
    case literal(String)
    case variable(slot: Int, name: String)
}

/// The duration argument of \sleep.
public enum SleepDuration: Sendable, Equatable {
    case literal(Int64)
    case variable(slot: Int, name: String)
}

/// A compiled step of a script. \if/\elif/\else/\endif become conditional and unconditional forward jumps.
public enum Command: Sendable {
    case sql(SQLCommand)
    case set(slot: Int, name: String, expression: Expr)
    /// Sleep `duration` times `unitMicroseconds` microseconds.
    case sleep(SleepDuration, unitMicroseconds: Int64)
    case shell(arguments: [ShellArgument])
    case setShell(slot: Int, name: String, arguments: [ShellArgument])
    /// Jump to `target` when `condition` is false (\if, and the test of an \elif).
    case jumpUnless(condition: Expr, target: Int)
    /// Unconditional jump (end of a taken branch, to its \endif).
    case jump(target: Int)
    case startPipeline
    case syncPipeline
    case endPipeline
}

/// A compiled script: its commands and, for each command, the line it came from.
public struct CompiledScript: Sendable {
    public let name: String
    public let weight: Int
    /// The protocol of this script's SQL commands (its own, or the plan's).
    public let mode: QueryMode
    /// Extra histogram names for this script's transactions (from a workload spec); empty for pgbench scripts.
    public let tags: [String]
    /// When a client running this script reconnects.
    public let connection: ConnectionPolicy
    public let commands: [Command]
    /// 1-based source line of each command (same count as `commands`).
    public let lines: [Int]
    /// The SQL commands of this script, in order.
    public let sqlCommands: [SQLCommand]
    /// The script's commands as pgbench numbers them (for per-command reports), each with its line and text.
    public let sourceCommands: [SourceCommand]
    /// For each entry of `commands`, the index of the source command it came from.
    public let sourceCommandIndex: [Int]
}

/// One command as written in the script: what pgbench's per-command report (-r) lists.
public struct SourceCommand: Sendable, Equatable {
    /// 1-based line of the command's first character.
    public let line: Int
    /// Its first line, as written (pgbench shows the same).
    public let text: String
    public let isSQL: Bool
}
