import Foundation

/// A failure condition on the relative change of one metric: `p99>+10%` fails when p99 grows by more than 10%,
/// `tps<-5%` when throughput drops by more than 5%. A threshold is crossed only when the change is beyond it and
/// statistically significant, so noise alone does not fail a build.
public struct Threshold: Equatable, Sendable, CustomStringConvertible {
    public enum Direction: String, Sendable {
        case above = ">"
        case below = "<"
    }

    public var metric: Metric
    public var direction: Direction
    /// Percent, signed: +10 for `>+10%`, -5 for `<-5%`.
    public var percent: Double

    public init(metric: Metric, direction: Direction, percent: Double) {
        self.metric = metric
        self.direction = direction
        self.percent = percent
    }

    /// Parses `METRIC>PERCENT%` or `METRIC<PERCENT%` (spaces allowed, the % sign optional).
    public init(parsing text: String) throws(ReportError) {
        let compact = text.filter { !$0.isWhitespace }
        guard let operatorIndex = compact.firstIndex(where: { $0 == ">" || $0 == "<" }) else {
            throw ReportError(.usage, "threshold \"\(text)\": expected METRIC>+N% or METRIC<-N%, e.g. 'p99>+10%'")
        }
        let name = String(compact[..<operatorIndex])
        guard let metric = Metric(name: name) else {
            let names = Metric.allCases.map(\.rawValue).joined(separator: ", ")
            throw ReportError(.usage, "threshold \"\(text)\": unknown metric \"\(name)\" (one of \(names))")
        }
        var number = compact[compact.index(after: operatorIndex)...]
        if number.hasSuffix("%") { number = number.dropLast() }
        guard let percent = Double(number), percent.isFinite else {
            throw ReportError(.usage, "threshold \"\(text)\": \"\(number)\" is not a percentage")
        }
        self.init(metric: metric, direction: compact[operatorIndex] == ">" ? .above : .below, percent: percent)
    }

    /// Reads one threshold per line; blank lines and `#` comments are skipped. Errors name the file and line.
    public static func read(file path: String) throws(ReportError) -> [Threshold] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ReportError(.input, "\(path): cannot read the thresholds file (\(error.localizedDescription))")
        }
        var thresholds: [Threshold] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            guard !line.allSatisfy(\.isWhitespace) else { continue }
            do {
                thresholds.append(try Threshold(parsing: String(line)))
            } catch {
                throw ReportError(.usage, "\(path):\(index + 1): \(error.message)")
            }
        }
        return thresholds
    }

    /// True when a change of `changePercent` lies beyond the threshold.
    public func isBeyond(_ changePercent: Double) -> Bool {
        switch direction {
        case .above: return changePercent > percent
        case .below: return changePercent < percent
        }
    }

    public var description: String {
        let sign = percent >= 0 ? "+" : ""
        return "\(metric.rawValue)\(direction.rawValue)\(sign)\(Self.number(percent))%"
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
