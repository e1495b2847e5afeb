import Engine
import NIOCore
import NIOPosix
import Synchronization
import Connection

/// A TCP relay on loopback that can break the connections through it on demand, so that a run (or a pooler behind
/// it) meets network faults without root, namespaces or iptables: `resetAll()` aborts every connection with a TCP
/// reset towards the client and closes the other side, as a crashed middlebox or a killed pooler would;
/// `stall(for:)` stops forwarding in both directions for a while (bytes are held, none lost), as a congested or
/// partitioned link would, then lets everything through.
///
/// Not for the hot path: each chunk is forwarded as it comes, without flow control (probe traffic is small).
public final class FaultProxy: Sendable {
    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    private let listener: any Channel
    private let state: Mutex<State>

    private struct State {
        var relays: [ObjectIdentifier: RelayPair] = [:]
        /// While stalled, new connections are accepted but held too.
        var stalled = false
        var accepted = 0
    }

    private init(port: Int, listener: any Channel) {
        self.port = port
        self.listener = listener
        self.state = Mutex(State())
    }

    /// Listens on an ephemeral loopback port and relays each connection to `target`.
    public static func start(target: ConnectionSettings.Endpoint, group: any EventLoopGroup) async throws
        -> FaultProxy
    {
        let box = ProxyBox()
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                box.proxy?.accept(inbound, target: target) ?? inbound.close()
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let proxy = FaultProxy(port: listener.localAddress?.port ?? 0, listener: listener)
        box.proxy = proxy
        return proxy
    }

    /// Connections accepted so far.
    public var acceptedCount: Int { state.withLock { $0.accepted } }

    /// The child channel is registered only once this returns: the connection to the target is made afterwards,
    /// when the client's side is active (reading stays off until both sides are joined).
    private func accept(_ inbound: any Channel, target: ConnectionSettings.Endpoint) -> EventLoopFuture<Void> {
        inbound.eventLoop.makeCompletedFuture {
            try inbound.pipeline.syncOperations.addHandler(ConnectOnActive { [weak self] in
                self?.join(inbound, target: target)
            })
        }
    }

    private func join(_ inbound: any Channel, target: ConnectionSettings.Endpoint) {
        let bootstrap = ClientBootstrap(group: inbound.eventLoop).channelOption(.autoRead, value: false)
        Connector.connect(bootstrap, to: target).whenComplete { result in
            guard case .success(let outbound) = result else {
                // The target refused: the client sees its connection closed, as it would without the proxy.
                inbound.close(promise: nil)
                return
            }
            let pair = RelayPair(inbound: inbound, outbound: outbound)
            let stalled = self.state.withLock { state in
                state.relays[ObjectIdentifier(pair)] = pair
                state.accepted += 1
                return state.stalled
            }
            let forget: @Sendable () -> Void = { [weak self] in
                _ = self?.state.withLock { $0.relays.removeValue(forKey: ObjectIdentifier(pair)) }
            }
            pair.start(stalled: stalled, onClose: forget)
        }
    }

    /// Resets every connection open through the proxy (RST to the client, close to the target); returns how many.
    @discardableResult
    public func resetAll() async -> Int {
        let pairs = state.withLock { Array($0.relays.values) }
        for pair in pairs { await pair.reset() }
        return pairs.count
    }

    /// Holds every byte in both directions for `duration` (connections stay open), then forwards what was held.
    public func stall(for duration: TimeAmount) async {
        await beginStall()
        try? await Task.sleep(nanoseconds: UInt64(max(duration.nanoseconds, 0)))
        await endStall()
    }

    /// From now on (when this returns) nothing moves through the proxy, new connections included.
    public func beginStall() async {
        await setStalled(true)
    }

    /// Forwards what was held and lets everything through again.
    public func endStall() async {
        await setStalled(false)
    }

    private func setStalled(_ stalled: Bool) async {
        let pairs = state.withLock { state in
            state.stalled = stalled
            return Array(state.relays.values)
        }
        for pair in pairs { await pair.setStalled(stalled) }
    }

    /// Stops listening and closes every relayed connection.
    public func close() async {
        try? await listener.close()
        let pairs = state.withLock { Array($0.relays.values) }
        for pair in pairs {
            try? await pair.inbound.close()
            try? await pair.outbound.close()
        }
    }
}

/// Lets the child initializer reach the proxy created after the listener is bound.
private final class ProxyBox: @unchecked Sendable {
    // Set once, before any connection can be accepted (bind returns first; the accept loop only starts then).
    nonisolated(unsafe) var proxy: FaultProxy?
}

/// Waits for the client's side to be active (registered and connected) before joining it to the target.
private final class ConnectOnActive: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private let onActive: () -> Void

    init(onActive: @escaping () -> Void) {
        self.onActive = onActive
    }

    func channelActive(context: ChannelHandlerContext) {
        onActive()
        context.pipeline.syncOperations.removeHandler(self, promise: nil)
        context.fireChannelActive()
    }
}

/// Both sides of one relayed connection. Both channels live on the same event loop (the outbound side is
/// connected from the inbound side's loop), so their handlers are only touched there.
private final class RelayPair: Sendable {
    let inbound: any Channel
    let outbound: any Channel

    init(inbound: any Channel, outbound: any Channel) {
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Joins the two sides; runs on their event loop.
    func start(stalled: Bool, onClose: @escaping @Sendable () -> Void) {
        let toTarget = RelayHandler(partner: outbound, stalled: stalled)
        let toClient = RelayHandler(partner: inbound, stalled: stalled)
        do {
            try inbound.pipeline.syncOperations.addHandler(toTarget, name: RelayHandler.name)
            try outbound.pipeline.syncOperations.addHandler(toClient, name: RelayHandler.name)
        } catch {
            inbound.close(promise: nil)
            outbound.close(promise: nil)
            return
        }
        inbound.closeFuture.whenComplete { _ in onClose() }
        // Either side closing closes the other (the relay handlers see it); a side already closed says so now.
        if !inbound.isActive || !outbound.isActive {
            inbound.close(promise: nil)
            outbound.close(promise: nil)
        }
        inbound.setOption(.autoRead, value: true).whenComplete { _ in }
        outbound.setOption(.autoRead, value: true).whenComplete { _ in }
    }

    func reset() async {
        let inbound = self.inbound
        // SO_LINGER with a zero timeout turns close() into an abortive close: the client gets a RST.
        if let options = inbound as? any SocketOptionProvider {
            try? await options.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await inbound.close()
        try? await outbound.close()
    }

    func setStalled(_ stalled: Bool) async {
        for channel in [inbound, outbound] {
            try? await channel.eventLoop.submit {
                let handler = try channel.pipeline.syncOperations.handler(type: RelayHandler.self)
                handler.setStalled(stalled)
            }.get()
        }
    }
}

/// Forwards what one side reads to the other; while stalled, holds it. Closing one side closes the other.
private final class RelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    static let name = "pgswarm.fault-proxy.relay"

    private let partner: any Channel
    private var stalled: Bool
    private var held: [ByteBuffer] = []

    init(partner: any Channel, stalled: Bool) {
        self.partner = partner
        self.stalled = stalled
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if stalled {
            held.append(bytes)
        } else {
            partner.writeAndFlush(bytes, promise: nil)
        }
    }

    func setStalled(_ value: Bool) {
        stalled = value
        guard !value else { return }
        for bytes in held { partner.write(bytes, promise: nil) }
        held.removeAll()
        partner.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
