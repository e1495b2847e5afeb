import Foundation

/// `compare`'s output formats: aligned text for a terminal, Markdown for a CI job summary or a pull-request
/// comment, JSON for scripts, JUnit XML so that CI shows each threshold as a test.
public enum ComparisonFormat: String, CaseIterable, Sendable {
    case text
    case markdown
    case json
    case junit
}

public enum ComparisonFormatter {
    public static func render(_ comparison: Comparison, as format: ComparisonFormat) -> String {
        switch format {
        case .text: return text(comparison)
        case .markdown: return markdown(comparison)
        case .json: return json(comparison)
        case .junit: return JUnitWriter.xml(comparison)
        }
    }

    // MARK: Text

    static func text(_ comparison: Comparison) -> String {
        var rows = [["metric", "base", "new", "change", "verdict", "noise"]]
        for metric in comparison.metrics {
            rows.append([
                metric.metric.rawValue + " (" + metric.metric.unit + ")",
                value(metric.base, metric.metric), value(metric.new, metric.metric),
                metric.changePercent.map(signedPercent) ?? "n/a", metric.verdict.rawValue, metric.noiseText,
            ])
        }
        var lines = [
            "base: " + comparison.baseLabels.joined(separator: ", "),
            "new:  " + comparison.newLabels.joined(separator: ", "), "",
        ]
        lines += aligned(rows, rightAligned: [1, 2, 3])
        if let method = comparison.metrics.first?.method { lines.append("(significance: \(method))") }
        if !comparison.thresholds.isEmpty {
            lines.append("")
            for outcome in comparison.thresholds {
                lines.append((outcome.crossed ? "FAIL " : "ok   ") + "\(outcome.threshold): \(outcome.explanation)")
            }
        }
        for warning in comparison.warnings { lines.append("warning: " + warning) }
        lines.append(comparison.regressed ? "result: regression" : "result: no threshold crossed")
        return lines.joined(separator: "\n") + "\n"
    }

    static func aligned(_ rows: [[String]], rightAligned: Set<Int>) -> [String] {
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }

    // MARK: Markdown

    static func markdown(_ comparison: Comparison) -> String {
        let icon: [Verdict: String] = [.better: "✅ better", .same: "➖ same", .worse: "❌ worse"]
        var lines = ["### pgswarm compare", ""]
        lines.append("Base: " + comparison.baseLabels.map { "`\($0)`" }.joined(separator: ", ") + "  ")
        lines.append("New: " + comparison.newLabels.map { "`\($0)`" }.joined(separator: ", "))
        lines.append("")
        lines.append("| metric | base | new | change | verdict | noise |")
        lines.append("|---|---:|---:|---:|---|---|")
        for metric in comparison.metrics {
            let cells = [
                "\(metric.metric.rawValue) (\(metric.metric.unit))", value(metric.base, metric.metric),
                value(metric.new, metric.metric), metric.changePercent.map(signedPercent) ?? "n/a",
                icon[metric.verdict]!, metric.noiseText,
            ]
            lines.append("| " + cells.map(markdownCell).joined(separator: " | ") + " |")
        }
        if let method = comparison.metrics.first?.method { lines += ["", "_Significance: \(method)._"] }
        if !comparison.thresholds.isEmpty {
            lines += ["", "| threshold | result | detail |", "|---|---|---|"]
            for outcome in comparison.thresholds {
                let result = outcome.crossed ? "❌ crossed" : "✅ passed"
                lines.append("| `\(outcome.threshold)` | \(result) | \(markdownCell(outcome.explanation)) |")
            }
        }
        for warning in comparison.warnings { lines += ["", "> ⚠️ " + markdownCell(warning)] }
        lines += ["", comparison.regressed ? "**Result: regression.**" : "**Result: no threshold crossed.**"]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func markdownCell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    // MARK: JSON

    static func json(_ comparison: Comparison) -> String {
        struct MetricRecord: Encodable {
            var metric: String
            var unit: String
            var base: Double
            var new: Double
            var change_percent: Double?
            var p_value: Double?
            var interval_percent: [Double]?
            var significant: Bool
            var verdict: String
            var method: String
        }
        struct ThresholdRecord: Encodable {
            var threshold: String
            var crossed: Bool
            var explanation: String
        }
        struct Document: Encodable {
            var base: [String]
            var new: [String]
            var metrics: [MetricRecord]
            var thresholds: [ThresholdRecord]
            var warnings: [String]
            var regressed: Bool
        }
        let document = Document(
            base: comparison.baseLabels,
            new: comparison.newLabels,
            metrics: comparison.metrics.map {
                MetricRecord(
                    metric: $0.metric.rawValue, unit: $0.metric.unit, base: $0.base, new: $0.new,
                    change_percent: $0.changePercent, p_value: $0.pValue,
                    interval_percent: $0.intervalPercent.map { [$0.lowerBound, $0.upperBound] },
                    significant: $0.significant, verdict: $0.verdict.rawValue, method: $0.method
                )
            },
            thresholds: comparison.thresholds.map {
                ThresholdRecord(threshold: $0.threshold.description, crossed: $0.crossed, explanation: $0.explanation)
            },
            warnings: comparison.warnings,
            regressed: comparison.regressed
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    // MARK: Numbers

    static func value(_ value: Double, _ metric: Metric) -> String {
        metric == .tps ? String(format: "%.1f", value) : String(format: "%.3f", value)
    }

    static func signedPercent(_ percent: Double) -> String {
        (percent >= 0 ? "+" : "") + String(format: "%.1f%%", percent)
    }

    static func pValueText(_ p: Double) -> String {
        p < 0.0001 ? "<0.0001" : String(format: "%.4f", p)
    }
}
