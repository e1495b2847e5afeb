import Foundation
import Testing

@testable import Workload

/// Shapes of the random functions over 100,000 draws: range, mean, and a chi-square test against the exact
/// probability of each value (the tests are deterministic: fixed seeds).
@Suite struct DistributionTests {
    static let draws = 100_000

    /// Evaluates `expression` `count` times through the runner, as a script would.
    static func sample(_ expression: String, count: Int = draws, seed: UInt64 = 2024) throws -> [Int64] {
        let plan = try Plan.compile(
            sources: [ScriptSource(name: "d.sql", text: "\\set r \(expression)\n")],
            mode: .simple,
            randomSeed: seed
        )
        var runner = ScriptRunner(plan: plan, clientID: 0)
        let slot = try #require(plan.slot(named: "r"))
        var values: [Int64] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            runner.beginTransaction()
            _ = try runner.next()
            guard case .int(let value) = runner.parameter(slot) else {
                throw ScriptError(message: "not int", script: "", line: 0)
            }
            values.append(value)
        }
        return values
    }

    /// Chi-square statistic of observed counts against expected probabilities, bins merged until each expects >= 5.
    static func chiSquare(_ values: [Int64], minimum: Int64, probabilities: [Double]) -> (statistic: Double, df: Int) {
        var observed = [Double](repeating: 0, count: probabilities.count)
        for v in values { observed[Int(v - minimum)] += 1 }
        let total = Double(values.count)
        var statistic = 0.0
        var bins = 0
        var o = 0.0
        var e = 0.0
        for (index, p) in probabilities.enumerated() {
            o += observed[index]
            e += p * total
            if e >= 5 || index == probabilities.count - 1 {
                statistic += (o - e) * (o - e) / max(e, 1e-9)
                bins += 1
                o = 0
                e = 0
            }
        }
        return (statistic, bins - 1)
    }

    /// Chi-square critical value at p = 0.001 (Wilson-Hilferty).
    static func critical(_ df: Int) -> Double {
        let d = Double(df)
        let z = 3.09
        return d * pow(1 - 2 / (9 * d) + z * (2 / (9 * d)).squareRoot(), 3)
    }

    static func mean(_ values: [Int64]) -> Double {
        values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
    }

    @Test func uniform() throws {
        let values = try Self.sample("random(1, 100)")
        #expect(values.min() == 1 && values.max() == 100)
        #expect(abs(Self.mean(values) - 50.5) < 0.3)
        let (stat, df) = Self.chiSquare(values, minimum: 1, probabilities: Array(repeating: 0.01, count: 100))
        #expect(stat < Self.critical(df), "chi2 \(stat) df \(df)")
        // Degenerate and negative ranges.
        #expect(Set(try Self.sample("random(7, 7)", count: 100)) == [7])
        let negative = try Self.sample("random(-3, 3)", count: 10_000)
        #expect(Set(negative) == Set(-3...3))
    }

    @Test(arguments: [0.5, 3.0, 10.0])
    func exponential(parameter: Double) throws {
        let n = 1000
        let values = try Self.sample("random_exponential(1, \(n), \(parameter))")
        #expect(values.min()! >= 1 && values.max()! <= Int64(n))
        let norm = 1 - exp(-parameter)
        let probabilities = (0..<n).map { k in
            (exp(-parameter * Double(k) / Double(n)) - exp(-parameter * Double(k + 1) / Double(n))) / norm
        }
        let expectedMean = zip(1...n, probabilities).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        #expect(abs(Self.mean(values) - expectedMean) < expectedMean * 0.02)
        let (stat, df) = Self.chiSquare(values, minimum: 1, probabilities: probabilities)
        #expect(stat < Self.critical(df), "chi2 \(stat) df \(df)")
    }

    static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    @Test(arguments: [2.0, 2.5, 5.0])
    func gaussian(parameter: Double) throws {
        let n = 1000
        let values = try Self.sample("random_gaussian(1, \(n), \(parameter))")
        #expect(values.min()! >= 1 && values.max()! <= Int64(n))
        #expect(abs(Self.mean(values) - 500.5) < 2)
        let norm = Self.normalCDF(parameter) - Self.normalCDF(-parameter)
        let probabilities = (0..<n).map { k -> Double in
            let low = 2 * parameter * Double(k) / Double(n) - parameter
            let high = 2 * parameter * Double(k + 1) / Double(n) - parameter
            return (Self.normalCDF(high) - Self.normalCDF(low)) / norm
        }
        let (stat, df) = Self.chiSquare(values, minimum: 1, probabilities: probabilities)
        #expect(stat < Self.critical(df), "chi2 \(stat) df \(df)")
    }

    /// pgbench's documentation: with parameter 4.0, 67% of values fall in the middle quarter and 95% in the
    /// middle half of the interval.
    @Test func gaussianDocumentationExample() throws {
        let values = try Self.sample("random_gaussian(0, 799, 4.0)")
        let quarter = Double(values.filter { $0 >= 300 && $0 < 500 }.count) / Double(values.count)
        let half = Double(values.filter { $0 >= 200 && $0 < 600 }.count) / Double(values.count)
        #expect(abs(quarter - 0.683) < 0.01)
        #expect(abs(half - 0.954) < 0.01)
    }

    @Test(arguments: [1.001, 1.5, 2.5])
    func zipfian(parameter: Double) throws {
        let n = 1000
        let values = try Self.sample("random_zipfian(1, \(n), \(parameter))")
        #expect(values.min()! >= 1 && values.max()! <= Int64(n))
        let weights = (1...n).map { pow(Double($0), -parameter) }
        let total = weights.reduce(0, +)
        let (stat, df) = Self.chiSquare(values, minimum: 1, probabilities: weights.map { $0 / total })
        #expect(stat < Self.critical(df), "chi2 \(stat) df \(df)")
    }

    /// pgbench's documentation: with s = 2.5, 1 is drawn about 2^2.5 = 5.66 times as often as 2, which is drawn
    /// about (3/2)^2.5 = 2.76 times as often as 3.
    @Test func zipfianDocumentationExample() throws {
        let values = try Self.sample("random_zipfian(1, 100, 2.5)")
        let ones = Double(values.filter { $0 == 1 }.count)
        let twos = Double(values.filter { $0 == 2 }.count)
        let threes = Double(values.filter { $0 == 3 }.count)
        #expect(abs(ones / twos - 5.66) < 0.3)
        #expect(abs(twos / threes - 2.76) < 0.3)
    }

    @Test func generatorMatchesPgPrngReferenceDraws() {
        // Same seed, same draws; pgbench's own draws are compared in PgbenchOracleTests.
        var rng = PGRandom(seed: 42)
        var again = PGRandom(seed: 42)
        let first = (0..<5).map { _ in rng.nextUInt64() }
        #expect(first == (0..<5).map { _ in again.nextUInt64() })
        #expect(Set(first).count == 5)
        var doubles = PGRandom(seed: 7)
        for _ in 0..<10_000 {
            let d = doubles.nextDouble()
            #expect(d >= 0 && d < 1)
        }
    }

    /// pgbench's documentation: the most frequent 1% of values, next to min, are drawn about parameter% of the
    /// time (exactly (1 - exp(-parameter / 100)) / (1 - exp(-parameter))).
    @Test func exponentialDocumentationExample() throws {
        let values = try Self.sample("random_exponential(1, 1000, 5.0)")
        let firstPercent = Double(values.filter { $0 <= 10 }.count) / Double(values.count)
        #expect(abs(firstPercent - (1 - exp(-0.05)) / (1 - exp(-5.0))) < 0.003)
        #expect(abs(firstPercent - 0.05) < 0.003)
    }
}
