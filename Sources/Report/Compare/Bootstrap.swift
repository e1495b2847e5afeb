/// A percentile bootstrap of the relative change between the means of two small samples (repeated runs): resample
/// each side with replacement, take the change of the means, and read the central interval of those changes.
public enum Bootstrap {
    public struct Interval: Equatable, Sendable {
        /// Relative change (new/base - 1) bounds of the central interval.
        public var lower: Double
        public var upper: Double
        public var excludesZero: Bool { lower > 0 || upper < 0 }
    }

    /// Deterministic (seeded), so the same inputs always give the same verdict.
    public static func relativeChangeInterval(
        base: [Double],
        new: [Double],
        confidence: Double = 0.95,
        resamples: Int = 4000,
        seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    ) -> Interval? {
        guard !base.isEmpty, !new.isEmpty else { return nil }
        var random = SplitMix64(state: seed)
        var changes: [Double] = []
        changes.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let baseMean = resampledMean(base, &random)
            let newMean = resampledMean(new, &random)
            guard baseMean != 0 else { continue }
            changes.append(newMean / baseMean - 1)
        }
        guard !changes.isEmpty else { return nil }
        changes.sort()
        let tail = (1 - confidence) / 2
        let lowIndex = min(changes.count - 1, Int(Double(changes.count) * tail))
        let highIndex = min(changes.count - 1, Int(Double(changes.count) * (1 - tail)))
        return Interval(lower: changes[lowIndex], upper: changes[highIndex])
    }

    private static func resampledMean(_ sample: [Double], _ random: inout SplitMix64) -> Double {
        var total = 0.0
        for _ in sample.indices {
            total += sample[Int(random.next() % UInt64(sample.count))]
        }
        return total / Double(sample.count)
    }
}

/// A tiny, well-mixed generator: enough for resampling, and reproducible across platforms.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
