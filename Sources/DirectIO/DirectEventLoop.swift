#if canImport(Glibc)
import Glibc
#endif
import CDirectIO
import Dispatch
import NIOConcurrencyHelpers
import NIOCore

/// What a socket registered with a `DirectEventLoop` is told when epoll reports it.
package protocol DirectSocketHandler: AnyObject {
    /// Readable, or closed by the peer, or failed: the handler reads to find out which.
    func socketReadable()
    func socketWritable()
    /// The loop is ending with this socket still registered (a cancel still waiting for the server's close, a
    /// connection of a client that was forced to stop): close it without telling anyone.
    func loopEnding()
}

/// An event loop of its own thread around one epoll instance, for the clients' connections when no TLS is involved.
///
/// Why not NIO's loop: NIO's channel machinery (pipeline invocations, promise and lifecycle checks, retain/release
/// on every read, write and flush) costs a client more user time per transaction than the round trip itself
/// (docs/ARCHITECTURE.md, "The hot path"). Here a readable socket is one call to its handler, which reads into the
/// loop's receive buffer and decodes in place; a request is one send(2) of the session's buffer.
///
/// It is a full NIO `EventLoop` (tasks, timers, promises, futures), so that everything the run does on its loops
/// (starting clients, collecting histograms, timers) works unchanged. Tasks from other threads go through a locked
/// queue and an eventfd; tasks from the loop itself through a local queue; timers through a binary heap, waited for
/// with epoll_pwait2's nanosecond timeout.
package final class DirectEventLoop: EventLoop, @unchecked Sendable {
    private let epollFD: Int32
    private let wakeFD: Int32
    private let lock = NIOLock()
    /// Guarded by `lock`.
    private var remoteTasks: [@Sendable () -> Void] = []
    private var wakeWritten = false
    private var shutdownRequested = false
    private var shutdownCallbacks: [@Sendable (Error?) -> Void] = []
    /// Loop-only from here on.
    private var localTasks: [() -> Void] = []
    private var runningTasks: [() -> Void] = []
    private var timers = DirectTimerHeap()
    private var timerSequence: UInt64 = 0
    private var handlers = DirectHandlerTable()
    private var thread = pthread_t()
    private let started = ConditionLock(value: false)
    nonisolated(unsafe) private var loopThread = pthread_t()

    /// One receive buffer for every connection on the loop: a connection decodes what it read before the loop
    /// reads for the next one, and keeps only a partial frame (in a buffer of its own).
    package var receiveBuffer: ByteBuffer

    package static let receiveBufferSize = 65_536
    private static let wakeToken: UInt64 = .max

    package init() {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(epollFD >= 0 && wakeFD >= 0, "epoll_create1/eventfd failed: errno \(errno)")
        receiveBuffer = ByteBufferAllocator().buffer(capacity: Self.receiveBufferSize)
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: Self.wakeToken))
        epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
        let unmanaged = Unmanaged.passRetained(self)
        let result = pthread_create(&thread, nil, { argument in
            let loop = Unmanaged<DirectEventLoop>.fromOpaque(argument!).takeRetainedValue()
            loop.run()
            return nil
        }, unmanaged.toOpaque())
        precondition(result == 0, "pthread_create failed: \(result)")
        // Nobody joins it: shutdown is reported through the callbacks, and the thread ends on its own.
        pthread_detach(thread)
        started.lock(whenValue: true)
        started.unlock()
    }

    // MARK: EventLoop

    package var inEventLoop: Bool { pthread_equal(pthread_self(), loopThread) != 0 }

    package func execute(_ task: @escaping @Sendable () -> Void) {
        if inEventLoop {
            localTasks.append(task)
            return
        }
        let mustWake = lock.withLock {
            remoteTasks.append(task)
            defer { wakeWritten = true }
            return !wakeWritten
        }
        if mustWake { wake() }
    }

    @discardableResult
    package func scheduleTask<T>(deadline: NIODeadline, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        let promise: EventLoopPromise<T> = makePromise()
        let timer = DirectTimer(deadline: deadline.uptimeNanoseconds) {
            // Runs on the loop, the promise's own: its value never crosses threads here.
            let isolated = promise.assumeIsolatedUnsafeUnchecked()
            do { isolated.succeed(try task()) } catch { promise.fail(error) }
        }
        timer.abandon = { promise.fail(EventLoopError.shutdown) }
        if inEventLoop {
            insert(timer)
        } else {
            execute { self.insert(timer) }
        }
        return Scheduled(promise: promise) { [self] in
            // On the loop: the timer is only touched there.
            execute {
                guard timer.task != nil else { return }
                timer.task = nil
                promise.fail(EventLoopError.cancelled)
            }
        }
    }

    @discardableResult
    package func scheduleTask<T>(in delay: TimeAmount, _ task: @escaping @Sendable () throws -> T) -> Scheduled<T> {
        scheduleTask(deadline: .now() + delay, task)
    }

    package func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable (Error?) -> Void) {
        let mustWake = lock.withLock {
            shutdownRequested = true
            shutdownCallbacks.append(callback)
            defer { wakeWritten = true }
            return !wakeWritten
        }
        if mustWake { wake() }
    }

    package func preconditionInEventLoop(file: StaticString, line: UInt) {
        precondition(inEventLoop, "not on the direct event loop", file: file, line: line)
    }

    package func preconditionNotInEventLoop(file: StaticString, line: UInt) {
        precondition(!inEventLoop, "on the direct event loop", file: file, line: line)
    }

    // MARK: Sockets (on the loop)

    /// Watches `fd` for reading (and writing when `writable`); returns the token to modify or remove it with.
    package func register(_ fd: Int32, handler: any DirectSocketHandler, writable: Bool) -> UInt64 {
        let token = handlers.insert(handler)
        var event = epoll_event(events: Self.interest(writable: writable), data: epoll_data_t(u64: token))
        epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event)
        return token
    }

    package func watchWritable(_ fd: Int32, token: UInt64, _ writable: Bool) {
        var event = epoll_event(events: Self.interest(writable: writable), data: epoll_data_t(u64: token))
        epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    /// Stops watching `fd`; call before closing it. Events for it already returned by epoll are dropped.
    package func deregister(_ fd: Int32, token: UInt64) {
        epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
        handlers.remove(token)
    }

    /// Keeps the loop's thread on one CPU from now on (`ConnectionSteering`).
    package func pin(toCPU cpu: Int32) {
        execute { _ = cdirectio_pin_thread(cpu) }
    }

    private static func interest(writable: Bool) -> UInt32 {
        EPOLLIN.rawValue | EPOLLRDHUP.rawValue | (writable ? EPOLLOUT.rawValue : 0)
    }

    // MARK: The loop

    private func run() {
        loopThread = pthread_self()
        // Named for perf, top and Scripts/malloc-count (which counts allocations on the load loops by thread name).
        cdirectio_name_thread("pgswarm-loop")
        started.lock()
        started.unlock(withValue: true)
        let capacity = 256
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        while true {
            runTasks()
            runDueTimers()
            let stopping = lock.withLock { shutdownRequested && remoteTasks.isEmpty }
            if stopping { break }
            let count = waitForEvents(events, capacity: capacity)
            for index in 0..<max(0, Int(count)) {
                let token = events[index].data.u64
                if token == Self.wakeToken {
                    var value: UInt64 = 0
                    _ = Glibc.read(wakeFD, &value, 8)
                    continue
                }
                guard let handler = handlers[token] else { continue }
                let flags = events[index].events
                if flags & EPOLLOUT.rawValue != 0 { handler.socketWritable() }
                // Checked again: a write failure may have closed the socket.
                if flags & ~EPOLLOUT.rawValue != 0, let handler = handlers[token] { handler.socketReadable() }
            }
        }
        // As NIO's own loops do: what was scheduled and never ran fails, so that nobody waits on it for ever (and
        // no promise is dropped unfulfilled).
        for timer in timers.removeAll() where timer.task != nil {
            timer.task = nil
            timer.abandon?()
        }
        for handler in handlers.removeAll() { handler.loopEnding() }
        localTasks.removeAll()
        Glibc.close(epollFD)
        Glibc.close(wakeFD)
        let callbacks = lock.withLock { shutdownCallbacks }
        for callback in callbacks { callback(nil) }
    }

    private func waitForEvents(_ events: UnsafeMutablePointer<epoll_event>, capacity: Int) -> Int32 {
        // Other threads' tasks need no look here: one queued since `runTasks` took the queue has written the eventfd
        // (runTasks cleared `wakeWritten`), so epoll returns at once.
        if !localTasks.isEmpty {
            return epoll_wait(epollFD, events, Int32(capacity), 0)
        }
        guard let next = timers.nextDeadline else {
            return epoll_wait(epollFD, events, Int32(capacity), -1)
        }
        let now = NIODeadline.now().uptimeNanoseconds
        let wait = next > now ? next - now : 0
        var timeout = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
        return epoll_pwait2(epollFD, events, Int32(capacity), &timeout, nil)
    }

    private func runTasks() {
        let remote = lock.withLock {
            wakeWritten = false
            defer { remoteTasks.removeAll(keepingCapacity: true) }
            return remoteTasks.isEmpty ? nil : remoteTasks
        }
        if let remote { for task in remote { task() } }
        // Tasks added while these run wait for the next turn, after the sockets: a task that re-queues itself
        // must not starve them.
        swap(&localTasks, &runningTasks)
        for task in runningTasks { task() }
        runningTasks.removeAll(keepingCapacity: true)
    }

    private func runDueTimers() {
        guard timers.nextDeadline != nil else { return }
        let now = NIODeadline.now().uptimeNanoseconds
        while let timer = timers.popDue(now: now) {
            if let task = timer.task {
                timer.task = nil
                task()
            }
        }
    }

    private func insert(_ timer: DirectTimer) {
        timerSequence &+= 1
        timer.sequence = timerSequence
        timers.insert(timer)
    }

    private func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }
}
