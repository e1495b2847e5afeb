/// Why a (lowest, highest, significant digits) triple cannot describe a histogram.
public struct HistogramLayoutError: Error, Equatable, CustomStringConvertible {
    public let description: String

    /// Returns the problem with a layout, or nil when HdrHistogram accepts it.
    static func check(
        lowestDiscernibleValue: UInt64,
        highestTrackableValue: UInt64,
        significantDigits: Int
    ) -> HistogramLayoutError? {
        if !(0...5).contains(significantDigits) {
            return HistogramLayoutError(description: "significant digits \(significantDigits) not in 0...5")
        }
        if lowestDiscernibleValue < 1 || lowestDiscernibleValue > UInt64(Int64.max) / 2 {
            return HistogramLayoutError(description: "lowest discernible value \(lowestDiscernibleValue) out of range")
        }
        if highestTrackableValue < 2 * lowestDiscernibleValue || highestTrackableValue > UInt64(Int64.max) {
            return HistogramLayoutError(
                description: "highest trackable value \(highestTrackableValue) out of range "
                    + "(lowest is \(lowestDiscernibleValue))"
            )
        }
        // The unit shift plus the sub-bucket bits must leave room in 63 bits, as in HdrHistogram.
        var largest: UInt64 = 2
        for _ in 0..<significantDigits { largest *= 10 }
        let subBucketCountMagnitude = 64 - (largest - 1).leadingZeroBitCount
        let unitMagnitude = 63 - lowestDiscernibleValue.leadingZeroBitCount
        if unitMagnitude + subBucketCountMagnitude > 62 {
            return HistogramLayoutError(
                description: "lowest discernible value too large for \(significantDigits) digits"
            )
        }
        return nil
    }
}
