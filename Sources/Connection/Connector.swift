import Foundation
import NIOCore
import NIOPosix
import PGWire

/// Opens a channel to the server (TCP or Unix socket) on a given event loop, with the caller's handler installed.
package enum Connector {
    package static let connectTimeout = TimeAmount.seconds(10)

    /// Opens a channel for these settings: over TCP, negotiates TLS first as `sslMode` says (see
    /// `TLSNegotiationHandler`), so that the future completes, and the caller's handler sees channelActive, only
    /// once the connection is ready for the StartupMessage. `tlsHandshakeDone` is told how long a handshake took.
    package static func connect(
        to settings: ConnectionSettings,
        on loop: any EventLoop,
        tlsHandshakeDone: (@Sendable (_ nanoseconds: UInt64) -> Void)? = nil,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<any Channel> {
        let plan: TLSPlan?
        do {
            plan = try TLSClientContexts.plan(for: settings)
        } catch {
            return loop.makeFailedFuture(error)
        }
        guard let plan else { return connect(to: settings.endpoint, on: loop, initializer: initializer) }
        // A host name may make Happy Eyeballs open several channels, each with its own negotiation; the one the
        // connect returns is the one to wait for.
        let negotiations = NIOLoopBoundBox.makeEmptyBox(valueType: [ObjectIdentifier: EventLoopFuture<Void>].self,
                                                        eventLoop: loop)
        return connect(to: settings.endpoint, on: loop) { channel in
            channel.eventLoop.makeCompletedFuture {
                let negotiation = TLSNegotiationHandler(plan: plan, negotiated: channel.eventLoop.makePromise(),
                                                        timeout: connectTimeout, handshakeDone: tlsHandshakeDone)
                try channel.pipeline.syncOperations.addHandler(negotiation)
                negotiations.value = (negotiations.value ?? [:]).merging(
                    [ObjectIdentifier(channel): negotiation.negotiated.futureResult]) { _, new in new }
            }.flatMap { initializer(channel) }
        }.flatMap { channel in
            let negotiated = negotiations.value?[ObjectIdentifier(channel)] ?? loop.makeSucceededVoidFuture()
            negotiations.value = nil
            return negotiated.map { channel }
        }.flatMapErrorThrowing { error in
            throw TLSConnectError(underlying: error, plan: plan)
        }
    }

    package static func connect(
        to endpoint: ConnectionSettings.Endpoint,
        on loop: any EventLoop,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<any Channel> {
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            // One read per readiness event: a client expects one reply at a time, and NIO's default of four would
            // spend a second read() per event that only returns EAGAIN.
            .channelOption(.maxMessagesPerRead, value: 1)
            // Replies to a benchmark's statements are small; start each connection's receive buffer small and let
            // NIO grow it for large results. With thousands of connections this is most of their memory.
            .channelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512,
                                                                                    maximum: 1 << 20))
            .channelInitializer(initializer)
        return connect(bootstrap, to: endpoint)
    }

    /// Connects `bootstrap` to `endpoint`, as every channel of ours does.
    package static func connect(_ bootstrap: ClientBootstrap, to endpoint: ConnectionSettings.Endpoint)
        -> EventLoopFuture<any Channel>
    {
        switch endpoint {
        case .tcp(let host, let port):
            // An address literal connects directly: NIO's resolver path (getaddrinfo on another thread, Happy
            // Eyeballs) costs a thread hop per connection, which -C and connection storms would measure.
            if let address = try? SocketAddress(ipAddress: host, port: port) {
                return bootstrap.connect(to: address)
            }
            return bootstrap.connect(host: host, port: port)
        case .unixSocket(let path):
            return bootstrap.connect(unixDomainSocketPath: path)
        }
    }

    /// The StartupMessage parameters and credentials for these settings.
    package static func startupConfiguration(_ settings: ConnectionSettings) -> StartupConfiguration {
        let version: ProtocolVersionRequest
        switch settings.protocolRequest {
        case .v3_0: version = .v3_0
        case .v3_2: version = .v3_2
        case .auto: version = .auto
        }
        return StartupConfiguration(
            user: settings.user,
            database: settings.database,
            password: settings.password,
            parameters: [("application_name", settings.applicationName)],
            protocolVersion: version
        )
    }

    /// Turns a failed connect into one line naming where and why.
    package static func describe(connectError error: any Error, settings: ConnectionSettings) -> PgswarmError {
        let reason: String
        var error = error
        // Host names go through NIO's Happy Eyeballs, which wraps each address's failure; report the first.
        if let tlsError = error as? TLSConnectError {
            if let message = tlsError.tlsMessage {
                return PgswarmError(.connection, "cannot connect to \(settings.endpointDescription): \(message)")
            }
            error = tlsError.underlying
        }
        if let engineError = error as? PgswarmError { return engineError }
        if let wrapped = error as? NIOConnectionError, let first = wrapped.connectionErrors.first {
            error = first.error
        }
        if let ioError = error as? IOError, ioError.errnoCode == EMFILE || ioError.errnoCode == ENFILE {
            // Out of descriptors is ours to fix, not the server's.
            reason = String(cString: strerror(ioError.errnoCode)) + " (too many connections for the open-files limit;"
                + " raise it with `ulimit -n`)"
        } else if let ioError = error as? IOError {
            reason = String(cString: strerror(ioError.errnoCode)) + " (is a server running and accepting connections there?)"
        } else if error is ChannelError, case ChannelError.connectTimeout = error as! ChannelError {
            reason = "timed out after \(connectTimeout.nanoseconds / 1_000_000_000) s"
        } else {
            reason = String(describing: error)
        }
        return PgswarmError(.connection, "cannot connect to \(settings.endpointDescription): \(reason)")
    }

    /// Turns a startup failure (the server's ErrorResponse, or a protocol error) into one line.
    package static func describe(startupError error: PGWireError, settings: ConnectionSettings) -> PgswarmError {
        if let server = error.serverError {
            let sqlState = server.sqlState ?? "?????"
            // Refused before the run began (no such database, too many connections, bad login): the run never
            // started, which is a connection problem for the user to fix (exit 2), not an error during the run.
            let kind: PgswarmError.Kind = sqlState.hasPrefix("28") ? .authentication : .connection
            return PgswarmError(
                kind,
                "server at \(settings.endpointDescription) refused the connection as user \"\(settings.user)\" "
                    + "to database \"\(settings.database)\": \(server.severity ?? "FATAL") \(sqlState) "
                    + (server.message ?? "")
            )
        }
        return PgswarmError(.connection, "startup with \(settings.endpointDescription) failed: \(error)")
    }
}
