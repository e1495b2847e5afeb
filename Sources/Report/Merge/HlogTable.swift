import Stats

/// `pgswarm hlog`: HdrHistogram's percentile-distribution table (Java's .hgrm layout, milliseconds) for one or
/// every series of an interval log.
public enum HlogTable {
    public enum Selection: Sendable {
        /// The untagged series (transaction latency in pgswarm's logs).
        case untagged
        case tag(String)
        case all
    }

    /// `unitRatio` divides the recorded values: 1e6 prints pgswarm's nanoseconds as milliseconds (Java's
    /// HistogramLogProcessor calls it -outputValueUnitRatio).
    public static func text(path: String, selection: Selection, unitRatio: Double = 1e6) throws(ReportError) -> String {
        let log: HlogLog
        do {
            log = try HlogReader.read(path: path)
        } catch let error as HlogError {
            throw ReportError(.input, error.description)
        } catch {
            throw ReportError(.input, "\(path): \(error)")
        }
        return try text(log: log, path: path, selection: selection, unitRatio: unitRatio)
    }

    public static func text(
        log: HlogLog,
        path: String,
        selection: Selection,
        unitRatio: Double = 1e6
    ) throws(ReportError) -> String {
        guard !log.intervals.isEmpty else { throw ReportError(.input, "\(path): no intervals") }
        switch selection {
        case .untagged:
            guard log.tags.contains(where: { $0 == nil }) else {
                throw ReportError(.usage, "\(path): no untagged series; tags: \(tagList(log)) (use --tag)")
            }
            return PercentileDistribution.text(log.merged(tag: nil), unitRatio: unitRatio)
        case .tag(let tag):
            guard log.tags.contains(tag) else {
                throw ReportError(.usage, "\(path): no series tagged \"\(tag)\"; tags: \(tagList(log))")
            }
            return PercentileDistribution.text(log.merged(tag: tag), unitRatio: unitRatio)
        case .all:
            return log.tags.map { tag in
                "#[Tag: \(tag ?? "(untagged)")]\n"
                    + PercentileDistribution.text(log.merged(tag: tag), unitRatio: unitRatio)
            }.joined(separator: "\n")
        }
    }

    private static func tagList(_ log: HlogLog) -> String {
        let tags = log.tags.compactMap { $0 }
        return tags.isEmpty ? "none" : tags.joined(separator: ", ")
    }
}
