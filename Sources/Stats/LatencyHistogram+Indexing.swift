// Value <-> slot arithmetic. It must match HdrHistogram bit for bit: the V2 encoding is just the slot array.

extension LatencyHistogram {
    @inlinable
    func bucketIndex(for value: UInt64) -> Int {
        leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
    }

    @inlinable
    func subBucketIndex(for value: UInt64, bucketIndex: Int) -> Int {
        Int(truncatingIfNeeded: value >> UInt64(bucketIndex + unitMagnitude))
    }

    /// The slot that counts `value`; `value` must not exceed the highest trackable value's bucket.
    @inlinable
    func countsIndex(for value: UInt64) -> Int {
        let bucket = bucketIndex(for: value)
        let subBucket = subBucketIndex(for: value, bucketIndex: bucket)
        return ((bucket + 1) << subBucketHalfCountMagnitude) + subBucket - subBucketHalfCount
    }

    /// The lowest value counted by slot `index`.
    public func valueFromIndex(_ index: Int) -> UInt64 {
        var bucket = (index >> subBucketHalfCountMagnitude) - 1
        var subBucket = (index & (subBucketHalfCount - 1)) + subBucketHalfCount
        if bucket < 0 {
            subBucket -= subBucketHalfCount
            bucket = 0
        }
        return UInt64(subBucket) << UInt64(bucket + unitMagnitude)
    }

    /// Width of the range of values that share `value`'s slot.
    public func sizeOfEquivalentValueRange(_ value: UInt64) -> UInt64 {
        let bucket = bucketIndex(for: value)
        let subBucket = subBucketIndex(for: value, bucketIndex: bucket)
        let adjustedBucket = subBucket >= subBucketCount ? bucket + 1 : bucket
        return 1 << UInt64(unitMagnitude + adjustedBucket)
    }

    public func lowestEquivalentValue(_ value: UInt64) -> UInt64 {
        let bucket = bucketIndex(for: value)
        let subBucket = subBucketIndex(for: value, bucketIndex: bucket)
        return UInt64(subBucket) << UInt64(bucket + unitMagnitude)
    }

    public func highestEquivalentValue(_ value: UInt64) -> UInt64 {
        lowestEquivalentValue(value) + sizeOfEquivalentValueRange(value) - 1
    }

    public func medianEquivalentValue(_ value: UInt64) -> UInt64 {
        lowestEquivalentValue(value) + (sizeOfEquivalentValueRange(value) >> 1)
    }
}
