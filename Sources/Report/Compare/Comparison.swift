import Foundation
import Stats

/// better / same / worse for one metric, from the new side's point of view.
public enum Verdict: String, Sendable, Codable {
    case better
    case same
    case worse
}

/// One metric of `compare`: both sides, the change, and whether the change stands out from the noise.
public struct MetricComparison: Sendable {
    public var metric: Metric
    public var base: Double
    public var new: Double
    /// (new - base) / base in percent; nil when the base is 0.
    public var changePercent: Double?
    /// Mann–Whitney p-value (single runs: over per-interval values).
    public var pValue: Double?
    /// Bootstrap interval of the relative change in percent (repeated runs).
    public var intervalPercent: ClosedRange<Double>?
    public var significant: Bool
    public var verdict: Verdict
    /// How significance was judged, for the reader: "Mann–Whitney over 58 vs 60 intervals".
    public var method: String
}

/// One `--fail-on` threshold and whether the new side crossed it.
public struct ThresholdOutcome: Sendable {
    public var threshold: Threshold
    public var crossed: Bool
    /// Why, in one line: "p99 +23.4% > +10% (p = 0.0001)" or "p99 +12.0% > +10%, but within noise (p = 0.41)".
    public var explanation: String
}

/// The outcome of `pgswarm compare`: every metric and every threshold.
public struct Comparison: Sendable {
    public var baseLabels: [String]
    public var newLabels: [String]
    public var metrics: [MetricComparison]
    public var thresholds: [ThresholdOutcome]
    /// Notes that do not stop the comparison (different pgswarm versions, interrupted runs, a forced comparison).
    public var warnings: [String]

    /// True when any threshold was crossed: `compare` then exits with 1.
    public var regressed: Bool { thresholds.contains { $0.crossed } }

    public func metric(_ metric: Metric) -> MetricComparison? {
        metrics.first { $0.metric == metric }
    }
}

/// How `compare` judges noise.
public struct ComparisonOptions: Sendable {
    /// A change counts as significant below this p-value (or when the bootstrap interval at 1 - alpha excludes 0).
    public var alpha: Double = 0.05
    /// Changes smaller than this (percent) are "same" even when significant: a long run makes 0.3% significant.
    public var minimumChangePercent: Double = 2
    /// Compare runs of different workloads anyway.
    public var force = false

    public init(alpha: Double = 0.05, minimumChangePercent: Double = 2, force: Bool = false) {
        self.alpha = alpha
        self.minimumChangePercent = minimumChangePercent
        self.force = force
    }
}

extension Comparison {
    /// Compares the new side's runs with the base side's. Refuses runs of different workloads unless forced.
    public static func compare(
        base: [ResultDirectory],
        new: [ResultDirectory],
        thresholds: [Threshold] = [],
        options: ComparisonOptions = ComparisonOptions()
    ) throws(ReportError) -> Comparison {
        guard let reference = base.first, !new.isEmpty else {
            throw ReportError(.usage, "compare needs at least one base and one new results directory")
        }
        var warnings: [String] = []
        let identity = WorkloadIdentity(summary: reference.summary)
        for other in base.dropFirst() + new {
            let differences = identity.differences(from: WorkloadIdentity(summary: other.summary))
            guard !differences.isEmpty else { continue }
            let text =
                "\(reference.path) and \(other.path) ran different workloads: "
                + differences.joined(separator: "; ")
            if !options.force { throw ReportError(.input, text + " (use --force to compare them anyway)") }
            warnings.append(text)
        }
        let versions = Set((base + new).map(\.summary.pgswarmVersion))
        if versions.count > 1 {
            warnings.append("summaries from different pgswarm versions: " + versions.sorted().joined(separator: ", "))
        }
        for run in base + new where run.summary.interrupted {
            warnings.append("\(run.path): the run was interrupted; its numbers cover only part of it")
        }

        let baseSamples = base.map(RunSamples.init)
        let newSamples = new.map(RunSamples.init)
        let metrics = Metric.allCases.map { metric in
            compareMetric(metric, base: baseSamples, new: newSamples, options: options)
        }
        let outcomes = thresholds.map { threshold in
            judge(threshold, metrics.first { $0.metric == threshold.metric }!)
        }
        return Comparison(
            baseLabels: base.map(\.path),
            newLabels: new.map(\.path),
            metrics: metrics,
            thresholds: outcomes,
            warnings: warnings
        )
    }

    static func compareMetric(
        _ metric: Metric,
        base: [RunSamples],
        new: [RunSamples],
        options: ComparisonOptions
    ) -> MetricComparison {
        let baseValues = base.map { $0.overall(metric) }
        let newValues = new.map { $0.overall(metric) }
        let baseValue = mean(baseValues)
        let newValue = mean(newValues)
        let change = baseValue == 0 ? nil : 100 * (newValue / baseValue - 1)

        var pValue: Double?
        var interval: ClosedRange<Double>?
        var significant: Bool
        let method: String
        if base.count >= 2 && new.count >= 2 {
            // Repeated runs: the spread between runs is the noise that matters.
            let bootstrap = Bootstrap.relativeChangeInterval(
                base: baseValues, new: newValues, confidence: 1 - options.alpha)
            interval = bootstrap.map { (100 * $0.lower)...(100 * $0.upper) }
            significant = bootstrap?.excludesZero ?? false
            pValue = MannWhitney.pValue(baseValues, newValues)
            method = "bootstrap over \(base.count) vs \(new.count) runs"
        } else {
            let baseIntervals = base.flatMap { $0.perInterval(metric) }
            let newIntervals = new.flatMap { $0.perInterval(metric) }
            let p = MannWhitney.pValue(baseIntervals, newIntervals)
            pValue = p
            significant = p < options.alpha
            method = "Mann–Whitney over \(baseIntervals.count) vs \(newIntervals.count) intervals"
        }
        if change == nil { significant = false }

        var verdict = Verdict.same
        if let change, significant, abs(change) >= options.minimumChangePercent {
            let improved = metric.higherIsBetter ? change > 0 : change < 0
            verdict = improved ? .better : .worse
        }
        return MetricComparison(
            metric: metric, base: baseValue, new: newValue, changePercent: change, pValue: pValue,
            intervalPercent: interval, significant: significant, verdict: verdict, method: method
        )
    }

    static func judge(_ threshold: Threshold, _ comparison: MetricComparison) -> ThresholdOutcome {
        guard let change = comparison.changePercent else {
            return ThresholdOutcome(
                threshold: threshold, crossed: false,
                explanation: "\(threshold.metric.rawValue): base is 0, no relative change")
        }
        let changeText = "\(threshold.metric.rawValue) \(ComparisonFormatter.signedPercent(change))"
        let limitText = "\(threshold.direction.rawValue) \(ComparisonFormatter.signedPercent(threshold.percent))"
        let noise = comparison.noiseText
        if !threshold.isBeyond(change) {
            return ThresholdOutcome(
                threshold: threshold, crossed: false,
                explanation: "\(changeText), not \(limitText) (\(noise))")
        }
        if !comparison.significant {
            return ThresholdOutcome(
                threshold: threshold, crossed: false,
                explanation: "\(changeText) \(limitText), but within noise (\(noise))")
        }
        return ThresholdOutcome(
            threshold: threshold, crossed: true,
            explanation: "\(changeText) \(limitText) (\(noise))")
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }
}

extension MetricComparison {
    /// "p = 0.003" or "95% interval -3.1%…+4.0%".
    public var noiseText: String {
        if let intervalPercent {
            return "interval \(ComparisonFormatter.signedPercent(intervalPercent.lowerBound))…"
                + "\(ComparisonFormatter.signedPercent(intervalPercent.upperBound))"
        }
        if let pValue { return "p = \(ComparisonFormatter.pValueText(pValue))" }
        return "no test"
    }
}

/// The numbers of one run that `compare` tests: the run's overall values and its per-interval values.
struct RunSamples {
    let summary: RunSummary
    let total: LatencyHistogram
    /// The untagged intervals that cover a full interval (a short last one would skew per-interval throughput).
    let intervals: [HlogInterval]

    init(_ run: ResultDirectory) {
        summary = run.summary
        total = run.hlog.merged(tag: nil)
        let all = run.hlog.intervals(tag: nil)
        let lengths = all.map(\.length).sorted()
        let typical = lengths.isEmpty ? 0 : lengths[lengths.count / 2]
        intervals = all.filter { $0.length >= typical / 2 && $0.length > 0 }
    }

    func overall(_ metric: Metric) -> Double {
        metric == .tps ? summary.tps : metric.milliseconds(of: total)
    }

    func perInterval(_ metric: Metric) -> [Double] {
        if metric == .tps {
            return intervals.map { Double($0.histogram.totalCount) / $0.length }
        }
        return intervals.filter { $0.histogram.totalCount > 0 }.map { metric.milliseconds(of: $0.histogram) }
    }
}
