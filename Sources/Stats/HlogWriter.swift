import Foundation
import NIOCore

/// Writes an HdrHistogram interval log (`.hlog`, format 1.3) that the Java, C, Python and Rust readers accept.
///
/// Each interval line goes to the file in one write as soon as it is formatted, so a crashed run keeps every
/// interval written before the crash. Not thread-safe: one owner (the collector) writes.
public final class HlogWriter {
    public let path: String
    private let file: FileHandle
    private var lastStart = -Double.infinity
    private var isClosed = false
    private var encodingBuffer = ByteBufferAllocator().buffer(capacity: 4096)

    /// Creates (or truncates) the file and writes the header. `startTime` is also the base time interval starts
    /// are relative to. A multi-line `comment` becomes one `#[...]` line per line.
    public init(path: String, startTime: Date, comment: String? = nil) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let file = FileHandle(forWritingAtPath: path)
        else {
            throw HlogError(path: path, line: nil, message: "cannot create the file")
        }
        self.file = file
        try write(Self.header(startTime: startTime, comment: comment))
    }

    deinit {
        if !isClosed { try? file.close() }
    }

    static func header(startTime: Date, comment: String?) -> String {
        var lines: [String] = []
        for commentLine in (comment ?? "").split(whereSeparator: \.isNewline) {
            lines.append(
                "#[" + truncated(String(commentLine), toUTF8Bytes: HlogFormat.maximumHeaderLineBytes - 3) + "]"
            )
        }
        let epochSeconds = HlogFormat.seconds(startTime.timeIntervalSince1970)
        lines.append(HlogFormat.versionLine)
        lines.append(
            "\(HlogFormat.startTimePrefix)\(epochSeconds) (seconds since epoch), \(HlogFormat.javaDateText(startTime))]"
        )
        // An explicit base time equal to the start: readers then take the relative starts as relative.
        lines.append("\(HlogFormat.baseTimePrefix)\(epochSeconds) (seconds since epoch)]")
        lines.append(HlogFormat.legendLine)
        return lines.joined(separator: "\n") + "\n"
    }

    private static func truncated(_ text: String, toUTF8Bytes limit: Int) -> String {
        var result = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            if bytes + size > limit { break }
            bytes += size
            result.append(character)
        }
        return result
    }

    /// Appends one interval of one series. `start` (seconds since the start time) must not go backwards; write
    /// every interval, empty ones too, and always the untagged series.
    public func writeInterval(tag: String?, start: Double, length: Double, histogram: LatencyHistogram) throws {
        guard !isClosed else { throw HlogError(path: path, line: nil, message: "write after close") }
        if let tag, !HlogFormat.isValidTag(tag) {
            throw HlogError(path: path, line: nil, message: "tag \"\(tag)\" contains a comma or white space")
        }
        guard start.isFinite, length.isFinite, length >= 0 else {
            throw HlogError(path: path, line: nil, message: "interval start \(start) or length \(length) invalid")
        }
        guard start >= lastStart else {
            throw HlogError(path: path, line: nil, message: "interval start \(start) before the previous \(lastStart)")
        }
        lastStart = start

        encodingBuffer.clear()
        do {
            try HistogramEncoding.writeCompressed(histogram, into: &encodingBuffer)
        } catch {
            throw HlogError(path: path, line: nil, message: "cannot encode histogram: \(error)")
        }
        var line = tag.map { HlogFormat.tagPrefix + $0 + "," } ?? ""
        line += HlogFormat.seconds(start) + "," + HlogFormat.seconds(length) + ","
        line += HlogFormat.seconds(Double(histogram.max) / HlogFormat.maxValueUnitRatio) + ","
        line += Data(encodingBuffer.readableBytesView).base64EncodedString() + "\n"
        try write(line)
    }

    /// Writes one interval of every series of a (merged) snapshot: `untaggedSeries` as the untagged main line that
    /// Java's HistogramLogProcessor reads by default, then every other series tagged with its name.
    public func writeIntervals(
        of snapshot: IntervalSnapshot,
        start: Double,
        length: Double,
        untaggedSeries: String = "latency"
    ) throws {
        let main = snapshot.histogram(named: untaggedSeries) ?? LatencyHistogram()
        try writeInterval(tag: nil, start: start, length: length, histogram: main)
        for (name, histogram) in zip(snapshot.seriesNames, snapshot.histograms) where name != untaggedSeries {
            try writeInterval(tag: name, start: start, length: length, histogram: histogram)
        }
    }

    /// Forces what was written to stable storage (writes themselves are not buffered in the process).
    public func flush() throws {
        guard !isClosed else { return }
        do {
            try file.synchronize()
        } catch {
            throw HlogError(path: path, line: nil, message: "cannot flush: \(error)")
        }
    }

    public func close() throws {
        guard !isClosed else { return }
        isClosed = true
        do {
            try file.close()
        } catch {
            throw HlogError(path: path, line: nil, message: "cannot close: \(error)")
        }
    }

    private func write(_ text: String) throws {
        do {
            try file.write(contentsOf: Data(text.utf8))
        } catch {
            throw HlogError(path: path, line: nil, message: "cannot write: \(error)")
        }
    }
}
