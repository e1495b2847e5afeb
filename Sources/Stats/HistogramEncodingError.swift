/// Why bytes or base64 text could not be decoded as an HdrHistogram V2 histogram.
public enum HistogramEncodingError: Error, Equatable, CustomStringConvertible {
    case badBase64
    case tooShort(Int)
    case unknownCookie(UInt32)
    case badLength(String)
    case badZlibStream(String)
    case badLayout(String)
    case badCounts(String)

    public var description: String {
        switch self {
        case .badBase64: "bad base64 histogram"
        case .tooShort(let count): "histogram encoding too short (\(count) bytes)"
        case .unknownCookie(let cookie): "not an HdrHistogram V2 encoding (cookie 0x\(String(cookie, radix: 16)))"
        case .badLength(let what): "bad length: \(what)"
        case .badZlibStream(let what): "bad zlib stream: \(what)"
        case .badLayout(let what): "bad histogram layout: \(what)"
        case .badCounts(let what): "bad counts: \(what)"
        }
    }
}
