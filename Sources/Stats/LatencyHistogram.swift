/// A latency histogram in nanoseconds with HdrHistogram's standard bucket layout.
///
/// The default layout (1 ns .. 1 hour, 3 significant digits) is the one every pgswarm series uses; other layouts
/// exist so that histograms decoded from other tools (and the shared test vectors) keep their own geometry.
///
/// The slot storage is allocated lazily and grows a few buckets at a time, up to the slot of the largest value recorded
/// so far: a series that never records costs no storage, and a series of millisecond latencies needs less than half
/// of what a full 1 ns .. 1 hour array takes. Several series per event loop, and a spare set each for the next
/// interval, would otherwise make up most of a small run's fixed memory.
///
/// `record` is O(1). It allocates only when a value lands beyond the storage so far (a new largest value, at most once
/// per bucket over the histogram's life), and never once the storage is uniquely referenced and large enough, which is
/// the case for a histogram owned by one `LoopRecorder` after its first intervals.
public struct LatencyHistogram: Sendable {
    public static let standardLowestDiscernibleValue: UInt64 = 1
    public static let standardHighestTrackableValue: UInt64 = 3_600_000_000_000
    public static let standardSignificantDigits = 3

    public let lowestDiscernibleValue: UInt64
    public let highestTrackableValue: UInt64
    public let significantDigits: Int

    /// log2 of the lowest discernible value, rounded down: every value is stored in units of 2^unitMagnitude.
    @usableFromInline let unitMagnitude: Int
    @usableFromInline let subBucketHalfCountMagnitude: Int
    @usableFromInline let subBucketHalfCount: Int
    @usableFromInline let subBucketMask: UInt64
    @usableFromInline let leadingZeroCountBase: Int
    public let subBucketCount: Int
    public let bucketCount: Int
    /// Slots of the full layout, `(bucketCount + 1) * subBucketCount / 2`: what `counts` returns.
    public let slotCount: Int

    /// One slot per distinguishable value range, in index order (the order the V2 encoding writes them), all
    /// `slotCount` of them. Builds a full-length array: for inspection and tests, not for loops over slots.
    public var counts: [UInt64] {
        slotCounts.count == slotCount ? slotCounts
            : slotCounts + [UInt64](repeating: 0, count: slotCount - slotCounts.count)
    }
    public var totalCount: UInt64 { recordedCount }
    /// Slots currently allocated (a prefix of the layout's `slotCount`); every slot beyond holds zero.
    public var allocatedSlotCount: Int { slotCounts.count }

    /// Storage behind `counts`, possibly shorter than `slotCount` (see the type's comment); internal so that only
    /// record/add/reset/decoding change it.
    @usableFromInline var slotCounts: [UInt64] = []
    @usableFromInline var recordedCount: UInt64 = 0
    /// Largest and smallest non-zero raw value seen; kept so reset() and encoding only touch the used slots.
    @usableFromInline var maxRecordedValue: UInt64 = 0
    @usableFromInline var minNonZeroRecordedValue: UInt64 = .max

    /// The standard pgswarm layout: 1 ns .. 1 hour, 3 significant digits.
    public init() {
        self.init(
            lowestDiscernibleValue: Self.standardLowestDiscernibleValue,
            highestTrackableValue: Self.standardHighestTrackableValue,
            significantDigits: Self.standardSignificantDigits
        )
    }

    /// A histogram with another layout. The parameters must satisfy `HistogramLayoutError.check`.
    public init(lowestDiscernibleValue: UInt64, highestTrackableValue: UInt64, significantDigits: Int) {
        if let problem = HistogramLayoutError.check(
            lowestDiscernibleValue: lowestDiscernibleValue,
            highestTrackableValue: highestTrackableValue,
            significantDigits: significantDigits
        ) {
            preconditionFailure("invalid histogram layout: \(problem)")
        }
        self.lowestDiscernibleValue = lowestDiscernibleValue
        self.highestTrackableValue = highestTrackableValue
        self.significantDigits = significantDigits

        // The same derivation as every HdrHistogram implementation, so that indexes (and thus encodings) agree.
        var largestValueWithSingleUnitResolution: UInt64 = 2
        for _ in 0..<significantDigits { largestValueWithSingleUnitResolution *= 10 }
        let subBucketCountMagnitude = 64 - (largestValueWithSingleUnitResolution - 1).leadingZeroBitCount
        self.unitMagnitude = 63 - lowestDiscernibleValue.leadingZeroBitCount
        self.subBucketHalfCountMagnitude = Swift.max(subBucketCountMagnitude, 1) - 1
        self.subBucketCount = 1 << (subBucketHalfCountMagnitude + 1)
        self.subBucketHalfCount = subBucketCount / 2
        self.subBucketMask = UInt64(subBucketCount - 1) << UInt64(unitMagnitude)
        self.leadingZeroCountBase = 64 - unitMagnitude - subBucketHalfCountMagnitude - 1

        var smallestUntrackableValue = UInt64(subBucketCount) << UInt64(unitMagnitude)
        var bucketsNeeded = 1
        while smallestUntrackableValue <= highestTrackableValue {
            if smallestUntrackableValue > UInt64(Int64.max) / 2 {
                bucketsNeeded += 1
                break
            }
            smallestUntrackableValue <<= 1
            bucketsNeeded += 1
        }
        self.bucketCount = bucketsNeeded
        self.slotCount = (bucketsNeeded + 1) * subBucketHalfCount
    }

    /// An empty histogram with the same layout as `other`.
    public init(sameLayoutAs other: LatencyHistogram) {
        self.init(
            lowestDiscernibleValue: other.lowestDiscernibleValue,
            highestTrackableValue: other.highestTrackableValue,
            significantDigits: other.significantDigits
        )
    }

    /// Records one value. Values above the highest trackable value are clamped to it, so an outlier never traps.
    @inlinable
    public mutating func record(_ nanoseconds: UInt64) {
        let value = nanoseconds < highestTrackableValue ? nanoseconds : highestTrackableValue
        let index = countsIndex(for: value)
        if index >= slotCounts.count { growStorage(toHold: index) }
        slotCounts[index] &+= 1
        recordedCount &+= 1
        if value > maxRecordedValue { maxRecordedValue = value }
        if value != 0 && value < minNonZeroRecordedValue { minNonZeroRecordedValue = value }
    }

    /// Records `count` occurrences of one value (clamped like `record(_:)`).
    @inlinable
    public mutating func record(_ nanoseconds: UInt64, count: UInt64) {
        guard count > 0 else { return }
        let value = nanoseconds < highestTrackableValue ? nanoseconds : highestTrackableValue
        let index = countsIndex(for: value)
        if index >= slotCounts.count { growStorage(toHold: index) }
        slotCounts[index] &+= count
        recordedCount &+= count
        if value > maxRecordedValue { maxRecordedValue = value }
        if value != 0 && value < minNonZeroRecordedValue { minNonZeroRecordedValue = value }
    }

    /// Adds every count of `other`. Same layouts add slot by slot; different layouts re-record each value.
    public mutating func add(_ other: LatencyHistogram) {
        guard other.recordedCount > 0 else { return }
        let usedSlots = other.usedSlotCount
        if hasSameIndexing(as: other) && usedSlots <= slotCount {
            if usedSlots > slotCounts.count { growStorage(toHold: usedSlots - 1) }
            slotCounts.withUnsafeMutableBufferPointer { mine in
                other.slotCounts.withUnsafeBufferPointer { theirs in
                    for index in 0..<usedSlots { mine[index] &+= theirs[index] }
                }
            }
            recordedCount &+= other.recordedCount
            maxRecordedValue = Swift.max(maxRecordedValue, other.maxRecordedValue)
            minNonZeroRecordedValue = Swift.min(minNonZeroRecordedValue, other.minNonZeroRecordedValue)
        } else {
            for index in 0..<usedSlots where other.slotCounts[index] != 0 {
                record(other.valueFromIndex(index), count: other.slotCounts[index])
            }
        }
    }

    /// Empties the histogram; the storage stays allocated so the next interval records without allocating.
    public mutating func reset() {
        let usedSlots = usedSlotCount
        if usedSlots > 0 {
            slotCounts.withUnsafeMutableBufferPointer { slots in
                slots.baseAddress!.update(repeating: 0, count: usedSlots)
            }
        }
        recordedCount = 0
        maxRecordedValue = 0
        minNonZeroRecordedValue = .max
    }

    /// Makes the storage reach at least slot `index`: whole buckets up to `index`'s, plus two more as headroom so that
    /// a slowly rising maximum does not reallocate at every step; never beyond `slotCount`.
    @usableFromInline
    mutating func growStorage(toHold index: Int) {
        precondition(index < slotCount, "slot \(index) beyond the layout's \(slotCount) slots")
        let bucketAligned = ((index >> subBucketHalfCountMagnitude) + 3) << subBucketHalfCountMagnitude
        let newCount = Swift.min(slotCount, Swift.max(bucketAligned, 2 * subBucketHalfCount))
        slotCounts.append(contentsOf: repeatElement(0, count: newCount - slotCounts.count))
    }

    /// Number of leading slots that can hold a non-zero count (up to and including the maximum's slot).
    public var usedSlotCount: Int {
        recordedCount == 0 ? 0 : countsIndex(for: maxRecordedValue) + 1
    }

    func hasSameIndexing(as other: LatencyHistogram) -> Bool {
        unitMagnitude == other.unitMagnitude && subBucketCount == other.subBucketCount
    }

    /// Rebuilds the totals from `slotCounts` after they were filled directly (decoding).
    mutating func establishTotalsFromCounts() {
        recordedCount = 0
        maxRecordedValue = 0
        minNonZeroRecordedValue = .max
        for index in slotCounts.indices where slotCounts[index] != 0 {
            recordedCount &+= slotCounts[index]
            let value = valueFromIndex(index)
            maxRecordedValue = highestEquivalentValue(value)
            if value != 0 && minNonZeroRecordedValue == .max { minNonZeroRecordedValue = value }
        }
    }
}

extension LatencyHistogram: Equatable {
    /// Equal when the layouts match and every slot holds the same count, however much storage each has allocated.
    public static func == (lhs: LatencyHistogram, rhs: LatencyHistogram) -> Bool {
        guard lhs.lowestDiscernibleValue == rhs.lowestDiscernibleValue
            && lhs.highestTrackableValue == rhs.highestTrackableValue
            && lhs.significantDigits == rhs.significantDigits
            && lhs.recordedCount == rhs.recordedCount
        else { return false }
        let common = Swift.min(lhs.slotCounts.count, rhs.slotCounts.count)
        return lhs.slotCounts[..<common] == rhs.slotCounts[..<common]
            && lhs.slotCounts[common...].allSatisfy { $0 == 0 }
            && rhs.slotCounts[common...].allSatisfy { $0 == 0 }
    }
}
