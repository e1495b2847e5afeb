import Testing

@testable import Stats

struct PercentileDistributionTests {
    static func javaLayoutHistogram() -> LatencyHistogram {
        LatencyHistogram(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, significantDigits: 3)
    }

    @Test func basicVectorMatchesJava() throws {
        var histogram = Self.javaLayoutHistogram()
        histogram.record(1000)
        histogram.record(2000, count: 3)
        let expected = try TestResources.text("tv1_percentiles_java.txt")
        #expect(PercentileDistribution.text(histogram, ticksPerHalfDistance: 5, unitRatio: 1000) == expected)
    }

    @Test func uniformVectorMatchesJava() throws {
        // 10000 values evenly spread from 100 to 1_000_000 (microseconds, printed in milliseconds).
        var histogram = Self.javaLayoutHistogram()
        for step in 1...10_000 as ClosedRange<UInt64> { histogram.record(step * 100) }
        let expected = try TestResources.text("tv6_uniform_percentiles_java.txt")
        let actual = PercentileDistribution.text(histogram, ticksPerHalfDistance: 5, unitRatio: 1000)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(actualLines.count == expectedLines.count)
        for (number, (mine, theirs)) in zip(actualLines, expectedLines).enumerated() where mine != theirs {
            Issue.record("line \(number + 1): \"\(mine)\" != \"\(theirs)\"")
        }
        #expect(actual == expected)
    }

    @Test func emptyHistogramPrintsOnlyHeaderAndTrailer() {
        let text = PercentileDistribution.text(LatencyHistogram())
        #expect(text.hasPrefix("       Value     Percentile TotalCount 1/(1-Percentile)\n\n#[Mean    =        0.000,"))
        #expect(text.contains("#[Buckets =           32, SubBuckets     =         2048]"))
    }

    @Test func rowsEndAtOneHundredPercent() {
        var histogram = LatencyHistogram()
        for value in 1...100_000 as ClosedRange<UInt64> { histogram.record(value * 13) }
        let rows = PercentileDistribution.rows(histogram)
        #expect(rows.first?.percentile == 0)
        #expect(rows.last?.percentile == 100)
        #expect(rows.last?.totalCount == 100_000)
        #expect(rows.last?.value == histogram.max)
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.percentile < $1.percentile && $0.value <= $1.value })
    }

    @Test func javaRoundingIsHalfUpOnTheShortestDecimal() {
        #expect(JavaNumberFormat.fixed(0.0015, decimals: 3) == "0.002")
        #expect(JavaNumberFormat.fixed(1.0005, decimals: 3) == "1.001")  // C's printf says 1.000
        #expect(JavaNumberFormat.fixed(2.5, decimals: 0) == "3")
        #expect(JavaNumberFormat.fixed(0.0004, decimals: 3) == "0.000")
        #expect(JavaNumberFormat.fixed(0.0005, decimals: 3) == "0.001")
        #expect(JavaNumberFormat.fixed(9.9996, decimals: 3) == "10.000")
        #expect(JavaNumberFormat.fixed(1e-7, decimals: 12) == "0.000000100000")
        #expect(JavaNumberFormat.fixed(1.5e20, decimals: 1) == "150000000000000000000.0")
        #expect(JavaNumberFormat.fixed(-3.14159, decimals: 2) == "-3.14")
        #expect(JavaNumberFormat.fixed(-0.0001, decimals: 2) == "-0.00")
        #expect(JavaNumberFormat.fixed(1.1111, decimals: 2, width: 14) == "          1.11")
        #expect(JavaNumberFormat.fixed(.infinity, decimals: 2) == "Infinity")
    }
}
