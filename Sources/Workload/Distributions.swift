/// pgbench's non-uniform random distributions, drawing from the same generator in the same order as pgbench.
public enum Distributions {
    public static let minimumGaussianParameter = 2.0
    public static let minimumZipfianParameter = 1.001
    public static let maximumZipfianParameter = 1000.0

    /// Exponential over `min...max`: the density at `max` is exp(-parameter) of the density at `min`.
    @inlinable
    public static func exponential(_ rng: inout PGRandom, _ min: Int64, _ max: Int64, _ parameter: Double) -> Int64 {
        let cut = _exp(-parameter)
        let uniform = 1.0 - rng.nextDouble()  // (0, 1]
        let rand = -_log(cut + (1.0 - cut) * uniform) / parameter  // [0, 1)
        return min &+ Int64(Double(max &- min &+ 1) * rand)
    }

    /// Gaussian over `min...max`, centred, cut at `parameter` standard deviations.
    @inlinable
    public static func gaussian(_ rng: inout PGRandom, _ min: Int64, _ max: Int64, _ parameter: Double) -> Int64 {
        var stdev = rng.nextNormal()
        // Rejection: with parameter >= 2 a draw is kept with probability > 0.95; the bound never bites.
        var attempts = 0
        while (stdev < -parameter || stdev >= parameter) && attempts < 100_000 {
            stdev = rng.nextNormal()
            attempts += 1
        }
        let rand = (stdev + parameter) / (parameter * 2.0)
        return min &+ Int64(Double(max &- min &+ 1) * rand)
    }

    /// Zipfian over `min...max` with exponent `s` > 1, by Devroye's rejection method (as pgbench).
    @inlinable
    public static func zipfian(_ rng: inout PGRandom, _ min: Int64, _ max: Int64, _ s: Double) -> Int64 {
        let n = max &- min &+ 1
        return min &- 1 &+ iterativeZipfian(&rng, n, s)
    }

    @inlinable
    static func iterativeZipfian(_ rng: inout PGRandom, _ n: Int64, _ s: Double) -> Int64 {
        if n <= 1 { return 1 }
        let b = _pow(2.0, s - 1.0)
        let limit = Double(n)
        // pgbench loops forever; the acceptance rate is high for s >= 1.001, so a bound is never reached.
        for _ in 0..<10_000_000 {
            let u = rng.nextDouble()
            let v = rng.nextDouble()
            let x = _floor(_pow(u, -1.0 / (s - 1.0)))
            let t = _pow(1.0 + 1.0 / x, s - 1.0)
            if v * x * (t - 1.0) / (b - 1.0) <= t / b && x <= limit {
                return Int64(x)
            }
        }
        return 1
    }
}
