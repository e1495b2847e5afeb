/// pgbench's number options, read with its rules and its messages (`-c/--client must be in range 1..2147483647`).
enum PgbenchNumber {
    /// A whole number in `range`; pgbench's "invalid value" and "must be in range" messages otherwise.
    static func integer(_ text: String, option: String, range: ClosedRange<Int>) throws(EngineError) -> Int {
        guard let value = Int(text.trimmingSpaces()) else {
            throw EngineError(.usage, "invalid value \"\(text)\" for option \(option)")
        }
        guard range.contains(value) else {
            throw EngineError(.usage, "\(option) must be in range \(range.lowerBound)..\(range.upperBound)")
        }
        return value
    }

    /// A finite decimal number, or nil when the text is not one.
    static func decimal(_ text: String) -> Double? {
        guard let value = Double(text.trimmingSpaces()), value.isFinite else { return nil }
        return value
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (strtol skips leading white space; we allow both ends).
    func trimmingSpaces() -> Substring {
        var text = self[...]
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
