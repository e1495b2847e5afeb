/// How evenly the clients shared the server (or the pooler's server connections): a pooler that lets some clients
/// wait while others run shows here, not in the latency percentiles, which mix every client together.
public struct FairnessSummary: Codable, Sendable, Equatable {
    public var clients: Int
    public var minTransactions: Int
    public var maxTransactions: Int
    /// Jain's fairness index of the per-client transaction counts: 1 when every client did the same, 1/n when one
    /// client did everything.
    public var jainIndex: Double
    /// Clients that finished fewer than a tenth of the mean per-client transactions (none at all included).
    public var starvedClients: Int
    /// The longest any single client went without finishing a transaction, and which client that was.
    public var longestStallMicroseconds: Double
    public var longestStallClient: Int

    enum CodingKeys: String, CodingKey {
        case clients
        case minTransactions = "min_transactions"
        case maxTransactions = "max_transactions"
        case jainIndex = "jain_index"
        case starvedClients = "starved_clients"
        case longestStallMicroseconds = "longest_stall_us"
        case longestStallClient = "longest_stall_client"
    }

    /// The figures for clients whose transaction counts and longest stalls (ns) are given in client order;
    /// `firstClientID` numbers them as the run did. Nil without clients.
    public init?(transactions: [Int], longestStallNanos: [UInt64], firstClientID: Int = 0) {
        guard !transactions.isEmpty, transactions.count == longestStallNanos.count else { return nil }
        clients = transactions.count
        minTransactions = transactions.min() ?? 0
        maxTransactions = transactions.max() ?? 0
        let sum = transactions.reduce(0.0) { $0 + Double($1) }
        let sumOfSquares = transactions.reduce(0.0) { $0 + Double($1) * Double($1) }
        jainIndex = sumOfSquares > 0 ? sum * sum / (Double(clients) * sumOfSquares) : 1
        let mean = sum / Double(clients)
        starvedClients = transactions.filter { Double($0) < mean / 10 }.count
        let worst = longestStallNanos.indices.max { longestStallNanos[$0] < longestStallNanos[$1] } ?? 0
        longestStallMicroseconds = Double(longestStallNanos[worst]) / 1000
        longestStallClient = firstClientID + worst
    }
}
