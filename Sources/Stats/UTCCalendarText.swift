#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Date texts in UTC from the C library's calendar arithmetic rather than Foundation's DateFormatter: DateFormatter
/// loads ICU, whose tables add megabytes to the resident memory of a process that otherwise never needs them.
public enum UTCCalendarText {
    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Tue Nov 14 22:13:20 UTC 2023`: java.util.Date's toString in UTC, whole seconds (truncated).
    public static func javaDate(secondsSinceEpoch: Double) -> String {
        let parts = fields(secondsSinceEpoch)
        return "\(dayNames[Int(parts.tm_wday)]) \(monthNames[Int(parts.tm_mon)]) \(twoDigits(parts.tm_mday)) "
            + "\(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec)) UTC "
            + "\(parts.tm_year + 1900)"
    }

    /// `20231114T221320Z`: a compact ISO 8601 UTC stamp, as used for result directory names.
    public static func compactStamp(secondsSinceEpoch: Double) -> String {
        let parts = fields(secondsSinceEpoch)
        return "\(parts.tm_year + 1900)\(twoDigits(parts.tm_mon + 1))\(twoDigits(parts.tm_mday))"
            + "T\(twoDigits(parts.tm_hour))\(twoDigits(parts.tm_min))\(twoDigits(parts.tm_sec))Z"
    }

    private static func fields(_ secondsSinceEpoch: Double) -> tm {
        var seconds = time_t(secondsSinceEpoch.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    private static func twoDigits(_ value: Int32) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
