import Foundation

/// Reads an HdrHistogram interval log: header comments, StartTime, BaseTime, and tagged or untagged interval lines.
public enum HlogReader {
    public static func read(path: String) throws -> HlogLog {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw HlogError(path: path, line: nil, message: "cannot read: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw HlogError(path: path, line: nil, message: "not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// Parses log text; `path` only names the source in errors.
    public static func parse(_ text: String, path: String) throws -> HlogLog {
        var log = HlogLog(startTime: nil, baseTime: nil, comments: [], intervals: [])
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            func failure(_ message: String) -> HlogError {
                HlogError(path: path, line: lineNumber, message: message)
            }
            if line.isEmpty || line.hasPrefix("\"StartTimestamp\"") { continue }
            if line.hasPrefix("#") {
                if line.hasPrefix(HlogFormat.startTimePrefix) {
                    guard let seconds = leadingNumber(line.dropFirst(HlogFormat.startTimePrefix.count)) else {
                        throw failure("bad StartTime")
                    }
                    log.startTime = Date(timeIntervalSince1970: seconds)
                } else if line.hasPrefix(HlogFormat.baseTimePrefix) {
                    guard let seconds = leadingNumber(line.dropFirst(HlogFormat.baseTimePrefix.count)) else {
                        throw failure("bad BaseTime")
                    }
                    log.baseTime = seconds
                } else if line != HlogFormat.versionLine {
                    var comment = line.dropFirst()
                    if comment.hasPrefix("[") && comment.hasSuffix("]") { comment = comment.dropFirst().dropLast() }
                    log.comments.append(String(comment))
                }
                continue
            }
            log.intervals.append(try parseInterval(line, failure: failure))
        }
        return log
    }

    private static func parseInterval(_ line: Substring, failure: (String) -> HlogError) throws -> HlogInterval {
        var rest = line
        var tag: String?
        if rest.hasPrefix(HlogFormat.tagPrefix) {
            guard let comma = rest.firstIndex(of: ",") else { throw failure("tag without fields") }
            tag = String(rest[rest.index(rest.startIndex, offsetBy: HlogFormat.tagPrefix.count)..<comma])
            rest = rest[rest.index(after: comma)...]
        }
        let fields = rest.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 4 else { throw failure("expected 4 fields, found \(fields.count)") }
        guard let start = Double(fields[0]) else { throw failure("bad interval start \"\(fields[0])\"") }
        guard let length = Double(fields[1]) else { throw failure("bad interval length \"\(fields[1])\"") }
        guard let maxMs = Double(fields[2]) else { throw failure("bad interval max \"\(fields[2])\"") }
        let histogram: LatencyHistogram
        do {
            histogram = try HistogramEncoding.decode(base64: String(fields[3]))
        } catch {
            let isBase64Problem = (error as? HistogramEncodingError) == .badBase64
            throw failure(isBase64Problem ? "bad base64 histogram" : "bad histogram: \(error)")
        }
        return HlogInterval(tag: tag, start: start, length: length, maxMs: maxMs, histogram: histogram)
    }

    /// The number at the start of `text` ("1700000000.000 (seconds since epoch)...").
    private static func leadingNumber(_ text: Substring) -> Double? {
        let number = text.prefix { $0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E" }
        return Double(number)
    }
}
