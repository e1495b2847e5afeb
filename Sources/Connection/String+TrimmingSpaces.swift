extension String {
    /// Without leading and trailing spaces and tabs (strtol skips leading white space; we allow both ends).
    package func trimmingSpaces() -> Substring {
        var text = self[...]
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
