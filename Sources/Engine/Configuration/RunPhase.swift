import Workload

/// One phase of a run described by a workload spec: warmup (not recorded), ramp or steady. Phases run in order;
/// the run's length is the sum of their durations. The engine runs the spec's phases as they are.
public typealias RunPhase = SpecPhase

extension SpecPhase {
    /// A phase with a constant client count and rate (nil: closed loop).
    public init(name: String, kind: Kind, durationSeconds: Double, clients: Int, rate: Double? = nil) {
        self.init(name: name, kind: kind, durationSeconds: durationSeconds, clientsFrom: clients, clientsTo: clients,
                  rateFrom: rate, rateTo: rate)
    }

    /// Whether what happens during this phase is recorded (everything but warmup).
    public var records: Bool { kind != .warmup }
}
