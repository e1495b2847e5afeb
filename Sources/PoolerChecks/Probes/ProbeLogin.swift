import Engine
import NIOCore
import PGWire
import Stats
import Connection

/// Logs a probe connection in with the project's startup state machine (so every authentication method works),
/// while keeping every startup message for the probe to check: the negotiation probe judges what the state machine
/// would take for granted.
struct ProbeLogin {
    /// What the server sent during startup, in order.
    struct Observed: Sendable {
        var negotiations: [NegotiateProtocolVersion] = []
        /// A NegotiateProtocolVersion that came after an authentication message (the protocol puts it first).
        var negotiationAfterAuthentication = false
        var backendKeys: [BackendKeyData] = []
        var authenticationSeen = false
        /// The message the login failed on when it came out of order (e.g. a DataRow, or ReadyForQuery before
        /// AuthenticationOk): a desync to count under its name.
        var unexpectedMessage: String?
        fileprivate var lastMessageName: String?
    }

    enum Outcome: Sendable {
        case ready(StartupStateMachine.Result)
        /// The server or pooler answered with an ErrorResponse.
        case refused(ErrorFields)
        /// Anything else: closed, timed out, undecodable, out of order. `cause` is a short key for counting.
        case failed(cause: String, detail: String)
    }

    /// Sends a StartupMessage at `wireVersion` (the configuration's version when nil; a version the state machine
    /// cannot ask for, such as 3.9999, is written as is) and follows the login to ReadyForQuery.
    static func login(
        _ connection: ProbeConnection,
        configuration: StartupConfiguration,
        wireVersion: ProtocolVersion? = nil,
        timeout: TimeAmount
    ) async -> (Outcome, Observed) {
        var machine = StartupStateMachine(configuration: configuration)
        var observed = Observed()
        var reader = ProbeReader(connection)
        var action = machine.start()
        // A login is a handful of messages; the bound only stops a server that never stops talking.
        for _ in 0..<10_000 {
            switch action {
            case .send(let message):
                var encoder = connection.makeEncoder()
                if case .startup(let version) = message {
                    encoder.startupMessage(user: configuration.user, database: configuration.database,
                                           parameters: configuration.parameters, version: wireVersion ?? version)
                } else {
                    machine.encode(message, into: &encoder)
                }
                await connection.send(&encoder)
                action = .wait
            case .wait:
                switch await reader.next(timeout: timeout) {
                case .message(let message):
                    observe(message, into: &observed)
                    observed.lastMessageName = message.name
                    action = machine.messageReceived(message)
                case .closed:
                    return (.failed(cause: "closed", detail: "closed during startup"), observed)
                case .undecodable(let text):
                    return (.failed(cause: "undecodable", detail: text), observed)
                case .timedOut:
                    return (.failed(cause: "timeout", detail: "no reply during startup"), observed)
                }
            case .ready(let result):
                return (.ready(result), observed)
            case .fail(let error):
                if let fields = error.serverError { return (.refused(fields), observed) }
                if error.kind == .unexpectedMessage { observed.unexpectedMessage = observed.lastMessageName }
                return (.failed(cause: "protocol", detail: error.description), observed)
            case .retryWithProtocol30(let fields):
                return (.refused(fields), observed)
            }
        }
        return (.failed(cause: "timeout", detail: "startup never ended"), observed)
    }

    private static func observe(_ message: BackendMessage, into observed: inout Observed) {
        switch message {
        case .negotiateProtocolVersion(let negotiation):
            observed.negotiations.append(negotiation)
            if observed.authenticationSeen { observed.negotiationAfterAuthentication = true }
        case .authentication:
            observed.authenticationSeen = true
        case .backendKeyData(let key):
            observed.backendKeys.append(key)
        default:
            break
        }
    }

    /// Opens and logs in a plain 3.0 connection for the probes that test what comes after startup.
    static func openSession(_ settings: ConnectionSettings, on loop: any EventLoop, timeout: TimeAmount,
                            into summary: inout ProbeSummary) async -> ProbeConnection?
    {
        var plain = settings
        plain.protocolRequest = .v3_0
        let connection: ProbeConnection
        do {
            connection = try await ProbeConnection.open(plain, on: loop)
        } catch {
            summary.failure("connect")
            summary.note("cannot connect: \(error)")
            return nil
        }
        let (outcome, observed) = await login(connection, configuration: Connector.startupConfiguration(plain),
                                              timeout: timeout)
        if let name = observed.unexpectedMessage { summary.desync(name) }
        switch outcome {
        case .ready:
            return connection
        case .refused(let fields):
            summary.failure(fields.sqlState ?? "?????")
            summary.note("login refused: \(fields)")
        case .failed(let cause, let detail):
            summary.failure(cause)
            summary.note("login failed: \(detail)")
        }
        await connection.close()
        return nil
    }
}
