@testable import Workload

/// Runs a plan the way pgbench runs it with no server involvement needed: each client runs `transactions`
/// scripts, and every SQL command is rendered as simple-mode text (what pgbench --debug prints as "sending").
enum Simulation {
    static func sentTexts(plan: Plan, clients: Int = 1, transactions: Int) throws -> [[String]] {
        var result: [[String]] = []
        for client in 0..<clients {
            var runner = ScriptRunner(plan: plan, clientID: client)
            var texts: [String] = []
            for _ in 0..<transactions {
                runner.beginTransaction()
                var steps = 0
                loop: while steps < 10_000 {
                    steps += 1
                    switch try runner.next() {
                    case .sql(let command): texts.append(runner.simpleQueryText(command))
                    case .endOfScript: break loop
                    default: continue
                    }
                }
            }
            result.append(texts)
        }
        return result
    }
}
