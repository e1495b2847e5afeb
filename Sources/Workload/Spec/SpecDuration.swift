import Foundation

/// Durations in a workload spec: a number of seconds (`30`, `0.5`), or a number with a unit: `500ms`, `10s`, `2m`,
/// `1h`. Units combine largest first (`1m30s`).
public enum SpecDuration {
    /// Seconds for a duration text, nil when it is not one or not greater than zero.
    public static func seconds(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: [" ", "\t"])
        if let plain = Double(trimmed) { return plain > 0 && plain.isFinite ? plain : nil }
        let bytes = Array(trimmed.utf8)
        var index = 0
        var total = 0.0
        var lastUnit = Double.infinity
        // Each round reads one number and its unit, so it runs at most once per byte.
        while index < bytes.count {
            let numberStart = index
            while index < bytes.count, (bytes[index] >= 0x30 && bytes[index] <= 0x39) || bytes[index] == 0x2E {
                index += 1
            }
            guard index > numberStart,
                let number = Double(String(decoding: bytes[numberStart..<index], as: UTF8.self))
            else { return nil }
            let unitStart = index
            while index < bytes.count, bytes[index] >= 0x61 && bytes[index] <= 0x7A { index += 1 }
            let unit: Double
            switch String(decoding: bytes[unitStart..<index], as: UTF8.self) {
            case "ms": unit = 0.001
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            default: return nil
            }
            guard unit < lastUnit else { return nil }
            lastUnit = unit
            total += number * unit
        }
        return total > 0 && total.isFinite ? total : nil
    }

    static func seconds(_ value: SpecValue) -> Double? {
        switch value {
        case .integer(let number): return number > 0 ? Double(number) : nil
        case .float(let number): return number > 0 && number.isFinite ? number : nil
        case .string(let text): return seconds(text)
        default: return nil
        }
    }

    static func invalidMessage(_ value: SpecValue, key: String) -> String {
        let shown: String
        switch value {
        case .string(let text): shown = "\"\(text)\""
        case .integer(let number): shown = String(number)
        case .float(let number): shown = String(number)
        default: shown = value.typeDescription
        }
        return "invalid duration \(shown) for \"\(key)\": expected a number of seconds greater than 0, or a number "
            + "with a unit (ms, s, m, h) such as \"500ms\", \"30s\", \"2m\", \"1h\""
    }
}
