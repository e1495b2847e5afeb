import Testing

@testable import Stats

@Suite("Fairness figures from per-client counts")
struct FairnessSummaryTests {
    @Test("equal shares: Jain index 1, nobody starved")
    func equalShares() throws {
        let fairness = try #require(FairnessSummary(transactions: [10, 10, 10, 10], longestStallNanos: [5, 9, 7, 1]))
        #expect(fairness.jainIndex == 1)
        #expect(fairness.starvedClients == 0)
        #expect(fairness.longestStallMicroseconds == 0.009)
        #expect(fairness.longestStallClient == 1)
    }

    @Test("one client did everything: Jain index 1/n, the others starved; client numbers start at firstClientID")
    func oneClientDidEverything() throws {
        let fairness = try #require(
            FairnessSummary(transactions: [0, 0, 300, 0], longestStallNanos: [4_000_000_000, 3, 2, 1],
                            firstClientID: 100))
        #expect(abs(fairness.jainIndex - 0.25) < 1e-12)
        #expect(fairness.starvedClients == 3)
        #expect(fairness.minTransactions == 0 && fairness.maxTransactions == 300)
        #expect(fairness.longestStallMicroseconds == 4_000_000)
        #expect(fairness.longestStallClient == 100)
    }

    @Test("a client under a tenth of the mean is starved; no clients, no figures")
    func starvedThreshold() {
        // Mean 100: 9 is starved, 10 is not.
        #expect(FairnessSummary(transactions: [9, 10, 191, 190], longestStallNanos: [0, 0, 0, 0])?.starvedClients == 1)
        #expect(FairnessSummary(transactions: [], longestStallNanos: []) == nil)
    }
}
