/// A script's bytes with a line index, to turn byte offsets into line:column and show the offending line.
struct SourceText {
    let name: String
    let bytes: [UInt8]
    private let lineStarts: [Int]

    init(name: String, text: String) {
        self.name = name
        bytes = Array(text.utf8)
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == 0x0A { starts.append(index + 1) }
        lineStarts = starts
    }

    /// 1-based line of a byte offset.
    func line(of offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low + 1
    }

    /// 1-based column (in characters) of a byte offset.
    func column(of offset: Int) -> Int {
        let start = lineStarts[line(of: offset) - 1]
        let end = min(offset, bytes.count)
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self).count + 1
    }

    func lineText(_ line: Int) -> String {
        let start = lineStarts[line - 1]
        var end = start
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        var text = String(decoding: bytes[start..<end], as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        return text
    }

    func error(at offset: Int, _ message: String) -> WorkloadError {
        let line = line(of: offset)
        return WorkloadError(
            file: name,
            line: line,
            column: column(of: offset),
            message: message,
            sourceLine: lineText(line)
        )
    }
}
