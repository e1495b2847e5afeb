import Testing

@testable import Report

@Suite("Significance tests")
struct StatisticsTests {
    @Test("Mann–Whitney: exact p for fully separated small samples matches the textbook value")
    func exactSeparated() {
        // Two samples of 5, all of one below all of the other: 2 / C(10, 5) = 2/252.
        let p = MannWhitney.pValue([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])
        #expect(abs(p - 2.0 / 252) < 1e-9)
        // 3 vs 3 can never go below 2/20.
        #expect(abs(MannWhitney.pValue([1, 2, 3], [4, 5, 6]) - 0.1) < 1e-9)
    }

    @Test("Mann–Whitney: interleaved samples are not significant, shifted large ones are")
    func approximation() {
        let first = (0..<60).map { Double($0) }
        let second = (0..<60).map { Double($0) + 0.5 }
        #expect(MannWhitney.pValue(first, second) > 0.5)
        let shifted = (0..<60).map { Double($0) + 30 }
        #expect(MannWhitney.pValue(first, shifted) < 0.001)
        // Ties everywhere: no difference at all.
        #expect(MannWhitney.pValue([Double](repeating: 3, count: 50), [Double](repeating: 3, count: 50)) == 1)
        #expect(MannWhitney.pValue([], [1, 2]) == 1)
    }

    @Test("Bootstrap interval excludes zero only for a real change")
    func bootstrap() throws {
        let same = try #require(Bootstrap.relativeChangeInterval(base: [100, 103, 98, 101], new: [99, 102, 100, 97]))
        #expect(!same.excludesZero)
        #expect(same.lower < 0 && same.upper > 0)
        let slower = try #require(Bootstrap.relativeChangeInterval(base: [100, 103, 98], new: [80, 82, 79]))
        #expect(slower.excludesZero)
        #expect(slower.upper < -0.1)
        // Deterministic: the same inputs, the same interval.
        #expect(
            Bootstrap.relativeChangeInterval(base: [1, 2, 3], new: [2, 3, 4])
                == Bootstrap.relativeChangeInterval(base: [1, 2, 3], new: [2, 3, 4]))
    }
}
