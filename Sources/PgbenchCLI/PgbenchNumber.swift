import Connection

/// pgbench's number options, read with its rules and its messages (`-c/--client must be in range 1..2147483647`).
package enum PgbenchNumber {
    /// A whole number in `range`; pgbench's "invalid value" and "must be in range" messages otherwise.
    package static func integer(_ text: String, option: String, range: ClosedRange<Int>) throws(PgswarmError) -> Int {
        guard let value = Int(text.trimmingSpaces()) else {
            throw PgswarmError(.usage, "invalid value \"\(text)\" for option \(option)")
        }
        guard range.contains(value) else {
            throw PgswarmError(.usage, "\(option) must be in range \(range.lowerBound)..\(range.upperBound)")
        }
        return value
    }

    /// A finite decimal number, or nil when the text is not one.
    package static func decimal(_ text: String) -> Double? {
        guard let value = Double(text.trimmingSpaces()), value.isFinite else { return nil }
        return value
    }
}
