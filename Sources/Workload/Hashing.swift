/// pgbench's deterministic integer functions: hash_fnv1a, hash_murmur2 and permute, bit for bit.
public enum Hashing {
    static let fnvPrime: UInt64 = 0x100_0000_01B3
    static let fnvOffsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let murmurMultiplier: UInt64 = 0xC6A4_A793_5BD1_E995
    static let murmurMultiplierTimes8: UInt64 = 0x3525_3C9A_DE8F_4CA8
    static let murmurRotation: UInt64 = 47

    /// FNV-1a over the 8 bytes of `value`, least significant first.
    public static func fnv1a(_ value: Int64, seed: Int64) -> Int64 {
        var result = fnvOffsetBasis ^ UInt64(bitPattern: seed)
        var rest = value
        for _ in 0..<8 {
            let octet = UInt64(rest & 0xFF)
            rest >>= 8  // arithmetic shift, as in C on a signed value
            result = (result ^ octet) &* fnvPrime
        }
        return Int64(bitPattern: result)
    }

    /// MurmurHash2, 64-bit, of one 8-byte value.
    public static func murmur2(_ value: Int64, seed: Int64) -> Int64 {
        var result = UInt64(bitPattern: seed) ^ murmurMultiplierTimes8
        var k = UInt64(bitPattern: value)
        k = k &* murmurMultiplier
        k ^= k >> murmurRotation
        k = k &* murmurMultiplier
        result ^= k
        result = result &* murmurMultiplier
        result ^= result >> murmurRotation
        result = result &* murmurMultiplier
        result ^= result >> murmurRotation
        return Int64(bitPattern: result)
    }

    /// A pseudorandom permutation of [0, size): six rounds of multiply/xor/rotate on overlapping halves plus a
    /// random offset, the round constants drawn from a generator seeded with `seed`. `size` must be > 0.
    public static func permute(_ value: Int64, size isize: Int64, seed: Int64) -> Int64 {
        if isize < 2 { return 0 }
        var rng = PGRandom(seed: UInt64(bitPattern: seed))
        let size = UInt64(isize)
        var v = UInt64(bitPattern: value) % size
        let maskLength = UInt64(63 - size.leadingZeroBitCount)
        let mask = (UInt64(1) << maskLength) &- 1
        for _ in 0..<6 {
            var m = (rng.nextUInt64() & mask) | 1
            var r = rng.nextUInt64() & mask
            if v <= mask {
                v = ((v &* m) ^ r) & mask
                v = ((v << 1) & mask) | (v >> (maskLength &- 1))
            }
            m = (rng.nextUInt64() & mask) | 1
            r = rng.nextUInt64() & mask
            var t = size - 1 - v
            if t <= mask {
                t = ((t &* m) ^ r) & mask
                t = ((t << 1) & mask) | (t >> (maskLength &- 1))
                v = size - 1 - t
            }
            r = rng.nextUInt64(in: 0, size - 1)
            v = (v &+ r) % size
        }
        return Int64(bitPattern: v)
    }
}
