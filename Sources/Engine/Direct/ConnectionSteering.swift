#if canImport(Glibc)
import Glibc
#endif
import CDirectIO
import NIOCore

/// Serves each client's connection from the loop on the CPU where its server backend runs.
///
/// Why: with server and client on one machine, every request's send(2) wakes the backend that answers it. Woken on
/// the sender's CPU, the backend simply runs next; woken on another CPU that is busy, it costs an interprocessor
/// interrupt to preempt whatever runs there. pgbench's threads and their backends usually settle on one CPU by
/// themselves; pgswarm's loops, fed by connects in parallel, usually ended up with backends on both CPUs, and paid
/// for it: `Scripts/colocation.sh` measured 70,500–85,600 tps at 7.8–9.7 µs of client CPU per transaction left to
/// the scheduler, 87,600–89,800 tps at 7.2–7.3 µs co-located (README, "Performance").
///
/// How: the loops are pinned one per CPU (the first -j CPUs this process may use). Every `checkInterval` receive
/// buffers a client asks its socket for SO_INCOMING_CPU, which on loopback is the CPU the backend sent its answer
/// from; when that CPU has a loop of its own other than the client's, the client moves there (`Client.steer`).
/// Backends that the kernel later balances onto the other CPU are followed the same way.
///
/// Only for runs on the direct driver over TCP to a loopback address, with at least two CPUs and no more loops than
/// CPUs; `--cpu-steering off` keeps every client on the loop it started on.
final class ConnectionSteering: Sendable {
    /// A loop a client can move to, with the counters and histograms it then records into.
    struct Home: @unchecked Sendable {
        let loop: DirectEventLoop
        let context: LoopContext
    }

    /// Receive buffers between two looks at a socket's incoming CPU: one getsockopt per 64 transactions or so.
    static let checkInterval: UInt32 = 64

    let homes: [Home]
    /// The home of each CPU that has one, indexed by CPU number.
    private let homeIndexByCPU: [Int]
    /// For tests: every check moves the client to the next loop, whatever its backend's CPU, so that moves happen
    /// many times in a short run.
    private let alternates: Bool

    /// Pins `loops` one per CPU and returns the steering, or nil when there are fewer than two CPUs to use or more
    /// loops than CPUs.
    init?(loops: [DirectEventLoop], contexts: [LoopContext]) {
        var cpus = [Int32](repeating: 0, count: 1024)
        let count = Int(cdirectio_allowed_cpus(&cpus, Int32(cpus.count)))
        guard count >= 2, loops.count >= 2, loops.count <= count else { return nil }
        var byCPU = [Int](repeating: -1, count: Int(cpus[count - 1]) + 1)
        for (index, loop) in loops.enumerated() {
            loop.pin(toCPU: cpus[index])
            byCPU[Int(cpus[index])] = index
        }
        homes = zip(loops, contexts).map { Home(loop: $0, context: $1) }
        homeIndexByCPU = byCPU
        alternates = false
    }

    /// For tests: moves clients from loop to loop at every check (no pinning, no look at CPUs).
    init(alternatingBetween loops: [DirectEventLoop], contexts: [LoopContext]) {
        homes = zip(loops, contexts).map { Home(loop: $0, context: $1) }
        homeIndexByCPU = []
        alternates = true
    }

    /// Where a client on `current` whose connection is `connection` should be, when not on `current`.
    func destination(for connection: DirectConnection<Client>, leaving current: any EventLoop) -> Home? {
        if alternates {
            guard let index = homes.firstIndex(where: { $0.loop === (current as AnyObject) }) else { return nil }
            return homes[(index + 1) % homes.count]
        }
        guard let home = home(forCPU: connection.incomingCPU), home.loop !== (current as AnyObject) else { return nil }
        return home
    }

    /// Where a connection whose backend runs on `cpu` belongs, if that CPU has a loop.
    func home(forCPU cpu: Int32) -> Home? {
        guard cpu >= 0, Int(cpu) < homeIndexByCPU.count else { return nil }
        let index = homeIndexByCPU[Int(cpu)]
        return index >= 0 ? homes[index] : nil
    }

    /// Whether a run to `endpoint` can use steering: TCP to 127.0.0.0/8 or ::1, where the kernel's receive path runs
    /// on the server's CPU (over a network it runs where the network card's interrupt is handled).
    static func applies(to endpoint: DirectEndpoint) -> Bool {
        switch endpoint.address {
        case .v4(let address):
            return UInt32(bigEndian: address.address.sin_addr.s_addr) >> 24 == 127
        case .v6(let address):
            var loopback = in6addr_loopback
            var actual = address.address.sin6_addr
            return memcmp(&loopback, &actual, MemoryLayout<in6_addr>.size) == 0
        case .unixDomainSocket:
            return false
        }
    }
}
