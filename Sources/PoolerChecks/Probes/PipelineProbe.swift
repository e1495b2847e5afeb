import Engine
import NIOCore
import PGWire
import Stats
import Connection

/// `--probe pipeline`: extended-protocol pipelines a pooler must pass through unchanged, each checked message by
/// message against the order the protocol prescribes:
///
/// - three Parse/Bind/Execute before one Sync, the second failing (division by zero): the server must answer the
///   first, then ErrorResponse, then skip to Sync: ReadyForQuery and nothing for the third;
/// - Parse/Bind/Execute and Flush without Sync: the replies must arrive before any Sync is sent;
/// - Execute with a row limit of 3 on a ten-row portal, then Execute again: three rows, PortalSuspended, the other
///   seven rows, CommandComplete.
///
/// After each pipeline a simple `SELECT 1` must still work. Runs on `clients` connections at once.
struct PipelineProbe {
    let settings: ConnectionSettings
    let options: ProbeOptions
    let group: any EventLoopGroup

    func run() async -> ProbeSummary {
        let timeout = options.timeout
        let settings = self.settings
        let rounds = max(1, options.rounds)
        return await Probes.concurrently(options, group: group) { _, loop in
            var part = ProbeSummary()
            guard let connection = await ProbeLogin.openSession(settings, on: loop, timeout: timeout,
                                                                into: &part)
            else { return part }
            var reader = ProbeReader(connection)
            for _ in 0..<rounds where !Task.isCancelled {
                guard await Self.round(connection, &reader, timeout: timeout, into: &part) else { break }
            }
            await connection.close()
            return part
        }
    }

    /// One round of the three pipelines; false when the connection is no longer usable.
    private static func round(_ connection: ProbeConnection, _ reader: inout ProbeReader, timeout: TimeAmount,
                              into part: inout ProbeSummary) async -> Bool
    {
        part.rounds += 1
        let before = (part.violationCount, part.desyncCount, part.failureCount)
        guard await errorInTheMiddle(connection, &reader, timeout: timeout, into: &part),
              await flushWithoutSync(connection, &reader, timeout: timeout, into: &part),
              await rowLimit(connection, &reader, timeout: timeout, into: &part),
              await selectOne(connection, &reader, label: "SELECT 1 after the pipelines", timeout: timeout,
                              into: &part)
        else { return false }
        if (part.violationCount, part.desyncCount, part.failureCount) == before { part.passed += 1 }
        return true
    }

    private static func errorInTheMiddle(_ connection: ProbeConnection, _ reader: inout ProbeReader,
                                         timeout: TimeAmount, into part: inout ProbeSummary) async -> Bool
    {
        var encoder = connection.makeEncoder()
        // floor(random()) is always 0 but volatile: the division fails in Execute, not when Bind plans (and folds)
        // it, so the error comes where the protocol says a row would.
        for sql in ["SELECT 1", "SELECT 1 / floor(random())::int", "SELECT 3"] {
            encoder.parse(statementName: "", query: sql)
            encoder.bind(portalName: "", statementName: "", parameters: [])
            encoder.execute(portalName: "")
        }
        encoder.sync()
        await connection.send(&encoder)
        let expectation = ProbeExpectation(label: "error mid-pipeline", steps: [
            .one(.parseComplete), .one(.bindComplete), .one(.dataRow), .one(.commandComplete),
            .one(.parseComplete), .one(.bindComplete), .one(.errorResponse), .one(.readyForQuery),
        ])
        let reading = await expectation.read(&reader, timeout: timeout, into: &part)
        part.count("pipelines")
        if reading.inOrder {
            if reading.errors.first?.sqlState != "22012" { part.violation("wrong_error") }
            part.count("skipped_to_sync")
        }
        return reading.ended
    }

    private static func flushWithoutSync(_ connection: ProbeConnection, _ reader: inout ProbeReader,
                                         timeout: TimeAmount, into part: inout ProbeSummary) async -> Bool
    {
        var encoder = connection.makeEncoder()
        encoder.parse(statementName: "", query: "SELECT 42")
        encoder.bind(portalName: "", statementName: "", parameters: [])
        encoder.execute(portalName: "")
        encoder.flush()
        await connection.send(&encoder)
        // Only the replies up to CommandComplete: ReadyForQuery cannot come before the Sync that is not sent yet.
        let beforeSync = ProbeExpectation(label: "Flush without Sync", steps: [
            .one(.parseComplete), .one(.bindComplete), .one(.dataRow), .one(.commandComplete),
        ])
        // A pooler that holds the replies until a Sync would make this wait the whole timeout; two seconds say it.
        var scratch = ProbeSummary()
        let flushTimeout = TimeAmount.nanoseconds(min(timeout.nanoseconds, 2_000_000_000))
        let flushed = await beforeSync.read(&reader, timeout: flushTimeout, into: &scratch)
        if flushed.inOrder && flushed.ended {
            part.count("flushes_answered")
        } else if flushed.messages == 0 && scratch.failures["timeout"] != nil {
            part.violation("flush_not_answered")
            part.note("Flush without Sync: no reply within \(flushTimeout.nanoseconds / 1_000_000) ms")
        } else {
            part.merge(scratch)
        }
        encoder.sync()
        await connection.send(&encoder)
        let afterSync = ProbeExpectation(label: "Sync after Flush", steps: [.one(.readyForQuery)])
        let synced = await afterSync.read(&reader, timeout: timeout, into: &part)
        part.count("pipelines")
        return synced.ended
    }

    private static func rowLimit(_ connection: ProbeConnection, _ reader: inout ProbeReader, timeout: TimeAmount,
                                 into part: inout ProbeSummary) async -> Bool
    {
        var encoder = connection.makeEncoder()
        encoder.parse(statementName: "", query: "SELECT generate_series(1, 10)")
        encoder.bind(portalName: "", statementName: "", parameters: [])
        encoder.execute(portalName: "", maxRows: 3)
        encoder.execute(portalName: "")
        encoder.sync()
        await connection.send(&encoder)
        let expectation = ProbeExpectation(label: "row-limited Execute", steps: [
            .one(.parseComplete), .one(.bindComplete), .repeated(.dataRow, 3), .one(.portalSuspended),
            .repeated(.dataRow, 7), .one(.commandComplete), .one(.readyForQuery),
        ])
        let reading = await expectation.read(&reader, timeout: timeout, into: &part)
        part.count("pipelines")
        if reading.inOrder { part.count("portals_suspended") }
        return reading.ended
    }

    /// A simple `SELECT 1`: RowDescription, DataRow, CommandComplete, ReadyForQuery.
    static func selectOne(_ connection: ProbeConnection, _ reader: inout ProbeReader, label: String,
                          timeout: TimeAmount, into part: inout ProbeSummary) async -> Bool
    {
        var encoder = connection.makeEncoder()
        encoder.query("SELECT 1")
        await connection.send(&encoder)
        let expectation = ProbeExpectation(label: label, steps: [
            .one(.rowDescription), .one(.dataRow), .one(.commandComplete), .one(.readyForQuery),
        ])
        let reading = await expectation.read(&reader, timeout: timeout, into: &part)
        return reading.ended && reading.inOrder
    }
}
