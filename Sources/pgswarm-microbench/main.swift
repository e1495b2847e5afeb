// Micro-benchmarks of the per-transaction work that is not I/O, printed as medians of several rounds.
//
//     swift run -c release pgswarm-microbench
//
// - recording: what a transaction costs the stats (two histogram samples: overall and per script);
// - snapshot: taking and recycling one loop's interval snapshot (once per interval, not per transaction).
import Foundation
import Stats

@inline(never)
func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func measure(rounds: Int = 7, iterations: Int, _ body: (Int) -> Void) -> Double {
    var perIteration: [Double] = []
    for _ in 0..<rounds {
        let start = DispatchTime.now().uptimeNanoseconds
        body(iterations)
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        perIteration.append(Double(elapsed) / Double(iterations))
    }
    return median(perIteration)
}

let recorder = LoopRecorder(seriesNames: ["latency", "connect", "service", "lag", "script.select-only"])
// Latencies spread like a real run's (50 µs .. 50 ms), precomputed so the loop measures recording only.
var generator = SystemRandomNumberGenerator()
let samples = (0..<4096).map { _ in UInt64.random(in: 50_000...50_000_000, using: &generator) }

let recording = measure(iterations: 5_000_000) { count in
    for index in 0..<count {
        let nanoseconds = samples[index & 4095]
        recorder.transactions &+= 1
        recorder.record(series: 0, nanoseconds: nanoseconds)
        recorder.record(series: 4, nanoseconds: nanoseconds)
    }
}
print("recording one transaction (2 histogram samples + counter): \(String(format: "%.1f", recording)) ns (median of 7 rounds)")

let snapshotting = measure(iterations: 200) { count in
    for _ in 0..<count {
        let snapshot = recorder.takeSnapshot()
        blackHole(snapshot.counters.transactions)
        recorder.recycle(snapshot)
    }
}
print("interval snapshot and recycle (5 series): \(String(format: "%.0f", snapshotting)) ns (median of 7 rounds)")
