import Foundation

/// The text conventions of the HdrHistogram interval log (version 1.3) shared by the writer and the reader.
enum HlogFormat {
    static let versionLine = "#[Histogram log format version 1.3]"
    static let legendLine = "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\""
    static let startTimePrefix = "#[StartTime: "
    static let baseTimePrefix = "#[BaseTime: "
    static let tagPrefix = "Tag="
    /// Some readers use a 128-byte line buffer for header lines.
    static let maximumHeaderLineBytes = 126
    /// Interval_Max is written in milliseconds for nanosecond histograms, as Java's writer does by default.
    static let maxValueUnitRatio = 1_000_000.0

    static func seconds(_ value: Double) -> String {
        JavaNumberFormat.fixed(value, decimals: 3)
    }

    /// `Tue Nov 14 22:13:20 UTC 2023`, java.util.Date's toString in UTC.
    static func javaDateText(_ date: Date) -> String {
        UTCCalendarText.javaDate(secondsSinceEpoch: date.timeIntervalSince1970)
    }

    /// A tag must not break the comma-separated line.
    static func isValidTag(_ tag: String) -> Bool {
        !tag.isEmpty && !tag.contains { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
    }
}
