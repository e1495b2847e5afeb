/// What one pooler-correctness probe (`--probe NAME`) found, under `probes.<name>` in summary.json.
///
/// Every probe fills the same shape, so that a CI check can read any of them the same way: `rounds` tried,
/// `passed` without a finding, `violations` of the protocol by kind, `desyncs` (messages that came where the
/// protocol allows none) by message name, `failures` by cause, and the probe's own figures in `counters`.
public struct ProbeSummary: Codable, Sendable, Equatable {
    public var rounds: UInt64 = 0
    public var passed: UInt64 = 0
    public var violations: [String: UInt64] = [:]
    public var desyncs: [String: UInt64] = [:]
    /// A SQLSTATE, "timeout", "closed", "undecodable", "connect".
    public var failures: [String: UInt64] = [:]
    public var counters: [String: UInt64] = [:]
    /// Plain sentences for the text summary: what the server or pooler did (refusals, fallbacks, undelivered
    /// notifications), at most a few per probe.
    public var findings: [String] = []

    public init() {}

    public var violationCount: UInt64 { violations.values.reduce(0, +) }
    public var desyncCount: UInt64 { desyncs.values.reduce(0, +) }
    public var failureCount: UInt64 { failures.values.reduce(0, +) }

    /// Adds another part's figures (probes running on several connections at once).
    public mutating func merge(_ other: ProbeSummary) {
        rounds += other.rounds
        passed += other.passed
        violations.merge(other.violations, uniquingKeysWith: +)
        desyncs.merge(other.desyncs, uniquingKeysWith: +)
        failures.merge(other.failures, uniquingKeysWith: +)
        counters.merge(other.counters, uniquingKeysWith: +)
        for finding in other.findings where !findings.contains(finding) && findings.count < 12 {
            findings.append(finding)
        }
    }

    public mutating func count(_ counter: String, _ amount: UInt64 = 1) { counters[counter, default: 0] += amount }
    public mutating func violation(_ kind: String) { violations[kind, default: 0] += 1 }
    public mutating func desync(_ messageName: String) { desyncs[messageName, default: 0] += 1 }
    public mutating func failure(_ cause: String) { failures[cause, default: 0] += 1 }
    public mutating func note(_ finding: String) {
        if !findings.contains(finding) && findings.count < 12 { findings.append(finding) }
    }
}
