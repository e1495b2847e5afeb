import Engine
import NIOCore
import PGWire
import Stats
import Synchronization
import Connection

/// `--probe faults`: network faults under load, on loopback. The probe's clients insert numbered rows, each in its
/// own autocommit statement, through a `FaultProxy` in front of the target; in each round, half a second in, the
/// proxy breaks every connection: even rounds reset them (TCP RST, as a crashed middlebox or pooler would), odd
/// rounds stall them for a second (nothing lost, nothing moves). The clients reconnect and go on.
///
/// What it measures: how long each client took from the fault to its next commit (recovery), and the fate of every
/// insert that was in flight when its connection broke, settled afterwards by reading the table over a connection
/// that bypasses the proxy: committed, or not. An insert the server acknowledged but that is not in the table, or
/// one that failed but is, is a violation: a pooler that loses or invents commits.
struct FaultProbe {
    let settings: ConnectionSettings
    let options: ProbeOptions
    let group: any EventLoopGroup

    static let faultAfterNanos: UInt64 = 500_000_000
    static let stallNanos: UInt64 = 1_000_000_000
    static let roundNanos: UInt64 = 2_000_000_000

    enum Fault: String, Sendable {
        case reset, stall
    }

    /// When the round's fault was injected (0 until it is), read by the clients as they commit.
    final class FaultMark: Sendable {
        private let nanos = Atomic<UInt64>(0)
        func set(_ value: UInt64) { nanos.store(value, ordering: .releasing) }
        var value: UInt64 { nanos.load(ordering: .acquiring) }
    }

    /// What one client saw in one round.
    struct ClientOutcome: Sendable {
        var fault = Fault.reset
        var part = ProbeSummary()
        var committed: [Int64] = []
        var failed: [Int64] = []
        /// In flight when the connection broke or the reply timed out.
        var unknown: [Int64] = []
        /// From the fault to this client's first commit after it.
        var recoveryNanos: UInt64?
        var longestWaitNanos: UInt64 = 0
    }

    func run() async -> ProbeSummary {
        var summary = ProbeSummary()
        let timeout = options.timeout
        // The bookkeeping connection goes straight to the target, never through the faults.
        guard let admin = await ProbeLogin.openSession(settings, on: group.next(), timeout: timeout, into: &summary)
        else { return summary }
        var adminReader = ProbeReader(admin)
        let table = "pgswarm_fault_probe_" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        guard await Self.simpleQuery("CREATE TABLE \(table) (id bigint PRIMARY KEY)", admin, &adminReader,
                                     timeout: timeout, into: &summary) != nil
        else {
            summary.note("cannot create the probe's table \(table)")
            await admin.close()
            return summary
        }
        let proxy: FaultProxy
        do {
            proxy = try await FaultProxy.start(target: settings.endpoint, group: group)
        } catch {
            summary.failure("proxy")
            summary.note("cannot start the fault proxy: \(error)")
            _ = await Self.simpleQuery("DROP TABLE \(table)", admin, &adminReader, timeout: timeout, into: &summary)
            await admin.close()
            return summary
        }
        var proxied = settings
        proxied.endpoint = .tcp(host: "127.0.0.1", port: proxy.port)

        var outcomes: [ClientOutcome] = []
        var resets = 0
        var stalls = 0
        for round in 0..<max(1, options.rounds) {
            let start = Self.now()
            let fault: Fault = round % 2 == 0 ? .reset : .stall
            let mark = FaultMark()
            let clients = max(1, options.clients)
            async let roundOutcomes = Self.runClients(
                clients, round: round, fault: fault, table: table, settings: proxied, group: group, mark: mark,
                end: start + Self.roundNanos, timeout: timeout)
            try? await Task.sleep(nanoseconds: Self.faultAfterNanos)
            // Recovery counts from the moment the fault is in place: a reply that slipped through before does not
            // count as recovered.
            switch fault {
            case .reset:
                resets += await proxy.resetAll()
                mark.set(Self.now())
            case .stall:
                await proxy.beginStall()
                mark.set(Self.now())
                try? await Task.sleep(nanoseconds: Self.stallNanos)
                await proxy.endStall()
                stalls += 1
            }
            outcomes += await roundOutcomes
        }
        await proxy.close()

        let present = await Self.ids(in: table, admin, &adminReader, timeout: timeout, into: &summary)
        _ = await Self.simpleQuery("DROP TABLE \(table)", admin, &adminReader, timeout: timeout, into: &summary)
        await admin.close()
        guard let present else {
            summary.note("cannot read back the probe's table: the fate of in-flight inserts is unknown")
            return summary
        }
        Self.settle(outcomes, present: present, resets: resets, stalls: stalls, into: &summary)
        return summary
    }

    /// Folds the clients' outcomes into the summary, settling each in-flight insert against the table.
    static func settle(_ outcomes: [ClientOutcome], present: Set<Int64>, resets: Int, stalls: Int,
                       into summary: inout ProbeSummary)
    {
        var inFlightCommitted = 0
        var inFlightLost = 0
        var recoveries: [Fault: [UInt64]] = [:]
        var longestWait: UInt64 = 0
        for outcome in outcomes {
            summary.merge(outcome.part)
            summary.rounds += 1
            let lost = outcome.committed.filter { !present.contains($0) }.count
            let invented = outcome.failed.filter { present.contains($0) }.count
            for _ in 0..<lost { summary.violation("acknowledged_commit_missing") }
            for _ in 0..<invented { summary.violation("failed_insert_committed") }
            let committed = outcome.unknown.filter { present.contains($0) }.count
            inFlightCommitted += committed
            inFlightLost += outcome.unknown.count - committed
            if let recovery = outcome.recoveryNanos {
                recoveries[outcome.fault, default: []].append(recovery)
            } else {
                summary.failure("never_recovered")
            }
            longestWait = max(longestWait, outcome.longestWaitNanos)
            if lost == 0 && invented == 0 && outcome.recoveryNanos != nil { summary.passed += 1 }
        }
        summary.count("committed", UInt64(outcomes.reduce(0) { $0 + $1.committed.count }))
        summary.count("in_flight", UInt64(inFlightCommitted + inFlightLost))
        summary.count("in_flight_committed", UInt64(inFlightCommitted))
        summary.count("in_flight_not_committed", UInt64(inFlightLost))
        summary.count("connections_reset", UInt64(resets))
        summary.count("stalls", UInt64(stalls))
        summary.count("longest_wait_ms", longestWait / 1_000_000)
        for fault in [Fault.reset, .stall] {
            guard let times = recoveries[fault]?.sorted(), let worst = times.last else { continue }
            let median = times[times.count / 2] / 1_000_000
            summary.count("recovery_after_\(fault.rawValue)_ms_p50", median)
            summary.count("recovery_after_\(fault.rawValue)_ms_max", worst / 1_000_000)
            let what = fault == .reset ? "\(resets) connections reset"
                : "\(stalls) stall\(stalls == 1 ? "" : "s") of \(stallNanos / 1_000_000) ms"
            summary.note("\(what): clients committed again \(median) ms later (median; max \(worst / 1_000_000) ms)")
        }
        summary.note("in-flight inserts when a connection broke: \(inFlightCommitted) committed, \(inFlightLost) not")
    }

    private static func runClients(
        _ count: Int, round: Int, fault: Fault, table: String, settings: ConnectionSettings, group: any EventLoopGroup,
        mark: FaultMark, end: UInt64, timeout: TimeAmount
    ) async -> [ClientOutcome] {
        await withTaskGroup(of: ClientOutcome.self) { tasks in
            for index in 0..<count {
                let loop = group.next()
                tasks.addTask {
                    var outcome = await client(index, round: round, table: table, settings: settings, loop: loop,
                                               mark: mark, end: end, timeout: timeout)
                    outcome.fault = fault
                    return outcome
                }
            }
            var all: [ClientOutcome] = []
            for await outcome in tasks { all.append(outcome) }
            return all
        }
    }

    /// One client's round: insert, insert, ... until `end`, reconnecting whenever the connection breaks.
    private static func client(
        _ index: Int, round: Int, table: String, settings: ConnectionSettings, loop: any EventLoop, mark: FaultMark,
        end: UInt64, timeout: TimeAmount
    ) async -> ClientOutcome {
        var outcome = ClientOutcome()
        var session: (connection: ProbeConnection, reader: ProbeReader)?
        var sequence: Int64 = 0
        // Bounded by the round's end; each pass either inserts (bounded by `timeout`) or waits 50 ms to reconnect.
        while now() < end {
            if session == nil {
                guard let connection = await ProbeLogin.openSession(settings, on: loop, timeout: timeout,
                                                                    into: &outcome.part)
                else {
                    try? await Task.sleep(nanoseconds: 50_000_000)
                    continue
                }
                outcome.part.count("connections")
                session = (connection, ProbeReader(connection))
            }
            guard let (connection, existingReader) = session else { continue }
            var reader = existingReader
            sequence += 1
            let id = Int64(round) * 1_000_000_000 + Int64(index) * 1_000_000 + sequence
            var encoder = connection.makeEncoder()
            encoder.query("INSERT INTO \(table) VALUES (\(id))")
            let sentAt = now()
            await connection.send(&encoder)
            let (messages, early) = await reader.untilReady(timeout: timeout)
            let doneAt = now()
            session = (connection, reader)
            outcome.longestWaitNanos = max(outcome.longestWaitNanos, doneAt - sentAt)
            outcome.part.count("inserts")
            guard early == nil else {
                outcome.unknown.append(id)
                outcome.part.count("connections_broken")
                await connection.close()
                session = nil
                continue
            }
            let error = messages.lazy.compactMap { message -> ErrorFields? in
                if case .errorResponse(let fields) = message { return fields }
                return nil
            }.first
            for message in messages where !expected(message) { outcome.part.desync(message.name) }
            if let error {
                outcome.failed.append(id)
                outcome.part.failure(error.sqlState ?? "?????")
            } else {
                outcome.committed.append(id)
                let faultAt = mark.value
                if faultAt > 0 && doneAt >= faultAt && outcome.recoveryNanos == nil {
                    outcome.recoveryNanos = doneAt - faultAt
                }
            }
        }
        if let (connection, _) = session { await connection.close() }
        return outcome
    }

    /// What an INSERT may answer: its result or an error, then ReadyForQuery; notices and status reports too.
    private static func expected(_ message: BackendMessage) -> Bool {
        switch message {
        case .commandComplete, .errorResponse, .readyForQuery, .noticeResponse, .parameterStatus: return true
        default: return false
        }
    }

    /// Runs one simple query; returns its messages, or nil when it failed or the connection ended.
    private static func simpleQuery(_ sql: String, _ connection: ProbeConnection, _ reader: inout ProbeReader,
                                    timeout: TimeAmount, into summary: inout ProbeSummary) async -> [BackendMessage]?
    {
        var encoder = connection.makeEncoder()
        encoder.query(sql)
        await connection.send(&encoder)
        let (messages, early) = await reader.untilReady(timeout: timeout)
        for message in messages {
            if case .errorResponse(let fields) = message {
                summary.failure(fields.sqlState ?? "?????")
                summary.note("\(sql.prefix(40)): \(fields.message ?? "error")")
                return nil
            }
        }
        return early == nil ? messages : nil
    }

    private static func ids(in table: String, _ connection: ProbeConnection, _ reader: inout ProbeReader,
                            timeout: TimeAmount, into summary: inout ProbeSummary) async -> Set<Int64>?
    {
        guard let messages = await simpleQuery("SELECT id FROM \(table)", connection, &reader, timeout: timeout,
                                               into: &summary)
        else { return nil }
        var ids = Set<Int64>()
        for message in messages {
            guard case .dataRow(let row) = message else { continue }
            for column in row {
                if let bytes = column, let id = Int64(String(buffer: bytes)) { ids.insert(id) }
                break
            }
        }
        return ids
    }

    static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }
}
