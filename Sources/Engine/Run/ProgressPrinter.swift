import Stats

/// The `-P` progress line, pgbench's wording first, then what pgbench lacks (p99, connections):
/// `progress: 5.0 s, 12345.6 tps, lat 0.648 ms stddev 0.210, p99 1.203 ms, 0 failed, 8 conns`.
/// While the clients are still connecting before starting together (pgbench prints nothing then), a line of another
/// shape, which readers of progress lines pass over: `connecting: 1.0 s, 844 of 2000 clients connected`.
struct ProgressPrinter {
    let configuration: RunConfiguration
    let print: Benchmark.Printer

    /// `endSeconds` counts from the run's start, `endEpochSeconds` is the same moment as Unix time.
    func interval(_ snapshot: IntervalSnapshot, endSeconds: Double, endEpochSeconds: Double, lengthSeconds: Double,
                  openConnections: Int, phase: String? = nil, connecting: Bool = false)
    {
        // The last interval of a run is usually a sliver; it goes to the hlog but not to the screen, as in pgbench.
        guard let interval = configuration.progressInterval, lengthSeconds >= interval / 2 else { return }
        if connecting {
            print("connecting: \(fixed(endSeconds, 1)) s, \(openConnections) of \(configuration.clients) clients "
                  + "connected")
            return
        }
        let latency = snapshot.histograms[SeriesLayout.latency]
        let counters = snapshot.counters
        let tps = Double(counters.transactions) / lengthSeconds
        // pgbench's two forms: "1.0 s" from the start, or "1796408372.417 s" with --progress-timestamp.
        let time = configuration.progressTimestamp ? fixed(endEpochSeconds, 3) : fixed(endSeconds, 1)
        var line = "progress: \(time) s, \(fixed(tps, 1)) tps"
        line += ", lat \(ms(latency.mean)) ms stddev \(ms(latency.stdDeviation))"
        line += ", p99 \(ms(Double(latency.valueAtPercentile(99)))) ms"
        line += ", \(counters.failedTransactions) failed"
        if configuration.isOpenLoop {
            let lag = snapshot.histograms[SeriesLayout.lag]
            line += ", lag \(ms(lag.mean)) ms"
            if configuration.latencyLimitMicroseconds != nil {
                line += ", \(counters.skippedTransactions) skipped"
            }
        }
        line += ", \(openConnections) conns"
        if let phase { line += " [\(phase)]" }
        print(line)
    }
}

/// Nanoseconds as milliseconds with three decimals, as pgbench prints latencies.
package func ms(_ nanoseconds: Double) -> String {
    fixed(nanoseconds / 1_000_000, 3)
}

/// A number with a fixed count of decimals, without Foundation's String(format:) (which allocates a CVarArg box).
package func fixed(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value < 0 ? "-inf" : "inf") }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let negative = value < 0
    let scaled = (abs(value) * scale).rounded()
    let whole = UInt64(scaled / scale)
    let fraction = UInt64(scaled - Double(whole) * scale)
    var text = (negative && scaled != 0 ? "-" : "") + String(whole)
    if decimals > 0 {
        let digits = String(fraction)
        text += "." + String(repeating: "0", count: max(0, decimals - digits.count)) + digits
    }
    return text
}
