@testable import Engine
import LocalCluster
import NIOCore
import PGWire
import Stats
import Testing
import Workload
@testable import Connection
@testable import PoolerChecks
import TestSupport

/// SplitMix64: a seeded generator, so that a planner test sees the same pipelines every time.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Backend messages for the reply checks.
private enum Reply {
    static let parseComplete = BackendMessage.parseComplete
    static let bindComplete = BackendMessage.bindComplete
    static let closeComplete = BackendMessage.closeComplete
    static let ready = BackendMessage.readyForQuery(.idle)
    static func row(_ k: String, _ v: String) -> BackendMessage {
        .dataRow(DataRow(columns: [ByteBuffer(string: k), ByteBuffer(string: v)]))
    }
    static func complete(_ tag: String) -> BackendMessage {
        .commandComplete(CommandComplete(tag: ByteBuffer(string: tag)))
    }
    static func error(_ code: String) -> BackendMessage {
        .errorResponse(ErrorFields([(.localizedSeverity, "ERROR"), (.sqlState, code), (.message, "scripted")]))
    }
    static let notice = BackendMessage.noticeResponse(ErrorFields([(.localizedSeverity, "NOTICE"), (.message, "hi")]))
}

@Suite("prepared-churn pipelines and reply checks")
struct ProbePreparedChurnPipelineTests {
    /// Feeds `messages` to a check of `pipeline`; returns the progress after each message.
    static func feed(_ pipeline: ChurnPipeline, believed: [Bool], _ messages: [BackendMessage])
        -> (ChurnReplyCheck, [ChurnReplyCheck.Progress], ProbeSummary)
    {
        var check = ChurnReplyCheck(pipeline, believed: believed)
        var part = ProbeSummary()
        let progress = messages.map { check.received($0, into: &part) }
        return (check, progress, part)
    }

    static func believed(_ prepared: Set<Int>, count: Int = 10) -> [Bool] {
        (0..<count).map(prepared.contains)
    }

    @Test("planned pipelines never Parse what is prepared nor Bind what is not, on a server that keeps everything")
    func plannerAgainstAModelServer() {
        let planner = ChurnPlanner(workingSet: 40)
        var random = SeededGenerator(state: 42)
        var server = Set<Int>()
        var executions = 0
        var closes = 0
        var queries: [ChurnPipeline.Query: Int] = [:]
        for index in 0..<400 {
            let pipeline = planner.plan(believed: (0..<40).map(server.contains), forceClose: index == 7,
                                        forceQuery: index == 9 ? .discardAll : nil, using: &random)
            if index == 7 {
                let closesFirst = if case .close? = pipeline.operations.first { true } else { false }
                #expect(closesFirst, "a forced Close comes first: \(pipeline)")
            }
            if index == 9 { #expect(pipeline.query == .discardAll) }
            #expect(pipeline.operations.filter { if case .execute = $0 { true } else { false } }.count == 4)
            for operation in pipeline.operations {
                switch operation {
                case .parse(let k):
                    #expect(!server.contains(k), "Parse of \(k), already prepared")
                    server.insert(k)
                case .execute(let k, _):
                    #expect(server.contains(k), "Bind of \(k), not prepared")
                    executions += 1
                case .close(let k):
                    #expect(server.contains(k), "Close of \(k), never prepared")
                    server.remove(k)
                    closes += 1
                }
            }
            if let query = pipeline.query {
                server.removeAll()
                queries[query, default: 0] += 1
            }
        }
        #expect(executions == 1600)
        // A few % each: dozens over 400 pipelines of 4 steps, never none.
        #expect(closes > 10)
        #expect(queries[.deallocateAll, default: 0] > 0)
        #expect(queries[.discardAll, default: 0] > 1)
    }

    @Test("--probe and [probe] know it as prepared-churn")
    func name() throws {
        #expect(try ProbeName.parseList("prepared-churn,pipeline") == [.preparedChurn, .pipeline])
        #expect(ProbeName.preparedChurn.rawValue == "prepared-churn")
        #expect(SpecProbe.knownNames.contains("prepared-churn"))
    }

    @Test("pipelines encode as Parse/Bind/Execute/Close, Sync, then the query")
    func encoding() {
        let pipeline = ChurnPipeline(operations: [.parse(3), .execute(3, value: 7), .close(3)], query: .deallocateAll)
        var encoder = FrontendMessageEncoder(buffer: ByteBuffer())
        pipeline.encode(into: &encoder)
        var bytes = encoder.flushBuffer()
        var types: [Character] = []
        while let type = bytes.readInteger(as: UInt8.self), let length = bytes.readInteger(as: Int32.self) {
            types.append(Character(Unicode.Scalar(type)))
            bytes.moveReaderIndex(forwardBy: Int(length) - 4)
        }
        #expect(types == ["P", "B", "E", "C", "S", "Q"])
        #expect(ChurnPipeline.statementText(3) == "SELECT 3::int AS k, $1::int AS v")
        #expect(ChurnPipeline.statementName(3) == "pgswarm_churn_3")
    }

    @Test("a reply in order with every row its own: counted, beliefs follow Parse, Close and DISCARD ALL")
    func cleanReply() {
        let pipeline = ChurnPipeline(operations: [.parse(3), .execute(3, value: 7), .close(3), .parse(4),
                                                  .execute(4, value: 8)], query: nil)
        let messages = [Reply.parseComplete, Reply.bindComplete, Reply.notice, Reply.row("3", "7"),
                        Reply.complete("SELECT 1"), Reply.closeComplete, Reply.parseComplete, Reply.bindComplete,
                        Reply.row("4", "8"), Reply.complete("SELECT 1"), Reply.ready]
        let (check, progress, part) = Self.feed(pipeline, believed: Self.believed([]), messages)
        #expect(progress.last == .done)
        #expect(progress.dropLast().allSatisfy { $0 == .more })
        #expect(check.believed == Self.believed([4]))
        #expect(part.counters == ["statements_parsed": 2, "executions": 2, "rows_checked": 2, "closes": 1])
        #expect(part.desyncs.isEmpty && part.failures.isEmpty)

        let discard = ChurnPipeline(operations: [.execute(4, value: 1)], query: .discardAll)
        let (after, discardProgress, discardPart) = Self.feed(discard, believed: Self.believed([4, 5]), [
            Reply.bindComplete, Reply.row("4", "1"), Reply.complete("SELECT 1"), Reply.ready,
            Reply.complete("DISCARD ALL"), Reply.ready,
        ])
        #expect(discardProgress == [.more, .more, .more, .more, .more, .done])
        #expect(after.believed == Self.believed([]))
        #expect(discardPart.counters["discard_all"] == 1)
    }

    @Test("26000 at Bind skips to Sync: counted, nothing for the rest, the statement believed gone")
    func notFoundSkipsToSync() {
        let pipeline = ChurnPipeline(operations: [.execute(4, value: 1), .parse(6), .execute(6, value: 2)],
                                     query: .deallocateAll)
        let (check, progress, part) = Self.feed(pipeline, believed: Self.believed([4]), [
            Reply.error("26000"), Reply.ready, Reply.complete("DEALLOCATE ALL"), Reply.ready,
        ])
        #expect(progress == [.more, .more, .more, .done])
        #expect(part.failures == ["26000": 1])
        #expect(part.desyncs.isEmpty)
        #expect(part.counters["errors_at_execute"] == 1)
        #expect(part.counters["deallocate_all"] == 1)
        #expect(part.counters["statements_parsed"] == nil)
        #expect(check.believed == Self.believed([]))

        let (withoutQuery, _, _) = Self.feed(ChurnPipeline(operations: [.execute(4, value: 1)], query: nil),
                                             believed: Self.believed([4, 5]), [Reply.error("26000"), Reply.ready])
        #expect(withoutQuery.believed == Self.believed([5]))
    }

    @Test("an error instead of DISCARD ALL's CommandComplete: counted, nothing believed dropped")
    func queryFails() {
        let pipeline = ChurnPipeline(operations: [.execute(4, value: 1)], query: .discardAll)
        let (check, progress, part) = Self.feed(pipeline, believed: Self.believed([4]), [
            Reply.bindComplete, Reply.row("4", "1"), Reply.complete("SELECT 1"), Reply.ready,
            Reply.error("25001"), Reply.ready,
        ])
        #expect(progress.last == .done)
        #expect(part.failures == ["25001": 1])
        #expect(part.counters["errors_at_query"] == 1)
        #expect(part.counters["discard_all"] == nil)
        #expect(part.desyncs.isEmpty)
        #expect(check.believed == Self.believed([4]))
    }

    @Test("42P05 at Parse: counted, the statement believed prepared after all")
    func alreadyExists() {
        let pipeline = ChurnPipeline(operations: [.parse(2), .execute(2, value: 5)], query: nil)
        let (check, progress, part) = Self.feed(pipeline, believed: Self.believed([]),
                                                [Reply.error("42P05"), Reply.ready])
        #expect(progress == [.more, .done])
        #expect(part.failures == ["42P05": 1])
        #expect(part.counters["errors_at_parse"] == 1)
        #expect(check.believed == Self.believed([2]))
    }

    @Test("a row of another statement or another step is a desync")
    func foreignRows() {
        let pipeline = ChurnPipeline(operations: [.execute(3, value: 7), .execute(5, value: 9)], query: nil)
        let (_, progress, part) = Self.feed(pipeline, believed: Self.believed([3, 5]), [
            Reply.bindComplete, Reply.row("5", "9"), Reply.complete("SELECT 1"),
            Reply.bindComplete, Reply.row("5", "7"), Reply.complete("SELECT 1"), Reply.ready,
        ])
        #expect(progress.last == .done)
        #expect(part.desyncs == ["DataRow of another statement": 1, "DataRow of another step": 1])
        #expect(part.counters["rows_checked"] == 2)
        #expect(part.findings.contains("prepared churn: pgswarm_churn_3 answered a row with k = 5"), "\(part)")
    }

    @Test("a message out of order is a desync by name; the rest is read up to the last ReadyForQuery")
    func outOfOrder() {
        let pipeline = ChurnPipeline(operations: [.parse(1), .execute(1, value: 5)], query: .deallocateAll)
        let (_, progress, part) = Self.feed(pipeline, believed: Self.believed([]), [
            Reply.bindComplete, Reply.row("1", "5"), Reply.complete("SELECT 1"), Reply.ready,
            Reply.complete("DEALLOCATE ALL"), Reply.ready,
        ])
        #expect(progress == [.more, .more, .more, .more, .more, .done])
        #expect(part.desyncs == ["BindComplete": 1])
        #expect(part.findings == ["prepared churn: BindComplete where ParseComplete was due"])

        // A ReadyForQuery that comes early ends the wait for one of the two.
        let (_, early, earlyPart) = Self.feed(pipeline, believed: Self.believed([]), [
            Reply.parseComplete, Reply.ready, Reply.complete("DEALLOCATE ALL"), Reply.ready,
        ])
        #expect(early == [.more, .more, .more, .done])
        #expect(earlyPart.desyncs == ["ReadyForQuery": 1])
    }

    @Test("findings in words: errors by SQLSTATE, or a clean verdict")
    func findings() {
        var transaction = ProbeSummary()
        transaction.failures = ["26000": 412, "42P05": 37]
        transaction.counters["executions"] = 1000
        // The connections' own notes fill the findings up to their cap; the verdicts still come first.
        for index in 0..<12 { transaction.note("prepared churn: note \(index)") }
        PreparedChurnProbe.describe(into: &transaction, workingSet: 200)
        #expect(transaction.findings.count == 12)
        #expect(transaction.findings.first?.hasPrefix("26000 × 412: statements this client prepared") == true)
        #expect(transaction.findings.contains { $0.hasPrefix("42P05 × 37: ") })
        #expect(!transaction.findings.contains { $0.hasPrefix("no errors") })

        var clean = ProbeSummary()
        clean.counters["executions"] = 1600
        PreparedChurnProbe.describe(into: &clean, workingSet: 200)
        #expect(clean.findings == [
            "no errors, no desyncs: 1600 executions over 200 named statements per connection, every row its own",
        ])
    }
}

/// The probe against PostgreSQL (the control) and PgBouncer 1.18 in both pool modes.
@Suite("prepared-churn probe", .serialized)
struct ProbePreparedChurnTests {
    static func run(_ settings: ConnectionSettings, rounds: Int = 2, clients: Int = 4) async throws -> ProbeSummary {
        try #require(try await runProbes([.preparedChurn], settings: settings, rounds: rounds,
                                         clients: clients)["prepared-churn"])
    }

    @Test("PostgreSQL and session pooling: no errors, no desyncs, every row checked",
          arguments: [ProbeTarget.postgres, .session])
    func clean(target: ProbeTarget) async throws {
        let summary = try await Self.run(try await target.settings())
        let report = Probes.describe("prepared-churn", summary).joined(separator: "\n")
        print("[\(target)]\n" + report)
        #expect(summary.rounds == 8, "\(report)")
        #expect(summary.passed == 8, "\(report)")
        #expect(summary.failures.isEmpty, "\(report)")
        #expect(summary.desyncs.isEmpty, "\(report)")
        #expect(summary.violations.isEmpty, "\(report)")
        // 4 clients × 2 rounds × 50 pipelines × 4 steps.
        #expect(summary.counters["pipelines"] == 400, "\(report)")
        #expect(summary.counters["executions"] == 1600, "\(report)")
        #expect(summary.counters["rows_checked"] == 1600, "\(report)")
        let parsed = summary.counters["statements_parsed"] ?? 0
        #expect(parsed > 200 && parsed < 1600, "\(report)")
        #expect((summary.counters["closes"] ?? 0) >= 8, "\(report)")
        #expect((summary.counters["deallocate_all"] ?? 0) >= 8, "\(report)")
        #expect((summary.counters["discard_all"] ?? 0) >= 8, "\(report)")
        #expect(summary.findings.contains { $0.hasPrefix("no errors, no desyncs: 1600 executions") }, "\(report)")
    }

    @Test("transaction pooling: 26000 / 42P05 counted, no desyncs, the probe completes")
    func transactionPooling() async throws {
        let summary = try await Self.run(try await ProbeTarget.transaction.settings())
        let report = Probes.describe("prepared-churn", summary).joined(separator: "\n")
        print("[transaction]\n" + report)
        Self.expectPreparedStatementErrors(summary, report: report)
    }

    @Test("transaction pooling with more clients than default_pool_size: the same, with clients queued")
    func smallPool() async throws {
        let backend = try await TestPostgres.shared()
        var options = LocalPgBouncer.Options(poolMode: .transaction)
        options.defaultPoolSize = 2
        let bouncer = try LocalPgBouncer.start(backend: backend, options: options)
        defer { bouncer.stop() }
        let summary = try await Self.run(ProbeTarget.settings(of: bouncer), rounds: 1, clients: 6)
        let report = Probes.describe("prepared-churn", summary).joined(separator: "\n")
        print("[transaction, pool of 2]\n" + report)
        #expect(summary.rounds == 6, "\(report)")
        Self.expectPreparedStatementErrors(summary, report: report)
    }

    @Test("a server that answers with another statement's row: desyncs counted, the probe ends within its timeout")
    func foreignRowFromAServer() async throws {
        // The first pipeline always starts by parsing its first statement (nothing is prepared yet); the server
        // answers it with a row whose k is in no statement, then ReadyForQuery where CommandComplete was due, then
        // nothing more.
        let row = Wire.message("D", [0, 2] + Wire.int32(2) + Array("-1".utf8) + Wire.int32(1) + Array("0".utf8))
        let started = ContinuousClock.now
        let summary = try await ProbeMisbehavingServerTests.probe(
            .preparedChurn, login: Wire.authenticationOk + Wire.backendKey(bytes: 4) + Wire.readyForQuery,
            reply: Wire.parseComplete + Wire.bindComplete + row + Wire.readyForQuery)
        let report = Probes.describe("prepared-churn", summary).joined(separator: "\n")
        #expect(ContinuousClock.now - started < .seconds(10), "\(report)")
        #expect(summary.desyncs == ["DataRow of another statement": 1, "ReadyForQuery": 1], "\(report)")
        #expect(summary.failures == ["timeout": 1], "\(report)")
        #expect(summary.rounds == 1 && summary.passed == 0, "\(report)")
        #expect(summary.findings.contains { $0.hasPrefix("desyncs × 2: ") }, "\(report)")
    }

    static func expectPreparedStatementErrors(_ summary: ProbeSummary, report: String) {
        // Every connection ran every round: errors end a pipeline, never the probe.
        #expect(summary.counters["pipelines"] == 50 * summary.rounds, "\(report)")
        #expect(!summary.failures.keys.contains("timeout") && !summary.failures.keys.contains("closed"), "\(report)")
        #expect(Set(summary.failures.keys).isSubset(of: ["26000", "42P05"]), "\(report)")
        #expect((summary.failures["26000"] ?? 0) > 0, "\(report)")
        #expect(summary.desyncs.isEmpty, "\(report)")
        #expect(summary.passed < summary.rounds, "\(report)")
        // Each row that came was its own; errors only cost the steps after them.
        let executions = summary.counters["executions"] ?? 0
        #expect(summary.counters["rows_checked"] == executions, "\(report)")
        #expect(executions > 0 && executions < 200 * summary.rounds, "\(report)")
        #expect(summary.findings.contains { $0.hasPrefix("26000 × ") }, "\(report)")
    }
}
