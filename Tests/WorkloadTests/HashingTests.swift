import Testing

@testable import Workload

/// Known values, taken from pgbench 15 itself (see PgbenchOracleTests for the live comparison).
@Suite struct HashingTests {
    @Test func fnv1aAndMurmur2() {
        #expect(Hashing.fnv1a(42, seed: 7) == 2_765_047_632_110_736_392)
        #expect(Hashing.murmur2(42, seed: 7) == 1_340_367_696_533_541_376)
    }

    @Test func permuteKnownValues() {
        #expect(Hashing.permute(5, size: 10, seed: 123) == 7)
        #expect(Hashing.permute(123_456_789, size: 1_000_000_007, seed: -42) == 964_867_322)
        #expect(Hashing.permute(99, size: 1, seed: 5) == 0)
    }

    @Test(arguments: [2, 3, 10, 17, 1000])
    func permuteIsABijection(size: Int) {
        let images = (0..<size).map { Hashing.permute(Int64($0), size: Int64(size), seed: 31) }
        #expect(Set(images) == Set((0..<size).map(Int64.init)))
        // Values outside [0, size) wrap as pgbench does (unsigned modulo).
        #expect(Hashing.permute(Int64(size), size: Int64(size), seed: 31) == images[0])
    }
}
