/// A spec's phases laid end to end on the run's clock: which phase is in force, how many clients are active and at
/// what rate. Pure: sessions ask it at transaction boundaries, the interval loop asks which intervals to record.
///
/// Client `n` is active while `n < activeClients(t)`, where `activeClients` is the ramp's line rounded to the
/// nearest client, so a ramp from 8 to 64 clients starts client 8 a little after the phase begins and client 63 a
/// little before it ends.
struct PhaseTimeline: Sendable {
    let phases: [RunPhase]
    /// Start of each phase, in seconds from the run's start.
    let starts: [Double]
    let totalSeconds: Double

    init(phases: [RunPhase]) {
        self.phases = phases
        var starts: [Double] = []
        var time = 0.0
        for phase in phases {
            starts.append(time)
            time += phase.durationSeconds
        }
        self.starts = starts
        self.totalSeconds = time
    }

    var maximumClients: Int {
        phases.map { max($0.clientsFrom, $0.clientsTo) }.max() ?? 0
    }

    func phaseIndex(at seconds: Double) -> Int? {
        guard seconds >= 0 else { return phases.isEmpty ? nil : 0 }
        for index in phases.indices.reversed() where seconds >= starts[index] {
            return seconds < starts[index] + phases[index].durationSeconds ? index : nil
        }
        return nil
    }

    private func fraction(_ index: Int, _ seconds: Double) -> Double {
        let duration = phases[index].durationSeconds
        return duration > 0 ? min(max((seconds - starts[index]) / duration, 0), 1) : 0
    }

    /// Clients that should be running at `seconds` (0 after the last phase).
    func activeClients(at seconds: Double) -> Int {
        guard let index = phaseIndex(at: seconds) else { return 0 }
        let phase = phases[index]
        let value = Double(phase.clientsFrom) + Double(phase.clientsTo - phase.clientsFrom) * fraction(index, seconds)
        return Int((value + 0.5 + 1e-9).rounded(.down))
    }

    func isActive(client: Int, at seconds: Double) -> Bool {
        client < activeClients(at: seconds)
    }

    /// The first time at or after `seconds` when `client` is active; nil if it never is again.
    func nextActivation(of client: Int, after seconds: Double) -> Double? {
        for index in phases.indices {
            let phase = phases[index]
            let start = starts[index]
            let end = start + phase.durationSeconds
            guard end > seconds else { continue }
            let from = Double(phase.clientsFrom)
            let to = Double(phase.clientsTo)
            // Rounded to the nearest client: client n is active once the line reaches n + 0.5.
            let needed = Double(client) + 0.5
            var candidate: Double?
            if from >= needed && to >= needed {
                candidate = start
            } else if to > from && to >= needed {
                // Rising: active once the line reaches client + 1.
                candidate = start + phase.durationSeconds * (needed - from) / (to - from)
            } else if from > to && from >= needed {
                // Falling: active from the start until the line drops below client + 1.
                let until = start + phase.durationSeconds * (from - needed) / (from - to)
                if seconds < until { candidate = start }
            }
            if let candidate {
                let time = max(candidate, seconds)
                if time < end && isActive(client: client, at: time + 1e-6) { return time }
            }
        }
        return nil
    }

    /// Whether the phase in force at `seconds` is open loop (has a rate).
    func hasRate(at seconds: Double) -> Bool {
        guard let index = phaseIndex(at: seconds) else { return false }
        return phases[index].rateFrom != nil
    }

    /// The rate over the run, for the pacer; nil when no phase has a rate.
    var rateProfile: RateProfile? {
        var segments: [RateProfile.Segment] = []
        for (index, phase) in phases.enumerated() {
            guard let from = phase.rateFrom else { continue }
            segments.append(.init(start: starts[index], end: starts[index] + phase.durationSeconds,
                                  from: from, to: phase.rateTo ?? from))
        }
        return segments.isEmpty ? nil : RateProfile(segments: segments)
    }

    /// Active clients over the run as a piecewise-linear profile: the pacer divides the rate among them.
    var clientProfile: RateProfile {
        RateProfile(segments: phases.indices.map { index in
            .init(start: starts[index], end: starts[index] + phases[index].durationSeconds,
                  from: Double(phases[index].clientsFrom), to: Double(phases[index].clientsTo))
        })
    }

    /// Whether what happens at `seconds` is recorded (everything but warmup).
    func records(at seconds: Double) -> Bool {
        guard let index = phaseIndex(at: seconds) else { return true }
        return phases[index].records
    }

    /// Phase boundaries, where intervals are cut so that none straddles a warmup's end.
    var boundaries: [Double] { starts.dropFirst() + [totalSeconds] }
}
