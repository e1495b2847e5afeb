import NIOCore
import PGWire
import Stats

/// One batch a prepared-churn client writes at once: Parse (when the client believes the statement is not prepared
/// on its connection), Bind/Execute, now and then Close of a statement, then Sync; and sometimes, pipelined right
/// behind the Sync, a `DEALLOCATE ALL` or `DISCARD ALL` as a simple query.
struct ChurnPipeline: Equatable {
    enum Operation: Equatable {
        /// Parse `pgswarm_churn_<k>` as `SELECT <k>::int AS k, $1::int AS v`.
        case parse(Int)
        /// Bind the statement with `$1 = value` into the unnamed portal and Execute it: one row, (k, value).
        case execute(Int, value: Int32)
        /// Close (statement) `pgswarm_churn_<k>`.
        case close(Int)
    }

    /// The simple queries that drop every prepared statement of the session.
    enum Query: String {
        case deallocateAll = "DEALLOCATE ALL"
        case discardAll = "DISCARD ALL"
    }

    var operations: [Operation]
    var query: Query?

    static func statementName(_ k: Int) -> String { "pgswarm_churn_\(k)" }
    static func statementText(_ k: Int) -> String { "SELECT \(k)::int AS k, $1::int AS v" }

    func encode(into encoder: inout FrontendMessageEncoder) {
        for operation in operations {
            switch operation {
            case .parse(let k):
                encoder.parse(statementName: Self.statementName(k), query: Self.statementText(k))
            case .execute(let k, let value):
                encoder.bind(portalName: "", statementName: Self.statementName(k), parameters: [.text(String(value))])
                encoder.execute(portalName: "")
            case .close(let k):
                encoder.close(.statement, name: Self.statementName(k))
            }
        }
        encoder.sync()
        if let query { encoder.query(query.rawValue) }
    }
}

/// Plans a client's pipelines over a working set of `workingSet` statements, from what the client believes is
/// prepared on its connection.
struct ChurnPlanner {
    var workingSet = 200
    /// Bind/Execute steps per Sync.
    var stepsPerSync = 4
    /// Chance, before each step, of a Close of one statement the client believes prepared.
    var closeChance = 0.03
    /// Chance, per pipeline, of a `DEALLOCATE ALL` and of a `DISCARD ALL` behind the Sync.
    var deallocateChance = 0.02
    var discardChance = 0.02

    /// The next pipeline. `forceClose` puts a Close before the first step (when anything is prepared), `forceQuery`
    /// sends that query behind the Sync, so that every round has each kind at least once.
    func plan(believed: [Bool], forceClose: Bool = false, forceQuery: ChurnPipeline.Query? = nil,
              using random: inout some RandomNumberGenerator) -> ChurnPipeline
    {
        // What the server will hold once the messages before each step are done: a statement parsed earlier in
        // the same pipeline is not parsed again.
        var planned = believed
        var operations: [ChurnPipeline.Operation] = []
        for step in 0..<stepsPerSync {
            if (forceClose && step == 0) || Double.random(in: 0..<1, using: &random) < closeChance,
               let k = Self.randomPrepared(planned, using: &random)
            {
                operations.append(.close(k))
                planned[k] = false
            }
            let k = Int.random(in: 0..<workingSet, using: &random)
            if !planned[k] {
                operations.append(.parse(k))
                planned[k] = true
            }
            operations.append(.execute(k, value: Int32.random(in: 0...Int32.max, using: &random)))
        }
        var query = forceQuery
        if query == nil {
            let draw = Double.random(in: 0..<1, using: &random)
            if draw < deallocateChance {
                query = .deallocateAll
            } else if draw < deallocateChance + discardChance {
                query = .discardAll
            }
        }
        return ChurnPipeline(operations: operations, query: query)
    }

    private static func randomPrepared(_ planned: [Bool], using random: inout some RandomNumberGenerator) -> Int? {
        let count = planned.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard count > 0 else { return nil }
        var remaining = Int.random(in: 0..<count, using: &random)
        for (k, prepared) in planned.enumerated() where prepared {
            if remaining == 0 { return k }
            remaining -= 1
        }
        return nil
    }
}

/// Checks one pipeline's replies message by message, without I/O: every expected message in protocol order, each
/// DataRow holding its own step's (k, v); an ErrorResponse counted by SQLSTATE, after which the server rightly
/// skips to the Sync. Updates what the client believes is prepared as the replies confirm it.
struct ChurnReplyCheck {
    enum Progress: Equatable {
        case more
        /// Every ReadyForQuery the pipeline asked for has come.
        case done
    }

    /// Who a reply belongs to.
    private enum Owner: Equatable {
        case operation(Int)
        case sync
        case query
    }

    private struct Due {
        var id: BackendMessageID
        var owner: Owner
        /// The operation's last message: its effect is certain once this arrives.
        var completes: Bool
    }

    let pipeline: ChurnPipeline
    /// Statement k believed prepared on the connection.
    private(set) var believed: [Bool]
    private let expected: [Due]
    private var position = 0
    /// After a desync: the ReadyForQuery messages still to come before the next pipeline can start.
    private var drainingReadies: Int?

    init(_ pipeline: ChurnPipeline, believed: [Bool]) {
        self.pipeline = pipeline
        self.believed = believed
        var expected: [Due] = []
        for (index, operation) in pipeline.operations.enumerated() {
            switch operation {
            case .parse:
                expected.append(Due(id: .parseComplete, owner: .operation(index), completes: true))
            case .execute:
                expected.append(Due(id: .bindComplete, owner: .operation(index), completes: false))
                expected.append(Due(id: .dataRow, owner: .operation(index), completes: false))
                expected.append(Due(id: .commandComplete, owner: .operation(index), completes: true))
            case .close:
                expected.append(Due(id: .closeComplete, owner: .operation(index), completes: true))
            }
        }
        expected.append(Due(id: .readyForQuery, owner: .sync, completes: true))
        if pipeline.query != nil {
            expected.append(Due(id: .commandComplete, owner: .query, completes: false))
            expected.append(Due(id: .readyForQuery, owner: .query, completes: true))
        }
        self.expected = expected
    }

    /// Takes the next message of the reply and counts what it shows into `part`.
    mutating func received(_ message: BackendMessage, into part: inout ProbeSummary) -> Progress {
        switch message {
        case .noticeResponse, .parameterStatus, .notificationResponse:
            // The server may send these whenever it likes.
            return .more
        default:
            break
        }
        if let readies = drainingReadies {
            guard case .readyForQuery = message else { return .more }
            drainingReadies = readies - 1
            return readies - 1 == 0 ? .done : .more
        }
        let due = expected[position]
        if message.id == due.id {
            accept(message, due, into: &part)
            position += 1
            return position == expected.count ? .done : .more
        }
        if case .errorResponse(let fields) = message {
            error(fields, due, into: &part)
            return .more
        }
        part.desync(message.name)
        part.note("prepared churn: \(message.name) where \(due.id.name) was due")
        var readies = expected[position...].filter { $0.id == .readyForQuery }.count
        if case .readyForQuery = message { readies -= 1 }
        drainingReadies = readies
        return readies == 0 ? .done : .more
    }

    private mutating func accept(_ message: BackendMessage, _ due: Due, into part: inout ProbeSummary) {
        switch due.owner {
        case .operation(let index):
            switch pipeline.operations[index] {
            case .parse(let k):
                believed[k] = true
                part.count("statements_parsed")
            case .execute(let k, let value):
                if case .dataRow(let row) = message { check(row, k: k, value: value, into: &part) }
                if due.completes { part.count("executions") }
            case .close(let k):
                believed[k] = false
                part.count("closes")
            }
        case .sync:
            break
        case .query:
            guard due.completes, let query = pipeline.query else { return }
            believed = Array(repeating: false, count: believed.count)
            part.count(query == .deallocateAll ? "deallocate_all" : "discard_all")
        }
    }

    /// The row of a step must hold that step's k and v: anything else belongs to another statement or step.
    private func check(_ row: DataRow, k: Int, value: Int32, into part: inout ProbeSummary) {
        part.count("rows_checked")
        var columns = row.makeIterator()
        let rowK = columns.next().flatMap { $0 }.flatMap { Int(String(buffer: $0)) }
        let rowValue = columns.next().flatMap { $0 }.flatMap { Int32(String(buffer: $0)) }
        if row.columnCount != 2 || rowK != k {
            part.desync("DataRow of another statement")
            part.note("prepared churn: \(ChurnPipeline.statementName(k)) answered a row with k = "
                + (rowK.map(String.init) ?? "?"))
        } else if rowValue != value {
            part.desync("DataRow of another step")
            part.note("prepared churn: \(ChurnPipeline.statementName(k)) answered v = "
                + (rowValue.map(String.init) ?? "?") + " for $1 = \(value)")
        }
    }

    /// An ErrorResponse where `due` was expected: counted by SQLSTATE and by what failed; the server then skips to
    /// the Sync (or, for the query, straight to its ReadyForQuery).
    private mutating func error(_ fields: ErrorFields, _ due: Due, into part: inout ProbeSummary) {
        let code = fields.sqlState ?? "?????"
        part.failure(code)
        switch due.owner {
        case .operation(let index):
            let operation = pipeline.operations[index]
            switch operation {
            case .parse(let k):
                part.count("errors_at_parse")
                // 42P05: the connection holds it after all, prepared by someone else.
                if code == "42P05" { believed[k] = true }
            case .execute(let k, _):
                part.count("errors_at_execute")
                // 26000: it is gone from the connection; parse it again next time.
                if code == "26000" { believed[k] = false }
            case .close:
                part.count("errors_at_close")
            }
            if code != "26000" && code != "42P05" {
                part.note("prepared churn: \(code) at \(operation): \(fields.message ?? "")")
            }
            position = expected.firstIndex { $0.owner == .sync }!
        case .query:
            part.count("errors_at_query")
            part.note("prepared churn: \(code) at \(pipeline.query?.rawValue ?? ""): \(fields.message ?? "")")
            position = expected.count - 1
        case .sync:
            // An error with nothing left to fail: counted; the ReadyForQuery is still due.
            part.note("prepared churn: \(code) before ReadyForQuery: \(fields.message ?? "")")
        }
    }
}
