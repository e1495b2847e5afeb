import Engine
import Foundation
import Testing

/// The open-loop schedule as a pure function: tables of (previous time, uniform draw) → next time, no clock.
@Suite("Rate pacer")
struct RatePacerTests {
    struct Case: Sendable, CustomStringConvertible {
        var profile: RateProfile
        var clients: Int
        var previousSeconds: Double
        var uniform: Double
        var expectedSeconds: Double?
        var description: String { "rate at \(previousSeconds) s, u=\(uniform) → \(String(describing: expectedSeconds))" }
    }

    static let e = M_E

    static let cases: [Case] = [
        // u = 1/e gives a gap of exactly one mean interval: clients / rate.
        Case(profile: .constant(1000), clients: 1, previousSeconds: 0, uniform: 1 / e, expectedSeconds: 0.001),
        Case(profile: .constant(1000), clients: 10, previousSeconds: 2, uniform: 1 / e, expectedSeconds: 2.01),
        Case(profile: .constant(50_000), clients: 16, previousSeconds: 1, uniform: 1 / e, expectedSeconds: 1.00032),
        // u = 1/e² gives two mean intervals; u = 1 gives no gap at all.
        Case(profile: .constant(100), clients: 1, previousSeconds: 0, uniform: 1 / (e * e), expectedSeconds: 0.02),
        Case(profile: .constant(100), clients: 1, previousSeconds: 3, uniform: 1, expectedSeconds: 3),
        // A ramp from 100 to 300 tx/s over 0..10 s runs at 200 tx/s at 5 s.
        Case(profile: RateProfile(segments: [.init(start: 0, end: 10, from: 100, to: 300)]), clients: 1,
             previousSeconds: 5, uniform: 1 / e, expectedSeconds: 5.005),
        // A pause (no segment between 10 and 20 s) skips to where the rate resumes.
        Case(profile: RateProfile(segments: [.init(start: 0, end: 10, from: 100, to: 100),
                                             .init(start: 20, end: 30, from: 1000, to: 1000)]),
             clients: 1, previousSeconds: 12, uniform: 1 / e, expectedSeconds: 20.001),
        // After the last segment there is nothing left to schedule.
        Case(profile: RateProfile(segments: [.init(start: 0, end: 10, from: 100, to: 100)]), clients: 1,
             previousSeconds: 10, uniform: 0.5, expectedSeconds: nil),
    ]

    @Test(arguments: cases)
    func nextStartFromTable(_ testCase: Case) {
        let pacer = RatePacer(profile: testCase.profile, clients: testCase.clients)
        let next = pacer.next(after: UInt64(testCase.previousSeconds * 1e9), uniform: testCase.uniform)
        if let expected = testCase.expectedSeconds {
            let got = Double(next ?? 0) / 1e9
            #expect(abs(got - expected) < 1e-6, "got \(got) s")
        } else {
            #expect(next == nil)
        }
    }

    @Test("over 100,000 draws the mean gap is clients / rate within 1%")
    func meanGapMatchesRate() {
        let pacer = RatePacer(profile: .constant(50_000), clients: 8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var time: UInt64 = 0
        let draws = 100_000
        for _ in 0..<draws {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let uniform = (Double(state >> 11) + 0.5) / Double(1 << 53)
            time = pacer.next(after: time, uniform: uniform)!
        }
        let meanGap = Double(time) / 1e9 / Double(draws)
        #expect(abs(meanGap - 8.0 / 50_000) / (8.0 / 50_000) < 0.01, "mean gap \(meanGap)")
    }
}
