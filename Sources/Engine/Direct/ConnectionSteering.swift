#if canImport(Glibc)
import Glibc
#endif
import CDirectIO
import NIOConcurrencyHelpers
import NIOCore
import Synchronization
import DirectIO

/// Serves each client's connection from the loop on the CPU where its server backend runs.
///
/// Why: with server and client on one machine, every request's send(2) wakes the backend that answers it. Woken on
/// the sender's CPU, the backend simply runs next; woken on another CPU that is busy, it costs an interprocessor
/// interrupt to preempt whatever runs there. Loops fed by connects in parallel end up with backends on every CPU
/// unless something places them (docs/performance.md has the measurements, `Scripts/colocation.sh`).
///
/// How: once the first client finds a PostgreSQL backend on this machine at the other end (the process its
/// BackendKeyData names is a `postgres` in /proc), the loops are pinned one per CPU (the first -j CPUs this process
/// may use). Every `checkInterval` receive buffers a client looks where its backend runs: SO_INCOMING_CPU over TCP
/// (on loopback the CPU the backend sent its answer from), the backend's last CPU from /proc/PID/stat over a Unix
/// socket (which records none). When that CPU has a loop other than the client's, the client moves there
/// (`Client.receiveBufferDone`); backends the kernel later moves are followed the same way. Through a pooler the key
/// is the pooler's own and nothing moves: every answer comes from the one pooler process, and piling every client
/// onto its CPU would take that CPU from the pooler.
///
/// Only for runs on the direct driver over a Unix socket or TCP to a loopback address, with at least two CPUs and no
/// more loops than CPUs; `--cpu-steering off` keeps every client on the loop it started on.
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
    /// For tests: whether clients move whoever serves them.
    var movesEveryClient: Bool { alternates }

    /// The CPU of each loop, in the order of `homes`.
    private let cpus: [Int32]
    /// Guards every client's `home` (one lock for the run: moves and tasks sent to clients from other threads are
    /// rare, and a lock per client would cost each connection an allocation).
    let homeLock = NIOLock()
    private let engaged = Atomic<Bool>(false)

    /// Returns the steering for `loops`, or nil when there are fewer than two CPUs to use or more loops than CPUs.
    init?(loops: [DirectEventLoop], contexts: [LoopContext]) {
        var allowed = [Int32](repeating: 0, count: 1024)
        let count = Int(cdirectio_allowed_cpus(&allowed, Int32(allowed.count)))
        guard count >= 2, loops.count >= 2, loops.count <= count else { return nil }
        var byCPU = [Int](repeating: -1, count: Int(allowed[count - 1]) + 1)
        for index in loops.indices { byCPU[Int(allowed[index])] = index }
        homes = zip(loops, contexts).map { Home(loop: $0, context: $1) }
        homeIndexByCPU = byCPU
        cpus = Array(allowed[..<loops.count])
        alternates = false
    }

    /// A client found a local backend at the other end: pins the loops one per CPU, the first time. Pinned loops
    /// without steering would be worse than none (a pooled run never gets here).
    func engage() {
        guard !alternates, !engaged.exchange(true, ordering: .relaxed) else { return }
        for (home, cpu) in zip(homes, cpus) { home.loop.pin(toCPU: cpu) }
    }

    /// For tests: moves clients from loop to loop at every check (no pinning, no look at CPUs).
    init(alternatingBetween loops: [DirectEventLoop], contexts: [LoopContext]) {
        homes = zip(loops, contexts).map { Home(loop: $0, context: $1) }
        homeIndexByCPU = []
        cpus = []
        alternates = true
    }

    /// Where a client on `current` whose connection is `connection` (to backend `backendProcessID`) should be, when
    /// not on `current`. Over TCP the socket says which CPU its answers came from; a Unix socket does not, and the
    /// backend's own entry in /proc says where it last ran.
    func destination(for connection: DirectConnection<Client>, backendProcessID: Int32?,
                     leaving current: any EventLoop) -> Home? {
        if alternates {
            guard let index = homes.firstIndex(where: { $0.loop === (current as AnyObject) }) else { return nil }
            return homes[(index + 1) % homes.count]
        }
        var cpu = connection.incomingCPU
        if cpu < 0 { cpu = Self.lastCPU(ofProcess: backendProcessID) }
        guard let home = home(forCPU: cpu), home.loop !== (current as AnyObject) else { return nil }
        return home
    }

    /// The CPU `processID` last ran on (field 39 of /proc/PID/stat), or -1.
    static func lastCPU(ofProcess processID: Int32?) -> Int32 {
        guard let text = procFile(processID, "stat", capacity: 1024) else { return -1 }
        // The command name, in parentheses, may hold spaces: the fields are counted after its closing parenthesis,
        // where field 3 (the state) comes first.
        guard let nameEnd = text.lastIndex(of: UInt8(ascii: ")")) else { return -1 }
        let fields = text[(nameEnd + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 36, let cpu = Int32(String(decoding: fields[36], as: UTF8.self)) else { return -1 }
        return cpu
    }

    /// Whether `processID` (from BackendKeyData) is a PostgreSQL backend on this machine: a process named postgres.
    /// Poolers make their key up, so a pooled connection does not qualify (nor, by chance, does almost any other).
    static func isLocalBackend(processID: Int32?) -> Bool {
        procFile(processID, "comm", capacity: 32) == Array("postgres\n".utf8)[...]
    }

    /// The start of /proc/PID/NAME (at most `capacity` bytes, one read), or nil when there is no such process.
    private static func procFile(_ processID: Int32?, _ name: String, capacity: Int) -> ArraySlice<UInt8>? {
        guard let processID, processID > 0 else { return nil }
        let fd = open("/proc/\(processID)/\(name)", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: capacity)
        let count = read(fd, &bytes, capacity)
        return count > 0 ? bytes[..<count] : nil
    }

    /// Where a connection whose backend runs on `cpu` belongs, if that CPU has a loop.
    func home(forCPU cpu: Int32) -> Home? {
        guard cpu >= 0, Int(cpu) < homeIndexByCPU.count else { return nil }
        let index = homeIndexByCPU[Int(cpu)]
        return index >= 0 ? homes[index] : nil
    }

    /// Whether a run to `endpoint` can use steering: a Unix socket, or TCP to 127.0.0.0/8 or ::1, where the kernel's
    /// receive path runs on the server's CPU (over a network it runs where the network card's interrupt is handled).
    static func applies(to endpoint: DirectEndpoint) -> Bool {
        switch endpoint.address {
        case .v4(let address):
            return UInt32(bigEndian: address.address.sin_addr.s_addr) >> 24 == 127
        case .v6(let address):
            var loopback = in6addr_loopback
            var actual = address.address.sin6_addr
            return memcmp(&loopback, &actual, MemoryLayout<in6_addr>.size) == 0
        case .unixDomainSocket:
            return true
        }
    }
}
