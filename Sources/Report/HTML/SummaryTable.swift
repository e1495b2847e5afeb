import Foundation
import Stats

/// The report's summary table: one row per run with its throughput, counts and latency percentiles.
enum SummaryTable {
    static func html(runs: [ResultDirectory], labels: [String]) -> String {
        let headers = [
            "run", "mode", "clients", "duration (s)", "transactions", "failed", "tps", "p50 (ms)",
            "p90 (ms)", "p99 (ms)", "p99.9 (ms)", "max (ms)", "server",
        ]
        var html = "<table id=\"summary-table\"><thead><tr>"
        html += headers.map { "<th>\(XML.escape($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for (run, label) in zip(runs, labels) {
            let summary = run.summary
            let latency = summary.latencyMicroseconds
            func ms(_ microseconds: Double) -> String { String(format: "%.3f", microseconds / 1000) }
            var cells = [label, summary.mode + (summary.rate.map { ", rate \(Axis.label($0))/s" } ?? "")]
            cells += [String(summary.clients), String(format: "%.1f", summary.durationSeconds)]
            cells += [
                String(summary.transactions), String(summary.failedTransactions), String(format: "%.1f", summary.tps),
            ]
            cells += [ms(latency.p50), ms(latency.p90), ms(latency.p99), ms(latency.p999), ms(latency.max)]
            cells.append(summary.serverVersion ?? "")
            html += "<tr>" + cells.map { "<td>\(XML.escape($0))</td>" }.joined() + "</tr>\n"
        }
        html += "</tbody></table>\n"
        let errors = runs.filter { !$0.summary.errorsBySQLState.isEmpty }
        for (run, label) in zip(runs, labels) where errors.contains(where: { $0.path == run.path }) {
            let text = run.summary.errorsBySQLState.sorted { $0.key < $1.key }.map { "\($0.key) × \($0.value)" }
            html += "<p>\(XML.escape(label)) errors by SQLSTATE: \(XML.escape(text.joined(separator: ", ")))</p>\n"
        }
        if runs.contains(where: \.summary.interrupted) {
            html += "<p><strong>Some runs were interrupted; their numbers cover only part of them.</strong></p>\n"
        }
        return html
    }
}
