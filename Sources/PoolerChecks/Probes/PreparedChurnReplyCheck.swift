import Engine
import PGWire
import Stats

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
        /// The operation's (or the query's) last message before the ReadyForQuery: its effect is certain once this
        /// arrives.
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
            expected.append(Due(id: .commandComplete, owner: .query, completes: true))
            expected.append(Due(id: .readyForQuery, owner: .query, completes: false))
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
