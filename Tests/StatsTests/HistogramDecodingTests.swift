import Foundation
import Testing

@testable import Stats

/// interop_variants.json: odd but valid encodings must decode, broken ones must throw.
struct HistogramDecodingTests {
    /// The variants that some reference reader rejects or misreads; pgswarm rejects them all.
    static let invalidVariants: Set<String> = [
        "raw_deflate_no_zlib_header", "gzip_wrapper", "outer_len_too_big", "payload_len_too_big",
        "payload_len_too_small", "no_b64_padding",
    ]

    static func variants() throws -> [(name: String, base64: String)] {
        let root = try TestResources.json("interop_variants.json")
        return root.compactMap { name, value in
            guard let entry = value as? [String: Any], let base64 = entry["b64"] as? String else { return nil }
            return (name, base64)
        }.sorted { $0.name < $1.name }
    }

    @Test func allVariantsAreClassified() throws {
        let names = Set(try Self.variants().map(\.name))
        #expect(names.count == 16)
        #expect(Self.invalidVariants.isSubset(of: names))
    }

    @Test func validVariantsDecode() throws {
        for variant in try Self.variants() where !Self.invalidVariants.contains(variant.name) {
            #expect(throws: Never.self, "\(variant.name)") {
                let histogram = try HistogramEncoding.decode(base64: variant.base64)
                if variant.name.contains("empty") {
                    #expect(histogram.totalCount == 0, "\(variant.name)")
                } else {
                    // All non-empty variants encode some values; the tv1 ones are 1000 x1 and 2000 x3.
                    #expect(histogram.totalCount > 0, "\(variant.name)")
                }
            }
        }
    }

    @Test func levelVariantsDecodeToTheSameHistogram() throws {
        let variants = Dictionary(uniqueKeysWithValues: try Self.variants().map { ($0.name, $0.base64) })
        let reference = try HistogramEncoding.decode(base64: variants["reference_level6"]!)
        #expect(reference.totalCount == 4)
        #expect(reference.max == 2000)
        for name in ["level9", "stored_level0", "cookies_without_0x10", "trailing_zero_run_to_end", "ratio_0.001"] {
            let histogram = try HistogramEncoding.decode(base64: variants[name]!)
            #expect(histogram.counts == reference.counts, "\(name)")
        }
    }

    @Test func invalidVariantsThrow() throws {
        for variant in try Self.variants() where Self.invalidVariants.contains(variant.name) {
            #expect(throws: HistogramEncodingError.self, "\(variant.name)") {
                try HistogramEncoding.decode(base64: variant.base64)
            }
        }
    }

    @Test func specificErrorsForSpecificDefects() throws {
        let variants = Dictionary(uniqueKeysWithValues: try Self.variants().map { ($0.name, $0.base64) })
        #expect(throws: HistogramEncodingError.badBase64) {
            try HistogramEncoding.decode(base64: variants["no_b64_padding"]!)
        }
        #expect {
            try HistogramEncoding.decode(base64: variants["gzip_wrapper"]!)
        } throws: { error in
            if case .badZlibStream = error as? HistogramEncodingError { return true }
            return false
        }
        #expect {
            try HistogramEncoding.decode(base64: variants["payload_len_too_small"]!)
        } throws: { error in
            if case .badLength = error as? HistogramEncodingError { return true }
            return false
        }
    }

    @Test func truncatedAndGarbageInputsThrow() throws {
        var histogram = LatencyHistogram()
        histogram.record(1234)
        histogram.record(5_000_000)
        let compressed = try HistogramEncoding.encodeCompressed(histogram)
        // Every proper prefix is an error, never a crash or a silently smaller histogram.
        for length in 0..<compressed.count {
            var truncated = Array(compressed[0..<length])
            if truncated.count >= 8 {
                // Keep the outer length consistent so the zlib checks are the ones exercised.
                let declared = UInt32(truncated.count - 8)
                truncated[4...7] = [
                    UInt8(declared >> 24), UInt8(declared >> 16 & 0xFF), UInt8(declared >> 8 & 0xFF),
                    UInt8(declared & 0xFF),
                ]
            }
            #expect(throws: HistogramEncodingError.self, "prefix \(length)") {
                try HistogramEncoding.decode(bytes: truncated)
            }
        }
        #expect(throws: HistogramEncodingError.self) { try HistogramEncoding.decode(base64: "not base64!") }
        #expect(throws: HistogramEncodingError.self) { try HistogramEncoding.decode(bytes: [0xde, 0xad, 0xbe, 0xef]) }
    }

    @Test func countBeyondTheLastSlotIsRejected() throws {
        // Layout 1..2048 (2 buckets of 2048 sub-buckets => 3072 slots), then a zero run past the end and a count.
        var bytes = TestResources.bytes(
            hex: "1c849313000000000000000000000003000000000000000100000000000008003ff0000000000000"
        )
        let payload: [UInt8] = [0xff, 0x2f, 0x02]  // zigzag(-3072) then 1
        bytes[7] = UInt8(payload.count)
        #expect(throws: HistogramEncodingError.self) { try HistogramEncoding.decode(bytes: bytes + payload) }
        // The same run one shorter lands on the last slot and is fine.
        let inRange: [UInt8] = [0xfd, 0x2f, 0x02]  // zigzag(-3071) then 1
        let histogram = try HistogramEncoding.decode(bytes: bytes + inRange)
        #expect(histogram.totalCount == 1)
        #expect(histogram.counts.last == 1)
    }

    @Test func randomHistogramsRoundTrip() throws {
        var generator = SeededGenerator(state: 42)
        for round in 0..<40 {
            var histogram = LatencyHistogram()
            let samples = Int.random(in: 0...2_000, using: &generator)
            for _ in 0..<samples {
                // Log-uniform over 1 ns .. ~1 hour, plus the occasional clamp-worthy outlier.
                let exponent = Double.random(in: 0...42, using: &generator)
                let value = UInt64(Foundation.pow(2, exponent))
                histogram.record(value, count: UInt64.random(in: 1...3, using: &generator))
            }
            let compressed = try HistogramEncoding.decode(base64: HistogramEncoding.base64(histogram))
            let uncompressed = try HistogramEncoding.decode(bytes: HistogramEncoding.encodeUncompressed(histogram))
            #expect(compressed == histogram, "round \(round)")
            #expect(uncompressed == histogram, "round \(round)")
            #expect(compressed.max == histogram.max && compressed.min == histogram.min, "round \(round)")
            #expect(compressed.valueAtPercentile(99) == histogram.valueAtPercentile(99), "round \(round)")
        }
    }
}
