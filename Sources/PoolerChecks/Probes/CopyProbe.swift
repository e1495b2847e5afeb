import Engine
import Foundation
import NIOCore
import PGWire
import Stats
import Connection

/// `--probe copy`: the COPY sub-protocol through the pooler, on `clients` connections at once:
///
/// - COPY FROM STDIN of a thousand rows abandoned with CopyFail: ErrorResponse 57014, ReadyForQuery, and the
///   connection must still answer `SELECT 1`;
/// - COPY TO STDOUT of 100 000 rows: CopyOutResponse, every CopyData, CopyDone, CommandComplete, ReadyForQuery,
///   with the rows and bytes counted.
///
/// The COPY FROM target is a table the probe creates (unlogged, empty) before and drops after.
struct CopyProbe {
    let settings: ConnectionSettings
    let options: ProbeOptions
    let group: any EventLoopGroup

    static let table = "pgswarm_probe_copy"
    static let rowsIn = 1000
    static let rowsOut = 100_000

    func run() async -> ProbeSummary {
        let timeout = options.timeout
        var summary = ProbeSummary()
        guard await administer("CREATE UNLOGGED TABLE IF NOT EXISTS \(Self.table) (n int, t text)",
                               timeout: timeout, into: &summary)
        else { return summary }
        let settings = self.settings
        let rounds = max(1, options.rounds)
        summary.merge(await Probes.concurrently(options, group: group) { _, loop in
            var part = ProbeSummary()
            guard let connection = await ProbeLogin.openSession(settings, on: loop, timeout: timeout,
                                                                into: &part)
            else { return part }
            var reader = ProbeReader(connection)
            for _ in 0..<rounds where !Task.isCancelled {
                part.rounds += 1
                let before = (part.violationCount, part.desyncCount, part.failureCount)
                guard await Self.copyFail(connection, &reader, timeout: timeout, into: &part),
                      await Self.copyOut(connection, &reader, timeout: timeout, into: &part)
                else { break }
                if (part.violationCount, part.desyncCount, part.failureCount) == before { part.passed += 1 }
            }
            await connection.close()
            return part
        })
        _ = await administer("DROP TABLE IF EXISTS \(Self.table)", timeout: timeout, into: &summary)
        return summary
    }

    /// One statement on a connection of its own, before or after the rounds.
    private func administer(_ sql: String, timeout: TimeAmount, into summary: inout ProbeSummary) async -> Bool {
        guard let connection = await ProbeLogin.openSession(settings, on: group.next(), timeout: timeout,
                                                            into: &summary)
        else { return false }
        var encoder = connection.makeEncoder()
        encoder.query(sql)
        await connection.send(&encoder)
        var reader = ProbeReader(connection)
        let (messages, ended) = await reader.untilReady(timeout: timeout)
        await connection.close()
        for message in messages {
            if case .errorResponse(let fields) = message {
                summary.failure(fields.sqlState ?? "?????")
                summary.note("\(sql): \(fields)")
                return false
            }
        }
        return ended == nil
    }

    private static func copyFail(_ connection: ProbeConnection, _ reader: inout ProbeReader, timeout: TimeAmount,
                                 into part: inout ProbeSummary) async -> Bool
    {
        var encoder = connection.makeEncoder(capacity: 32 * 1024)
        encoder.query("COPY \(table) FROM STDIN")
        await connection.send(&encoder)
        let opening = ProbeExpectation(label: "COPY FROM STDIN", steps: [.one(.copyInResponse)])
        let opened = await opening.read(&reader, timeout: timeout, into: &part)
        guard opened.inOrder else { return opened.ended }
        var rows = connection.channel.allocator.buffer(capacity: 16 * 1024)
        for row in 0..<rowsIn {
            rows.writeString("\(row)\tprobe row \(row)\n")
        }
        encoder.copyData(rows)
        encoder.copyFail(message: "pgswarm copy probe: abandoned on purpose")
        await connection.send(&encoder)
        part.count("copy_in_bytes", UInt64(rows.readableBytes))
        let failing = ProbeExpectation(label: "CopyFail", steps: [.one(.errorResponse), .one(.readyForQuery)])
        let failed = await failing.read(&reader, timeout: timeout, into: &part)
        if failed.inOrder {
            if failed.errors.first?.sqlState == "57014" {
                part.count("copy_fails_answered")
            } else {
                part.violation("wrong_error")
                part.note("CopyFail answered with \(failed.errors.first.map { "\($0)" } ?? "no error")")
            }
        }
        guard failed.ended else { return false }
        let usable = await PipelineProbe.selectOne(connection, &reader, label: "SELECT 1 after CopyFail",
                                                   timeout: timeout, into: &part)
        if usable { part.count("usable_after_copy_fail") }
        return usable
    }

    private static func copyOut(_ connection: ProbeConnection, _ reader: inout ProbeReader, timeout: TimeAmount,
                                into part: inout ProbeSummary) async -> Bool
    {
        var encoder = connection.makeEncoder()
        encoder.query("COPY (SELECT g, repeat('x', 20) FROM generate_series(1, \(rowsOut)) g) TO STDOUT")
        await connection.send(&encoder)
        let expectation = ProbeExpectation(label: "COPY TO STDOUT", steps: [
            .one(.copyOutResponse), .repeated(.copyData, rowsOut), .one(.copyDone), .one(.commandComplete),
            .one(.readyForQuery),
        ])
        let started = ContinuousClock.now
        let reading = await expectation.read(&reader, timeout: timeout, into: &part)
        let elapsed = ContinuousClock.now - started
        part.count("copy_out_bytes", UInt64(reading.copyBytes))
        if reading.inOrder {
            part.count("copy_out_rows", UInt64(rowsOut))
            part.count("copy_out_ms", UInt64(elapsed.components.seconds * 1000
                + elapsed.components.attoseconds / 1_000_000_000_000_000))
        }
        if !reading.errors.isEmpty { part.failure(reading.errors[0].sqlState ?? "?????") }
        return reading.ended
    }
}
