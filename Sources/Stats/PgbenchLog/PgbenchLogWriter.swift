#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// One thread's pgbench log file (`-l`), as pgbench writes one per thread: `pgbench_log.PID` for the first,
/// `pgbench_log.PID.N` for the others (`--log-prefix` replaces `pgbench_log`). Per-transaction lines, or with
/// `--aggregate-interval` one line per interval; `--sampling-rate` logs that fraction of the transactions.
///
/// Owned by one event loop: lines are formatted into a buffer that goes to the file in one write(2) when it
/// holds `flushThreshold` bytes, and at `close`. Nothing is allocated per transaction.
public final class PgbenchLogWriter {
    public struct Settings: Sendable, Equatable {
        public var prefix = "pgbench_log"
        /// `--aggregate-interval` in seconds, or nil for a line per transaction.
        public var aggregateIntervalSeconds: UInt64?
        /// `--sampling-rate`: the fraction of transactions logged (per-transaction logs only).
        public var samplingRate: Double = 1

        public init(prefix: String = "pgbench_log", aggregateIntervalSeconds: UInt64? = nil, samplingRate: Double = 1) {
            self.prefix = prefix
            self.aggregateIntervalSeconds = aggregateIntervalSeconds
            self.samplingRate = samplingRate
        }

        /// The file of thread `index` (from 0) of process `processID`, in the current directory as pgbench's.
        public func path(processID: Int32, thread index: Int) -> String {
            index == 0 ? "\(prefix).\(processID)" : "\(prefix).\(processID).\(index)"
        }
    }

    public let path: String
    private let settings: Settings
    private let descriptor: Int32
    private var buffer: ByteBuffer
    private var aggregate: PgbenchLogAggregate?
    private var sampler: UInt64
    private static let flushThreshold = 64 * 1024

    /// Creates (or truncates) the file. `startMicrosecondsSinceEpoch` starts the first aggregate interval;
    /// `seed` drives the sampling.
    public init(settings: Settings, path: String, startMicrosecondsSinceEpoch: UInt64, seed: UInt64) throws {
        self.settings = settings
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw HlogError(path: path, line: nil, message: "cannot create the log file: "
                            + String(cString: strerror(errno)))
        }
        buffer = ByteBufferAllocator().buffer(capacity: Self.flushThreshold + 256)
        sampler = seed | 1
        if settings.aggregateIntervalSeconds != nil {
            aggregate = PgbenchLogAggregate(startSecondsSinceEpoch: startMicrosecondsSinceEpoch / 1_000_000)
        }
    }

    deinit {
        if descriptor >= 0 { _ = closeDescriptor(descriptor) }
    }

    /// Logs one transaction; `failure` is the SQLSTATE a failed one ended with.
    public func record(_ record: PgbenchLogRecord, failure: String? = nil) {
        if let interval = settings.aggregateIntervalSeconds, var current = aggregate {
            let second = record.endMicrosecondsSinceEpoch / 1_000_000
            // Every interval that ended before this transaction is written, empty ones too, as pgbench does.
            while second >= current.startSecondsSinceEpoch + interval {
                PgbenchLogFormat.writeLine(current, into: &buffer)
                current = PgbenchLogAggregate(startSecondsSinceEpoch: current.startSecondsSinceEpoch + interval)
            }
            current.add(record, failure: failure)
            aggregate = current
        } else {
            if settings.samplingRate < 1 && !sampled() { return }
            PgbenchLogFormat.writeLine(record, into: &buffer)
        }
        if buffer.readableBytes >= Self.flushThreshold { flush() }
    }

    /// Writes what is buffered (and, at the end of the run, the last aggregate interval) and closes the file.
    public func close(writingLastInterval: Bool = true) {
        if writingLastInterval, let current = aggregate, current.transactions + current.skipped
            + current.serializationFailures + current.deadlockFailures > 0
        {
            PgbenchLogFormat.writeLine(current, into: &buffer)
        }
        aggregate = nil
        flush()
    }

    private func flush() {
        buffer.withUnsafeReadableBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return  // A full disk loses log lines, not the run.
                }
                offset += written
            }
        }
        buffer.clear()
    }

    /// A draw against the sampling rate (xorshift64*: cheap, and reproducible for a given seed).
    private func sampled() -> Bool {
        sampler ^= sampler >> 12
        sampler ^= sampler << 25
        sampler ^= sampler >> 27
        let draw = Double((sampler &* 2_685_821_657_736_338_717) >> 11) / Double(1 << 53)
        return draw < settings.samplingRate
    }
}

private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
