import Engine
import NIOCore
import PGWire

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
