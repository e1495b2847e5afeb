import Engine
import Foundation
import NIOCore
import PGWire
import Stats
import Connection

/// `--probe negotiation`: logs in asking for protocol 3.0, 3.2, a version no server speaks (3.9999, with the
/// `_pq_.test_protocol_negotiation` option libpq uses for the same test) and 3.0 with made-up `_pq_.` options, and
/// checks the answer strictly:
///
/// - NegotiateProtocolVersion at most once, before authentication, offering a version no higher than asked,
///   listing every `_pq_.` option sent (none of them exists) and nothing else;
/// - no NegotiateProtocolVersion at all for a plain 3.0 request; one whenever 3.9999 was asked;
/// - BackendKeyData once, its key 4 bytes at 3.0 and 4 to 256 at 3.2; a CancelRequest quoting it, at the length
///   given, cancels a `pg_sleep` (57014).
///
/// A refusal of the StartupMessage (PgBouncer 1.18 answers 3.2 with `FATAL 08P01 bad packet header`) is not a
/// violation: the probe falls back to plain 3.0 as `--protocol auto` would, and counts the fallback. With `storm`
/// set, the same cases then run on that many connections at once, each holding a short query.
struct NegotiationProbe {
    struct Case: Sendable {
        var name: String
        var version: ProtocolVersion
        var options: [(String, String)]

        var asksForMore: Bool { version != .v3_0 || !options.isEmpty }
    }

    static let greaseVersion = ProtocolVersion(major: 3, minor: 9999)

    static let cases: [Case] = [
        Case(name: "3.0", version: .v3_0, options: []),
        Case(name: "3.2", version: .v3_2, options: []),
        Case(name: "3.9999", version: greaseVersion, options: [("_pq_.test_protocol_negotiation", "")]),
        Case(name: "3.0+_pq_", version: .v3_0,
             options: [("_pq_.pgswarm_probe_alpha", "1"), ("_pq_.pgswarm_probe_beta", "on")]),
    ]

    let settings: ConnectionSettings
    let options: ProbeOptions
    let group: any EventLoopGroup

    /// How long a cancelled query would sleep: long enough that only a working cancel ends it within the timeout.
    static let sleepSeconds = 5.0

    func run() async -> ProbeSummary {
        var summary = ProbeSummary()
        let timeout = options.timeout
        for _ in 0..<max(1, options.rounds) {
            for probeCase in Self.cases where !Task.isCancelled {
                summary.merge(await attempt(probeCase, on: group.next(), timeout: timeout, checkCancel: true,
                                            holdSeconds: 0))
            }
        }
        if options.storm > 0 && !Task.isCancelled {
            summary.merge(await storm(count: options.storm, timeout: timeout))
        }
        return summary
    }

    /// Every case at once on `count` connections, each holding `SELECT pg_sleep(0.2)` once logged in.
    private func storm(count: Int, timeout: TimeAmount) async -> ProbeSummary {
        await withTaskGroup(of: ProbeSummary.self) { tasks in
            for index in 0..<count {
                let probeCase = Self.cases[index % Self.cases.count]
                let loop = group.next()
                tasks.addTask {
                    var part = await attempt(probeCase, on: loop, timeout: timeout, checkCancel: false,
                                             holdSeconds: 0.2)
                    part.count("storm_connections")
                    if part.passed > 0 { part.count("storm_passed") }
                    return part
                }
            }
            var merged = ProbeSummary()
            for await part in tasks { merged.merge(part) }
            return merged
        }
    }

    /// One login for `probeCase` and its checks; on a refusal, the fallback login at plain 3.0 too.
    private func attempt(_ probeCase: Case, on loop: any EventLoop, timeout: TimeAmount, checkCancel: Bool,
                         holdSeconds: Double) async -> ProbeSummary
    {
        var part = ProbeSummary()
        part.rounds = 1
        let clean = await login(probeCase, on: loop, timeout: timeout, checkCancel: checkCancel,
                                holdSeconds: holdSeconds, into: &part)
        if clean { part.passed = 1 }
        return part
    }

    /// Returns true when nothing was wrong (a refusal followed by a good fallback is not wrong).
    private func login(_ probeCase: Case, on loop: any EventLoop, timeout: TimeAmount, checkCancel: Bool,
                       holdSeconds: Double, into part: inout ProbeSummary, isFallback: Bool = false) async -> Bool
    {
        var plain = settings
        plain.protocolRequest = probeCase.version == .v3_0 ? .v3_0 : .v3_2
        let connection: ProbeConnection
        do {
            connection = try await ProbeConnection.open(plain, on: loop)
        } catch {
            part.failure("connect")
            part.note("cannot connect: \(error)")
            return false
        }
        var configuration = Connector.startupConfiguration(plain)
        configuration.parameters += probeCase.options
        let (outcome, observed) = await ProbeLogin.login(connection, configuration: configuration,
                                                          wireVersion: probeCase.version, timeout: timeout)
        let before = part.violationCount + part.desyncCount
        let inUse = check(observed, for: probeCase, into: &part)
        var clean = true
        switch outcome {
        case .ready(let result):
            part.count("version_\(inUse)")
            if probeCase.version != .v3_0 || !isFallback {
                part.note("\(probeCase.name): logged in at \(inUse)" + negotiationText(observed))
            }
            if result.backendKey == nil { part.count("no_backend_key") }
            if checkCancel, let key = result.backendKey {
                clean = await cancel(connection, key: key, settings: plain, on: loop, timeout: timeout,
                                     into: &part) && clean
            }
            if holdSeconds > 0 {
                clean = await hold(connection, seconds: holdSeconds, timeout: timeout, into: &part) && clean
            }
        case .refused(let fields):
            let sqlState = fields.sqlState ?? "?????"
            if probeCase.asksForMore && !isFallback && (sqlState == "08P01" || sqlState == "0A000") {
                // What `--protocol auto` does: reconnect at plain 3.0 without the options.
                part.count("refused")
                part.count("fallbacks")
                part.note("\(probeCase.name): refused (\(fields)); fell back to 3.0")
                await connection.close()
                let plainCase = Case(name: probeCase.name + " fallback", version: .v3_0, options: [])
                return await login(plainCase, on: loop, timeout: timeout, checkCancel: checkCancel,
                                   holdSeconds: holdSeconds, into: &part, isFallback: true)
                    && part.violationCount + part.desyncCount == before
            }
            part.failure(sqlState)
            part.note("\(probeCase.name): login refused: \(fields)")
            clean = false
        case .failed(let cause, let detail):
            part.failure(cause)
            if let name = observed.unexpectedMessage { part.desync(name) }
            // The decoder refuses a key outside 4...256 bytes before the probe sees it.
            if cause == "undecodable" && detail.contains("BackendKeyData") { part.violation("key_length") }
            part.note("\(probeCase.name): login failed (\(cause)): \(detail)")
            clean = false
        }
        await connection.close()
        return clean && part.violationCount + part.desyncCount == before
    }

    /// Checks the startup messages against what `probeCase` asked for; returns the version in use.
    private func check(_ observed: ProbeLogin.Observed, for probeCase: Case, into part: inout ProbeSummary)
        -> ProtocolVersion
    {
        var inUse = probeCase.version
        if observed.negotiations.count > 1 { part.violation("negotiate_repeated") }
        if observed.negotiationAfterAuthentication { part.violation("negotiate_after_authentication") }
        let sent = Set(probeCase.options.map(\.0))
        if let negotiation = observed.negotiations.first {
            let offered = negotiation.newestVersion
            if offered.major != probeCase.version.major || offered.minor > probeCase.version.minor {
                part.violation("offered_version_above_requested")
            } else {
                inUse = offered
            }
            if !probeCase.asksForMore { part.violation("negotiate_unasked") }
            let listed = Set(negotiation.unrecognisedOptions)
            for _ in sent.subtracting(listed) { part.violation("option_not_listed") }
            for _ in listed.subtracting(sent) { part.violation("option_listed_not_sent") }
        } else if observed.authenticationSeen {
            // No server knows 3.9999 or our made-up options: staying silent means claiming to.
            if probeCase.version.minor > ProtocolVersion.v3_2.minor { part.violation("negotiate_missing") }
            for _ in sent { part.violation("option_not_listed") }
        }
        if observed.backendKeys.count > 1 { part.violation("backend_key_repeated") }
        if let key = observed.backendKeys.first {
            let length = key.secretKey.readableBytes
            part.count("key_bytes_\(length)")
            if inUse.minor < 2 ? length != 4 : !BackendKeyData.secretKeyLengths.contains(length) {
                part.violation("key_length")
            }
        }
        return inUse
    }

    private func negotiationText(_ observed: ProbeLogin.Observed) -> String {
        guard let negotiation = observed.negotiations.first else { return " (no NegotiateProtocolVersion)" }
        let options = negotiation.unrecognisedOptions.joined(separator: ", ")
        return " after NegotiateProtocolVersion(\(negotiation.newestVersion), [\(options)])"
    }

    /// `SELECT pg_sleep(5)`, then a CancelRequest on a new connection quoting the key at its own length; the query
    /// must end with 57014 well before it would have finished.
    private func cancel(_ connection: ProbeConnection, key: BackendKeyData, settings: ConnectionSettings,
                        on loop: any EventLoop, timeout: TimeAmount, into part: inout ProbeSummary) async -> Bool
    {
        var encoder = connection.makeEncoder()
        encoder.query("SELECT pg_sleep(\(Self.sleepSeconds))")
        await connection.send(&encoder)
        // Let the query reach the server (through a pooler: a server connection) before it is cancelled. A cancel
        // that arrives before the query is lost, which a busy machine can make happen: up to three are sent, a
        // second apart, all well within the sleep.
        try? await Task.sleep(nanoseconds: 100_000_000)
        var reader = ProbeReader(connection)
        var messages: [BackendMessage] = []
        var ended: ProbeEvent? = .timedOut
        for _ in 0..<Self.cancelAttempts {
            guard await sendCancel(key: key, settings: settings, on: loop) else {
                part.failure("connect")
                return false
            }
            part.count("cancels_sent")
            let (replies, end) = await reader.untilReady(timeout: .nanoseconds(min(timeout.nanoseconds, 1_200_000_000)))
            messages += replies
            ended = end
            guard case .timedOut? = end else { break }
        }
        var cancelled = false
        for message in messages {
            switch message {
            case .errorResponse(let fields) where fields.sqlState == "57014":
                cancelled = true
            case .errorResponse(let fields):
                part.failure(fields.sqlState ?? "?????")
            case .rowDescription, .dataRow, .commandComplete, .readyForQuery, .noticeResponse, .parameterStatus,
                 .notificationResponse:
                break
            default:
                part.desync(message.name)
            }
        }
        if cancelled {
            part.count("cancelled")
            return true
        }
        part.violation("cancel_not_honoured")
        let outcome = ended.map { "\($0)" } ?? "ended without 57014"
        let length = key.secretKey.readableBytes
        part.note("a CancelRequest quoting the \(length)-byte key did not cancel pg_sleep: \(outcome)")
        return false
    }

    static let cancelAttempts = 3

    /// A CancelRequest on a connection of its own, quoting the key at the length BackendKeyData gave it.
    private func sendCancel(key: BackendKeyData, settings: ConnectionSettings, on loop: any EventLoop) async -> Bool {
        guard let canceller = try? await ProbeConnection.open(settings, on: loop) else { return false }
        var request = canceller.makeEncoder(capacity: 16 + key.secretKey.readableBytes)
        request.cancelRequest(processID: key.processID, secretKey: key.secretKey)
        await canceller.send(&request)
        // The server reads the request and closes without a word.
        var cancelReader = ProbeReader(canceller)
        _ = await cancelReader.next(timeout: .seconds(2))
        try? await canceller.channel.close()
        return true
    }

    /// A short query on the fresh connection: through a saturated pool it waits for a server connection.
    private func hold(_ connection: ProbeConnection, seconds: Double, timeout: TimeAmount,
                      into part: inout ProbeSummary) async -> Bool
    {
        var encoder = connection.makeEncoder()
        encoder.query("SELECT pg_sleep(\(seconds))")
        await connection.send(&encoder)
        var reader = ProbeReader(connection)
        let (messages, ended) = await reader.untilReady(timeout: timeout)
        for message in messages {
            if case .errorResponse(let fields) = message {
                part.failure(fields.sqlState ?? "?????")
                return false
            }
        }
        switch ended {
        case nil: return true
        case .timedOut?: part.failure("timeout")
        case .undecodable?: part.failure("undecodable")
        default: part.failure("closed")
        }
        return false
    }
}
