import Foundation
import Testing

@testable import Stats

/// The five histograms of histograms.json, made with Java HdrHistogram.
struct HistogramVectorsTests {
    struct Vector {
        var name: String
        var histogram: LatencyHistogram
        var uncompressedHex: String
        var base64: String
        var stats: [String: String]
    }

    /// Rebuilds each vector's histogram from its "recorded" description.
    static func vectors() throws -> [Vector] {
        let root = try TestResources.json("histograms.json")
        let entries = root["vectors"] as? [[String: Any]] ?? []
        var vectors: [Vector] = []
        for entry in entries {
            let name = entry["name"] as! String
            var histogram = LatencyHistogram(
                lowestDiscernibleValue: UInt64(entry["lowest"] as! Int),
                highestTrackableValue: UInt64(entry["highest"] as! Int),
                significantDigits: entry["sig"] as! Int
            )
            switch name {
            case "tv1_basic":
                histogram.record(1000)
                histogram.record(2000, count: 3)
            case "tv2_empty":
                break
            case "tv3_wide":
                histogram.record(1)
                histogram.record(127, count: 64)
                histogram.record(1_000_000)
                histogram.record(3_600_000_000)
            case "tv4_unit_magnitude":
                histogram.record(12_345_678, count: 5)
                histogram.record(1000)
            case "tv5_9byte_count":
                histogram.record(5, count: 1 << 62)
            default:
                Issue.record("unknown vector \(name)")
            }
            vectors.append(
                Vector(
                    name: name,
                    histogram: histogram,
                    uncompressedHex: entry["uncompressed_hex"] as! String,
                    base64: entry["b64_java_level6"] as! String,
                    stats: entry["expected_stats"] as! [String: String]
                )
            )
        }
        return vectors
    }

    @Test func fiveVectorsAreLoaded() throws {
        #expect(
            try Self.vectors().map(\.name) == [
                "tv1_basic", "tv2_empty", "tv3_wide", "tv4_unit_magnitude", "tv5_9byte_count",
            ]
        )
    }

    @Test func uncompressedBytesEqualJava() throws {
        for vector in try Self.vectors() {
            let encoded = HistogramEncoding.encodeUncompressed(vector.histogram)
            #expect(TestResources.hex(encoded) == vector.uncompressedHex, "\(vector.name)")
        }
    }

    @Test func statisticsEqualJava() throws {
        for vector in try Self.vectors() {
            expectStatistics(of: vector.histogram, equal: vector.stats, vector.name)
        }
    }

    @Test func decodingJavaBase64GivesTheSameHistogram() throws {
        for vector in try Self.vectors() {
            let decoded = try HistogramEncoding.decode(base64: vector.base64)
            #expect(decoded.counts == vector.histogram.counts, "\(vector.name)")
            #expect(decoded == vector.histogram, "\(vector.name)")
            expectStatistics(of: decoded, equal: vector.stats, vector.name)
        }
    }

    @Test func decodingJavaUncompressedBytesGivesTheSameHistogram() throws {
        for vector in try Self.vectors() {
            let decoded = try HistogramEncoding.decode(bytes: TestResources.bytes(hex: vector.uncompressedHex))
            #expect(decoded == vector.histogram, "\(vector.name)")
        }
    }

    @Test func ourCompressedEncodingInflatesToJavasBytes() throws {
        for vector in try Self.vectors() {
            let base64 = try HistogramEncoding.base64(vector.histogram)
            #expect(base64.hasPrefix("HISTF"), "\(vector.name)")
            let compressed = [UInt8](Data(base64Encoded: base64)!)
            #expect(Array(compressed[0..<4]) == [0x1c, 0x84, 0x93, 0x14])
            let declaredLength = compressed[4..<8].reduce(0) { $0 << 8 | Int($1) }
            #expect(declaredLength == compressed.count - 8)
            // zlib (RFC 1950) header: deflate method, window check bits valid.
            #expect(compressed[8] & 0x0F == 8 && (Int(compressed[8]) << 8 | Int(compressed[9])) % 31 == 0)
            let inflated = try ZlibStream.inflate(Array(compressed[8...]))
            #expect(TestResources.hex(inflated) == vector.uncompressedHex, "\(vector.name)")
        }
    }

    private func expectStatistics(of histogram: LatencyHistogram, equal stats: [String: String], _ name: String) {
        #expect(String(histogram.totalCount) == stats["total"], "\(name) total")
        #expect(String(histogram.min) == stats["min"], "\(name) min")
        #expect(String(histogram.max) == stats["max"], "\(name) max")
        #expect(String(histogram.valueAtPercentile(50)) == stats["p50"], "\(name) p50")
        #expect(String(histogram.valueAtPercentile(99)) == stats["p99"], "\(name) p99")
        #expect(String(histogram.valueAtPercentile(99.9)) == stats["p99.9"], "\(name) p99.9")
        let expectedMean = Double(stats["mean"]!)!
        let expectedDeviation = Double(stats["stddev"]!)!
        #expect(abs(histogram.mean - expectedMean) <= 1e-12 * Swift.max(1, abs(expectedMean)), "\(name) mean")
        #expect(
            abs(histogram.stdDeviation - expectedDeviation) <= 1e-9 * Swift.max(1, abs(expectedDeviation)),
            "\(name) stddev \(histogram.stdDeviation)"
        )
    }
}
