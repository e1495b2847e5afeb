/// `%N.Mf` and `%Nd` as java.util.Formatter prints them.
///
/// Java rounds the shortest decimal representation of a double half-up, where C's printf rounds the exact binary
/// value half-even; the two disagree on values such as 0.0015. The .hgrm text must match Java's byte for byte,
/// so the rounding is done here on the digits of Swift's (also shortest) description.
enum JavaNumberFormat {
    static func fixed(_ value: Double, decimals: Int, width: Int = 0) -> String {
        pad(fixedUnpadded(value, decimals: decimals), to: width)
    }

    static func integer<Number: BinaryInteger>(_ value: Number, width: Int) -> String {
        pad(String(value), to: width)
    }

    static func pad(_ text: String, to width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    static func fixedUnpadded(_ value: Double, decimals: Int) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        let negative = value.sign == .minus
        var (digits, pointPosition) = shortestDigits(of: Swift.abs(value))

        // Keep the integer digits plus `decimals` fraction digits; round half-up on the first dropped digit.
        let kept = pointPosition + decimals
        if kept < 0 {
            digits = [0]
            pointPosition = 1
        } else if kept < digits.count {
            let roundUp = digits[kept] >= 5
            digits.removeSubrange(kept...)
            if roundUp {
                var position = kept - 1
                while position >= 0 && digits[position] == 9 {
                    digits[position] = 0
                    position -= 1
                }
                if position >= 0 {
                    digits[position] += 1
                } else {
                    digits.insert(1, at: 0)
                    pointPosition += 1
                }
            }
        }

        let integerPart =
            pointPosition <= 0 ? "0" : String((0..<pointPosition).map { digitCharacter(digits, at: $0) })
        let fractionPart = String((0..<decimals).map { digitCharacter(digits, at: pointPosition + $0) })
        // Java keeps the sign of values that round to zero ("-0.00"), unlike some C libraries.
        let sign = negative ? "-" : ""
        return decimals == 0 ? sign + integerPart : sign + integerPart + "." + fractionPart
    }

    private static func digitCharacter(_ digits: [UInt8], at index: Int) -> Character {
        index >= 0 && index < digits.count ? Character(String(digits[index])) : "0"
    }

    /// The decimal digits of `value` (non-negative, finite) and where the decimal point goes:
    /// value = 0.d1d2d3... × 10^pointPosition.
    static func shortestDigits(of value: Double) -> (digits: [UInt8], pointPosition: Int) {
        if value == 0 { return ([0], 1) }
        let text = value.description  // shortest round-trip form, e.g. "100.031", "1e-05", "1.5e+20"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits: [UInt8] = []
        var integerDigitCount = 0
        var seenPoint = false
        for character in mantissa {
            if character == "." {
                seenPoint = true
            } else if let digit = character.wholeNumberValue {
                digits.append(UInt8(digit))
                if !seenPoint { integerDigitCount += 1 }
            }
        }
        var pointPosition = integerDigitCount + exponent
        while digits.count > 1 && digits.first == 0 {
            digits.removeFirst()
            pointPosition -= 1
        }
        return (digits, pointPosition)
    }
}
