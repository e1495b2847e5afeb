/// A port of PostgreSQL's `pg_prng` (xoroshiro128** seeded through splitmix64).
///
/// pgbench draws every random number (and the rounds of `permute`) from this generator, so the same seed gives
/// the same sequence here as in pgbench, and `permute` gives exactly pgbench's values.
public struct PGRandom: Sendable {
    @usableFromInline var s0: UInt64
    @usableFromInline var s1: UInt64

    public init(seed: UInt64) {
        var state = seed
        s0 = Self.splitmix64(&state)
        s1 = Self.splitmix64(&state)
        // xoroshiro must never be all zeroes; pg_prng falls back to these constants.
        if s0 == 0 && s1 == 0 {
            s0 = 0x5851_F42D_4C95_7F2D
            s1 = 0x1405_7B7E_F767_814F
        }
    }

    @inlinable
    static func splitmix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    @inlinable
    static func rotl(_ x: UInt64, _ bits: UInt64) -> UInt64 {
        (x << bits) | (x >> (64 - bits))
    }

    /// The next raw 64-bit value (pg_prng_uint64).
    @inlinable
    public mutating func nextUInt64() -> UInt64 {
        let first = s0
        let mixed = s1 ^ first
        let value = Self.rotl(first &* 5, 7) &* 9
        s0 = Self.rotl(first, 24) ^ mixed ^ (mixed << 16)
        s1 = Self.rotl(mixed, 37)
        return value
    }

    /// A uniform value in `rmin...rmax` by masking and rejection (pg_prng_uint64_range), so that the same
    /// draws as pgbench are consumed.
    @inlinable
    public mutating func nextUInt64(in rmin: UInt64, _ rmax: UInt64) -> UInt64 {
        guard rmax > rmin else { return rmin }
        let range = rmax - rmin
        let shift = UInt64(range.leadingZeroBitCount)
        // Bounded: each draw succeeds with probability > 1/2; 10_000 failures in a row cannot happen.
        for _ in 0..<10_000 {
            let value = nextUInt64() >> shift
            if value <= range { return rmin + value }
        }
        return rmin + (nextUInt64() % (range &+ 1))
    }

    /// A uniform double in [0, 1) with 52 random bits (pg_prng_double).
    @inlinable
    public mutating func nextDouble() -> Double {
        let value = nextUInt64()
        return Double(value >> 12) * 0x1p-52
    }

    /// A standard normal value by the Box-Muller transform (pg_prng_double_normal).
    @inlinable
    public mutating func nextNormal() -> Double {
        // Both in (0, 1], as pgbench's Box-Muller expects; log() must not see 0.
        let u1 = 1.0 - nextDouble()
        let u2 = 1.0 - nextDouble()
        return (-2.0 * _log(u1)).squareRoot() * _sin(2.0 * Double.pi * u2)
    }

    /// pgbench's getrand: uniform integer in `min...max`; the caller guarantees `max - min` does not overflow.
    @inlinable
    public mutating func uniform(_ min: Int64, _ max: Int64) -> Int64 {
        min &+ Int64(bitPattern: nextUInt64(in: 0, UInt64(bitPattern: max &- min)))
    }
}
