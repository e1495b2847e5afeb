import NIOCore
import Testing

@testable import Stats

/// Lines written by pgbench 15.18 (Debian 15.18-0+deb12u1) against PostgreSQL 15: read back into records and
/// written again, they must come out byte for byte the same.
@Suite struct PgbenchLogFormatTests {
    /// `pgbench -c 2 -j 2 -t 3 -l`; `-T 2 -R 50 -L 5 --max-tries 3 -l`; `-R 2000 -L 0.1 -l` (skipped lines).
    static let transactionLines = [
        "0 1 14034 0 1796407652 325454",
        "1 3 4057 0 1796407652 364918",
        "0 1 3352 0 1796407652 513897 80 0",
        "1 2 22593 0 1796407652 548843 2561 0",
        "1 1 36719 0 1796407680 752856 717",
        "1 2 skipped 0 1796407680 752874 0",
    ]

    /// `--aggregate-interval 1` with `-R 100 -L 1`, with `--max-tries 2 --failures-detailed`, and plain.
    static let aggregateLines = [
        "1796407654 29 351477 6947327071 700 37539 8671 12696409 49 2750 11 0 0 0 0",
        "1796407657 42 546863 13083794341 961 57474 0 0 0 0 0 0 0 0 0",
        "1796407678 63 2511745 180579753535 921 100987 1861452 121084538602 75 81598 0 0 0 0 0",
    ]

    @Test(arguments: transactionLines)
    func transactionLineRoundTrips(line: String) throws {
        let fields = line.split(separator: " ").map(String.init)
        let outcome: PgbenchLogRecord.Outcome = switch fields[2] {
        case "skipped": .skipped
        case "failed": .failed
        default: .completed(latencyMicroseconds: try #require(UInt64(fields[2])))
        }
        let record = PgbenchLogRecord(
            clientID: try #require(Int(fields[0])), transactionNumber: try #require(Int(fields[1])), outcome: outcome,
            scriptIndex: try #require(Int(fields[3])),
            endMicrosecondsSinceEpoch: try #require(UInt64(fields[4])) * 1_000_000 + (try #require(UInt64(fields[5]))),
            lagMicroseconds: fields.count > 6 ? UInt64(fields[6]) : nil,
            retries: fields.count > 7 ? UInt64(fields[7]) : nil)
        var buffer = ByteBuffer()
        PgbenchLogFormat.writeLine(record, into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == line + "\n")
    }

    @Test(arguments: aggregateLines)
    func aggregateLineRoundTrips(line: String) throws {
        let values = try line.split(separator: " ").map { try #require(UInt64($0)) }
        #expect(values.count == 15)
        var aggregate = PgbenchLogAggregate(startSecondsSinceEpoch: values[0])
        aggregate.transactions = values[1]
        (aggregate.latencySum, aggregate.latencySumOfSquares) = (Double(values[2]), Double(values[3]))
        (aggregate.latencyMin, aggregate.latencyMax) = (Double(values[4]), Double(values[5]))
        (aggregate.lagSum, aggregate.lagSumOfSquares) = (Double(values[6]), Double(values[7]))
        (aggregate.lagMin, aggregate.lagMax) = (Double(values[8]), Double(values[9]))
        (aggregate.skipped, aggregate.retried, aggregate.retries) = (values[10], values[11], values[12])
        (aggregate.serializationFailures, aggregate.deadlockFailures) = (values[13], values[14])
        var buffer = ByteBuffer()
        PgbenchLogFormat.writeLine(aggregate, into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == line + "\n")
    }

    @Test(arguments: [UInt64(0), 7, 10, 99, 1_000_000, 9_999_999_999_999_999, 10_000_000_000_000_000, .max])
    func decimals(value: UInt64) {
        var buffer = ByteBuffer()
        PgbenchLogFormat.writeDecimal(value, into: &buffer)
        #expect(buffer.readString(length: buffer.readableBytes) == String(value))
    }

    @Test("an aggregate sums completed transactions and counts the others in their own columns")
    func aggregateCounts() {
        var aggregate = PgbenchLogAggregate(startSecondsSinceEpoch: 100)
        func record(_ outcome: PgbenchLogRecord.Outcome, lag: UInt64? = nil, retries: UInt64? = nil)
            -> PgbenchLogRecord
        {
            PgbenchLogRecord(clientID: 0, transactionNumber: 1, outcome: outcome, scriptIndex: 0,
                             endMicrosecondsSinceEpoch: 100_500_000, lagMicroseconds: lag, retries: retries)
        }
        aggregate.add(record(.completed(latencyMicroseconds: 300), lag: 10, retries: 0))
        aggregate.add(record(.completed(latencyMicroseconds: 100), lag: 30, retries: 2))
        aggregate.add(record(.skipped))
        aggregate.add(record(.failed, retries: 1), failure: "40001")
        aggregate.add(record(.failed), failure: "40P01")
        #expect(aggregate.transactions == 2)
        #expect(aggregate.latencySum == 400 && aggregate.latencySumOfSquares == 100_000)
        #expect(aggregate.latencyMin == 100 && aggregate.latencyMax == 300)
        #expect(aggregate.lagSum == 40, "\(aggregate)")
        #expect(aggregate.lagMin == 10 && aggregate.lagMax == 30, "\(aggregate)")
        #expect(aggregate.skipped == 1)
        #expect(aggregate.retried == 2 && aggregate.retries == 3)
        #expect(aggregate.serializationFailures == 1 && aggregate.deadlockFailures == 1)
    }
}
