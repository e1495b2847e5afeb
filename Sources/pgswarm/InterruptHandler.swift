import Dispatch
import Engine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C or SIGTERM during a run: the first asks the engine to stop starting transactions and write its results
/// (the summary is marked interrupted), the second closes everything at once (the engine's StopSignal counts them).
/// SIGTERM is what `kill`, systemd and Kubernetes send, so it must save the results too.
final class InterruptHandler {
    private let sources: [any DispatchSourceSignal]
    private static let signals = [SIGINT, SIGTERM]

    init(stop: StopSignal) {
        sources = Self.signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                stop.request()
                StandardError.write(
                    stop.count == 1
                        ? "pgswarm: interrupted; finishing and writing results (Ctrl-C again to stop now)"
                        : "pgswarm: stopping now"
                )
            }
            source.resume()
            return source
        }
    }

    /// Restores the defaults: a signal after the run ends the process.
    func cancel() {
        for source in sources { source.cancel() }
        for number in Self.signals { signal(number, SIG_DFL) }
    }
}
