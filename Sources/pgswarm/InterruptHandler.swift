import Dispatch
import Engine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C during a run: the first asks the engine to stop starting transactions and write its results, the second
/// closes everything at once (the engine's StopSignal counts them).
final class InterruptHandler {
    private let source: any DispatchSourceSignal

    init(stop: StopSignal) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            stop.request()
            StandardError.write(
                stop.count == 1
                    ? "pgswarm: interrupted; finishing and writing results (Ctrl-C again to stop now)"
                    : "pgswarm: stopping now"
            )
        }
        source.resume()
    }

    /// Restores the default: a Ctrl-C after the run ends the process.
    func cancel() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
