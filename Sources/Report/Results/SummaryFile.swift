import Foundation
import Stats

/// Reads summary.json with messages that say what is wrong and where, instead of Foundation's decoding errors.
enum SummaryFile {
    static func read(_ path: String) throws(ReportError) -> RunSummary {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ReportError(.input, "\(path): cannot read (\(error.localizedDescription))")
        }
        do {
            return try RunSummary.makeDecoder().decode(RunSummary.self, from: data)
        } catch let error as DecodingError {
            throw ReportError(.input, "\(path): \(describe(error, data: data))")
        } catch {
            throw ReportError(.input, "\(path): not a pgswarm summary (\(error))")
        }
    }

    /// "line 3: key \"tps\": expected a number" and, when the file says which pgswarm wrote it, that version.
    static func describe(_ error: DecodingError, data: Data) -> String {
        let version = writerVersion(data)
        let origin = version.map { " (written by pgswarm \($0); this is a different summary format)" } ?? ""
        switch error {
        case .keyNotFound(let key, let context):
            let path = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            return "missing key \"\(path)\"" + origin
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            let line = lineNumber(of: context.codingPath.last?.stringValue, in: data).map { "line \($0): " } ?? ""
            return "\(line)key \"\(path)\": \(context.debugDescription)" + origin
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return "not valid JSON (\(underlyingText(context)))"
            }
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            let line = lineNumber(of: context.codingPath.last?.stringValue, in: data).map { "line \($0): " } ?? ""
            return "\(line)key \"\(path)\": \(context.debugDescription)" + origin
        @unknown default:
            return "\(error)"
        }
    }

    private static func underlyingText(_ context: DecodingError.Context) -> String {
        if let underlying = context.underlyingError as NSError? {
            return underlying.userInfo[NSDebugDescriptionErrorKey] as? String ?? underlying.localizedDescription
        }
        return context.debugDescription
    }

    /// The line of the first `"key":` in the file: enough to point at the culprit in a pretty-printed summary.
    private static func lineNumber(of key: String?, in data: Data) -> Int? {
        guard let key, let text = String(data: data, encoding: .utf8) else { return nil }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where line.contains("\"\(key)\"") {
            return index + 1
        }
        return nil
    }

    private static func writerVersion(_ data: Data) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["pgswarm_version"] as? String
    }
}
