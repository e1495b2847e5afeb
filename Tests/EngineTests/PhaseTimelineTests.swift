@testable import Engine
import Testing

/// Phases on the run's clock, without a clock: who is active when, what is recorded, where the rate applies.
@Suite("Phase timeline")
struct PhaseTimelineTests {
    let timeline = PhaseTimeline(phases: [
        RunPhase(name: "warmup", kind: .warmup, durationSeconds: 10, clients: 8),
        RunPhase(name: "ramp", kind: .ramp, durationSeconds: 40, clientsFrom: 8, clientsTo: 48, rateFrom: 1000,
                 rateTo: 5000),
        RunPhase(name: "down", kind: .ramp, durationSeconds: 10, clientsFrom: 48, clientsTo: 8, rateFrom: nil,
                 rateTo: nil),
    ])

    @Test func phasesAndRecording() {
        #expect(timeline.totalSeconds == 60)
        #expect(timeline.phaseIndex(at: 0) == 0)
        #expect(timeline.phaseIndex(at: 10) == 1)
        #expect(timeline.phaseIndex(at: 59.9) == 2)
        #expect(timeline.phaseIndex(at: 60) == nil)
        #expect(!timeline.records(at: 5))
        #expect(timeline.records(at: 15))
        #expect(timeline.boundaries == [10, 50, 60])
        #expect(timeline.maximumClients == 48)
    }

    @Test func activeClientsFollowTheRamps() {
        #expect(timeline.activeClients(at: 5) == 8)
        #expect(timeline.activeClients(at: 10) == 8)
        #expect(timeline.activeClients(at: 30) == 28)   // halfway from 8 to 48
        #expect(timeline.activeClients(at: 49.99) == 48)
        #expect(timeline.activeClients(at: 55) == 28)   // halfway down
        #expect(timeline.activeClients(at: 60) == 0)
    }

    @Test func nextActivationOfClients() {
        // Client 3 runs from the start; client 27 joins when the line reaches 27.5, i.e. at 10 + 40 * 19.5 / 40.
        #expect(timeline.nextActivation(of: 3, after: 0) == 0)
        #expect(abs((timeline.nextActivation(of: 27, after: 0) ?? 0) - 29.5) < 1e-9)
        // On the way down client 40 stops near 51.9 s and never runs again.
        #expect(timeline.isActive(client: 40, at: 51))
        #expect(!timeline.isActive(client: 40, at: 53))
        #expect(timeline.nextActivation(of: 40, after: 53) == nil)
        #expect(timeline.nextActivation(of: 60, after: 0) == nil)
    }

    @Test func rateOnlyWhereAPhaseHasOne() throws {
        #expect(!timeline.hasRate(at: 5))
        #expect(timeline.hasRate(at: 20))
        #expect(!timeline.hasRate(at: 55))
        let profile = try #require(timeline.rateProfile)
        #expect(profile.rate(at: 30) == 3000)
        #expect(timeline.clientProfile.rate(at: 30) == 28)
    }
}
