import Foundation

/// The target rate over a run, in transactions per second: constant, or piecewise linear (a ramp), possibly zero
/// for a while. A pure value: the pacer reads it, nothing changes it during a run.
public struct RateProfile: Sendable, Equatable {
    /// From `start` to `end` seconds of the run, the rate moves linearly from `from` to `to`.
    public struct Segment: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var from: Double
        public var to: Double
        public init(start: Double, end: Double, from: Double, to: Double) {
            self.start = start
            self.end = end
            self.from = from
            self.to = to
        }
    }

    public var segments: [Segment]

    public init(segments: [Segment]) {
        self.segments = segments
    }

    /// One rate for the whole run.
    public static func constant(_ rate: Double) -> RateProfile {
        RateProfile(segments: [Segment(start: 0, end: .infinity, from: rate, to: rate)])
    }

    /// The rate at `seconds` into the run; 0 outside every segment.
    public func rate(at seconds: Double) -> Double {
        for segment in segments where seconds >= segment.start && seconds < segment.end {
            if segment.end.isInfinite || segment.from == segment.to { return segment.from }
            let fraction = (seconds - segment.start) / (segment.end - segment.start)
            return segment.from + (segment.to - segment.from) * fraction
        }
        return 0
    }

    /// The first time at or after `seconds` when the rate is above zero, nil if never.
    func nextActive(after seconds: Double) -> Double? {
        var best: Double?
        for segment in segments where segment.end > seconds && (segment.from > 0 || segment.to > 0) {
            let candidate = max(segment.start, seconds)
            if best == nil || candidate < best! { best = candidate }
        }
        return best
    }
}

/// One client's share of an open-loop schedule: transactions arrive as a Poisson process whose rate is the
/// profile's rate divided among the clients (as pgbench's -R). A pure function of the previous scheduled time and
/// one uniform draw in (0, 1), so it is tested from tables, without a clock (vegeta's pacer is the model).
public struct RatePacer: Sendable {
    public let profile: RateProfile
    /// How many clients share the rate over time (constant for -R; it follows the phases of a spec).
    public let clients: RateProfile

    public init(profile: RateProfile, clients: Int) {
        self.init(profile: profile, clients: .constant(Double(max(1, clients))))
    }

    public init(profile: RateProfile, clients: RateProfile) {
        self.profile = profile
        self.clients = clients
    }

    /// When the next transaction is due, in nanoseconds since the run's start, given the previous one's scheduled
    /// time. nil when the profile has no rate left. The gap is exponential with mean clients / rate(previous); a
    /// zero rate skips to where the rate resumes.
    public func next(after previous: UInt64, uniform: Double) -> UInt64? {
        var seconds = Double(previous) / 1e9
        var rate = profile.rate(at: seconds)
        if rate <= 0 {
            guard let resume = profile.nextActive(after: seconds) else { return nil }
            seconds = resume
            rate = profile.rate(at: seconds)
            if rate <= 0 {
                // A ramp that starts at zero: take the rate a millisecond in, so the first gap is finite.
                rate = profile.rate(at: seconds + 0.001)
                guard rate > 0 else { return nil }
            }
        }
        let u = min(max(uniform, .leastNonzeroMagnitude), 1)
        let sharing = max(clients.rate(at: seconds), 1)
        let gapSeconds = -log(u) * sharing / rate
        return UInt64((seconds + gapSeconds) * 1e9)
    }
}
