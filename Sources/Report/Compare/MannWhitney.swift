import Foundation

/// The Mann–Whitney U test (Wilcoxon rank-sum): do two samples come from the same distribution? Needs no
/// assumption of normality, which per-interval latencies and run-level throughputs do not meet.
public enum MannWhitney {
    /// Two-sided p-value. Exact (by counting rank sums) for small samples without ties, the normal approximation
    /// with tie and continuity corrections otherwise. 1 when either sample is empty.
    public static func pValue(_ first: [Double], _ second: [Double]) -> Double {
        let n1 = first.count
        let n2 = second.count
        guard n1 > 0, n2 > 0 else { return 1 }
        let (rankSum, tieGroups) = rankSumOfFirst(first, second)
        let u1 = rankSum - Double(n1 * (n1 + 1)) / 2
        let hasTies = tieGroups.contains { $0 > 1 }
        if !hasTies && n1 * n2 <= 400 && n1 + n2 <= 40 {
            return exactPValue(u: u1, n1: n1, n2: n2)
        }
        let n = Double(n1 + n2)
        let mean = Double(n1 * n2) / 2
        let tieTerm = tieGroups.reduce(0.0) { $0 + Double($1 * $1 * $1 - $1) } / (n * (n - 1))
        let variance = Double(n1 * n2) / 12 * ((n + 1) - tieTerm)
        guard variance > 0 else { return 1 }
        let z = (abs(u1 - mean) - 0.5) / variance.squareRoot()
        return min(1, max(0, erfc(max(z, 0) / 2.0.squareRoot())))
    }

    /// The first sample's rank sum (ties share their mean rank) and the sizes of the tie groups.
    static func rankSumOfFirst(_ first: [Double], _ second: [Double]) -> (Double, [Int]) {
        let pooled = (first.map { ($0, true) } + second.map { ($0, false) }).sorted { $0.0 < $1.0 }
        var rankSum = 0.0
        var groups: [Int] = []
        var start = 0
        while start < pooled.count {
            var end = start
            while end + 1 < pooled.count && pooled[end + 1].0 == pooled[start].0 { end += 1 }
            let meanRank = Double(start + end) / 2 + 1
            for index in start...end where pooled[index].1 { rankSum += meanRank }
            groups.append(end - start + 1)
            start = end + 1
        }
        return (rankSum, groups)
    }

    /// P(|U - mean| >= |u - mean|) under the null, from the distribution of U counted by dynamic programming.
    static func exactPValue(u: Double, n1: Int, n2: Int) -> Double {
        let maxU = n1 * n2
        // ways[i][j][k]: arrangements of i firsts and j seconds with U = k; rolled into two layers over i.
        var previous = [[Double]](repeating: [Double](repeating: 0, count: maxU + 1), count: n2 + 1)
        for j in 0...n2 { previous[j][0] = 1 }
        for _ in 1...n1 {
            var current = [[Double]](repeating: [Double](repeating: 0, count: maxU + 1), count: n2 + 1)
            current[0][0] = 1
            for j in 1...n2 {
                for k in 0...maxU {
                    // The largest value is a first (it beats all j seconds) or a second.
                    var count = current[j - 1][k]
                    if k >= j { count += previous[j][k - j] }
                    current[j][k] = count
                }
            }
            previous = current
        }
        let distribution = previous[n2]
        let total = distribution.reduce(0, +)
        let mean = Double(maxU) / 2
        let distance = abs(u - mean)
        var tail = 0.0
        for k in 0...maxU where abs(Double(k) - mean) >= distance - 1e-9 {
            tail += distribution[k]
        }
        return min(1, tail / total)
    }
}
