import Engine
import NIOCore
import PGWire
import DirectIO

/// One connection of a connect storm on the direct driver: what `StormConnection` does on a NIO channel — connect,
/// log in, report the time to the first ReadyForQuery or why it failed, then hold the connection until the storm
/// closes it — for a fraction of the CPU per connect, so that the storm measures the server or pooler rather than
/// pgswarm.
final class DirectStormConnection: DirectConnectionOwner, @unchecked Sendable {
    private var startup: StartupStateMachine
    private let retrying: Bool
    private let begin: UInt64
    private var report: ((StormConnection.Outcome) -> Void)?
    private var connection: DirectConnection<DirectStormConnection>?
    /// Keeps this attempt alive while it is under way (the connection refers to it without owning it); the storm's
    /// tally holds it once it is connected.
    private var selfWhileUnderWay: DirectStormConnection?

    private init(configuration: StartupConfiguration, retrying: Bool, begin: UInt64,
                 report: @escaping (StormConnection.Outcome) -> Void)
    {
        startup = StartupStateMachine(configuration: configuration)
        self.retrying = retrying
        self.begin = begin
        self.report = report
    }

    /// Opens one connection on `loop` (call on that loop); `report` is called exactly once, on that loop, with
    /// `.directConnected` on success.
    static func open(to endpoint: DirectEndpoint, startup: StartupConfiguration, on loop: DirectEventLoop,
                     retrying: Bool, begin: UInt64, report: @escaping (StormConnection.Outcome) -> Void)
    {
        let attempt = DirectStormConnection(configuration: startup, retrying: retrying, begin: begin, report: report)
        attempt.selfWhileUnderWay = attempt
        DirectConnection.open(for: attempt, to: endpoint, on: loop)
    }

    /// Sends Terminate and closes.
    func close() {
        guard let connection, connection.isOpen else { return }
        var encoder = FrontendMessageEncoder(buffer: ByteBuffer())
        encoder.terminate()
        var terminate = encoder.flushBuffer()
        connection.send(&terminate)
        connection.close()
    }

    // MARK: DirectConnectionOwner

    func directActive(_ connection: DirectConnection<DirectStormConnection>) {
        self.connection = connection
        perform(retrying ? startup.restartAtProtocol30() : startup.start())
    }

    func received(_ message: BackendMessage, now: UInt64) -> Bool {
        // Logged in: whatever comes now (ParameterStatus, notices) is not the storm's business.
        guard report != nil else { return true }
        perform(startup.messageReceived(message))
        return connection?.isOpen ?? false
    }

    func decodingFailed(_ error: any Error) {
        connection?.close()
        finish(.failed(error))
    }

    func connectFailed(_ error: any Error) {
        finish(.failed(error))
    }

    func channelInactive() {
        if report != nil {
            finish(.failed(PGWireError(.unexpectedMessage, messageName: "Startup",
                                       detail: "the server closed the connection during startup")))
        }
        connection = nil
    }

    private func perform(_ action: StartupStateMachine.Action) {
        switch action {
        case .send(let message):
            var bytes = startup.bytes(of: message, allocator: ByteBufferAllocator())
            connection?.send(&bytes)
        case .wait:
            break
        case .ready:
            finish(.directConnected(self, nanoseconds: NIODeadline.now().uptimeNanoseconds &- begin))
        case .fail(let error):
            connection?.close()
            finish(.failed(error))
        case .retryWithProtocol30:
            connection?.close()
            finish(.retryAt30)
        }
    }

    private func finish(_ outcome: StormConnection.Outcome) {
        guard let report else { return }
        self.report = nil
        report(outcome)
        selfWhileUnderWay = nil
    }
}
