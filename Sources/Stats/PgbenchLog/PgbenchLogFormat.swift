import NIOCore

/// pgbench's log lines, written into a buffer without building strings: one call per transaction on the hot path.
public enum PgbenchLogFormat {
    /// `client_id transaction_no time script_no time_epoch time_us [schedule_lag] [retries]`, where `time` is the
    /// latency in microseconds, `skipped` or `failed`; the lag appears with `-R`, the retries with `--max-tries`
    /// other than 1 (each when the record carries it).
    public static func writeLine(_ record: PgbenchLogRecord, into buffer: inout ByteBuffer) {
        writeDecimal(UInt64(record.clientID), into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        writeDecimal(UInt64(record.transactionNumber), into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        switch record.outcome {
        case .completed(let latency): writeDecimal(latency, into: &buffer)
        case .skipped: buffer.writeStaticString("skipped")
        case .failed: buffer.writeStaticString("failed")
        }
        buffer.writeInteger(UInt8(ascii: " "))
        writeDecimal(UInt64(record.scriptIndex), into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        writeDecimal(record.endMicrosecondsSinceEpoch / 1_000_000, into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        writeDecimal(record.endMicrosecondsSinceEpoch % 1_000_000, into: &buffer)
        if let lag = record.lagMicroseconds {
            buffer.writeInteger(UInt8(ascii: " "))
            writeDecimal(lag, into: &buffer)
        }
        if let retries = record.retries {
            buffer.writeInteger(UInt8(ascii: " "))
            writeDecimal(retries, into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// One aggregate line: every field, as pgbench 15 writes them (see `PgbenchLogAggregate`).
    public static func writeLine(_ aggregate: PgbenchLogAggregate, into buffer: inout ByteBuffer) {
        let fields: [UInt64] = [
            aggregate.startSecondsSinceEpoch, aggregate.transactions,
            rounded(aggregate.latencySum), rounded(aggregate.latencySumOfSquares),
            rounded(aggregate.latencyMin), rounded(aggregate.latencyMax),
            rounded(aggregate.lagSum), rounded(aggregate.lagSumOfSquares),
            rounded(aggregate.lagMin), rounded(aggregate.lagMax),
            aggregate.skipped, aggregate.retried, aggregate.retries,
            aggregate.serializationFailures, aggregate.deadlockFailures,
        ]
        for (index, value) in fields.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
            writeDecimal(value, into: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    /// pgbench prints these doubles with `%.0f`: rounded to the nearest whole number.
    private static func rounded(_ value: Double) -> UInt64 {
        value <= 0 ? 0 : UInt64(min(value.rounded(), Double(UInt64.max)))
    }

    /// The decimal digits of `value`, most significant first, with no allocation.
    public static func writeDecimal(_ value: UInt64, into buffer: inout ByteBuffer) {
        var digits: (UInt64, UInt64) = (0, 0)  // 16 bytes of stack for up to 20 digits, written from the right
        withUnsafeMutableBytes(of: &digits) { raw in
            var remaining = value
            var index = raw.count
            repeat {
                index -= 1
                raw[index] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0 && index > 0
            if remaining > 0 {
                // Twenty digits (values from 10^16 on) do not fit in 16 bytes: write the leading part first.
                writeDecimal(remaining, into: &buffer)
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[index...]))
        }
    }
}
