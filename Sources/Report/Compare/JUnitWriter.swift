/// JUnit XML for `compare --format junit`: one test case per threshold (a crossed one is a failure), and one per
/// metric verdict when no threshold is given, so a CI system lists what was checked.
enum JUnitWriter {
    static func xml(_ comparison: Comparison) -> String {
        var cases: [String] = []
        var failures = 0
        if comparison.thresholds.isEmpty {
            for metric in comparison.metrics {
                let name = "\(metric.metric.rawValue) \(metric.verdict.rawValue)"
                let detail = metric.changePercent.map(ComparisonFormatter.signedPercent) ?? "n/a"
                cases.append(
                    "    <testcase classname=\"pgswarm.compare\" name=\"\(XML.escape(name))\">"
                        + "<system-out>\(XML.escape(detail + " (" + metric.noiseText + ")"))</system-out></testcase>"
                )
            }
        } else {
            for outcome in comparison.thresholds {
                let name = XML.escape(outcome.threshold.description)
                if outcome.crossed {
                    failures += 1
                    cases.append(
                        "    <testcase classname=\"pgswarm.compare\" name=\"\(name)\">"
                            + "<failure message=\"\(XML.escape(outcome.explanation))\" type=\"regression\">"
                            + "\(XML.escape(outcome.explanation))</failure></testcase>"
                    )
                } else {
                    cases.append(
                        "    <testcase classname=\"pgswarm.compare\" name=\"\(name)\">"
                            + "<system-out>\(XML.escape(outcome.explanation))</system-out></testcase>"
                    )
                }
            }
        }
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        lines.append("<testsuites name=\"pgswarm compare\" tests=\"\(cases.count)\" failures=\"\(failures)\">")
        lines.append(
            "  <testsuite name=\"pgswarm compare\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\">")
        lines += cases
        lines.append("  </testsuite>")
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Escaping for XML and HTML text and attribute values.
enum XML {
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}
