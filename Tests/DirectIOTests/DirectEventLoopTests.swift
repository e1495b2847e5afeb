import Foundation
import NIOCore
import Testing
@testable import DirectIO

/// The direct driver's event loop as an NIO `EventLoop`: tasks, timers and futures, from its own thread and others.
@Suite("The direct event loop")
struct DirectEventLoopTests {
    @Test("timers fire in deadline order, ties in the order scheduled, and a cancelled one never runs")
    func timerOrder() async throws {
        let group = DirectEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully(queue: .global()) { _ in } }
        let loop = group.loops[0]
        let fired = NIOLockedValueBoxForTests([Int]())
        let base = NIODeadline.now() + .milliseconds(30)
        let order: [(Int, Int64)] = [(3, 20), (1, 0), (2, 10), (4, 20), (5, 5)]
        var scheduled: [Scheduled<Void>] = []
        for (name, offset) in order {
            scheduled.append(loop.scheduleTask(deadline: base + .milliseconds(offset)) { fired.append(name) })
        }
        scheduled[4].cancel()  // name 5
        try await scheduled[0].futureResult.get()
        try await scheduled[3].futureResult.get()
        await #expect(throws: EventLoopError.self) { try await scheduled[4].futureResult.get() }
        #expect(fired.value == [1, 2, 3, 4])
    }

    @Test("a timer fires no earlier than its deadline and within a few milliseconds of it")
    func timerPrecision() async throws {
        let group = DirectEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully(queue: .global()) { _ in } }
        let start = NIODeadline.now()
        let firedAt = try await group.loops[0].scheduleTask(in: .milliseconds(20)) { NIODeadline.now() }.futureResult.get()
        let elapsed = (firedAt - start).nanoseconds
        #expect(elapsed >= 20_000_000)
        #expect(elapsed < 200_000_000)
    }

    @Test("tasks from other threads all run, on the loop, in the order each thread sent them")
    func crossThreadTasks() async throws {
        let group = DirectEventLoopGroup(numberOfThreads: 2)
        defer { group.shutdownGracefully(queue: .global()) { _ in } }
        let loop = group.loops[1]
        let seen = NIOLockedValueBoxForTests([Int]())
        let offLoop = NIOLockedValueBoxForTests(0)
        await withTaskGroup(of: Void.self) { tasks in
            for sender in 0..<4 {
                tasks.addTask {
                    for index in 0..<500 {
                        loop.execute {
                            if !loop.inEventLoop { offLoop.withValue { $0 += 1 } }
                            seen.append(sender * 1000 + index)
                        }
                    }
                }
            }
        }
        let count = try await loop.submit { seen.value.count }.get()
        #expect(count == 2000)
        #expect(offLoop.value == 0)
        for sender in 0..<4 {
            let mine = seen.value.filter { $0 / 1000 == sender }
            #expect(mine == mine.sorted())
        }
        #expect(!loop.inEventLoop)
    }

    @Test("a task the loop queues for itself waits for the next turn instead of running inside the current one")
    func localTasksRunLater() async throws {
        let group = DirectEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully(queue: .global()) { _ in } }
        let loop = group.loops[0]
        let steps = try await loop.submit { () -> [String] in
            let log = NIOLockedValueBoxForTests([String]())
            loop.execute { log.append("queued") }
            log.append("after execute")
            return log.value
        }.get()
        #expect(steps == ["after execute"])
    }

    @Test("shutting down fails the timers that never ran, instead of leaving their futures unfulfilled")
    func shutdownFailsPendingTimers() async throws {
        let group = DirectEventLoopGroup(numberOfThreads: 1)
        let pending = group.loops[0].scheduleTask(in: .seconds(3600)) { 42 }
        // Heard on the loop before it ends: a future of a loop that has ended can no longer be waited on.
        let outcome = NIOLockedValueBoxForTests("not completed")
        pending.futureResult.whenComplete { result in
            outcome.withValue { $0 = if case .failure(EventLoopError.shutdown) = result { "shutdown" } else { "\(result)" } }
        }
        try await group.shutdownGracefully()
        #expect(outcome.value == "shutdown")
    }

    @Test("a socket still registered when the loop ends is told to close, so no descriptor outlives the loop")
    func shutdownClosesRegisteredSockets() async throws {
        final class Watcher: DirectSocketHandler, @unchecked Sendable {
            let ended = NIOLockedValueBoxForTests(false)
            func socketReadable() {}
            func socketWritable() {}
            func loopEnding() { ended.withValue { $0 = true } }
        }
        var pair: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
        defer { close(pair[0]); close(pair[1]) }
        let group = DirectEventLoopGroup(numberOfThreads: 1)
        let loop = group.loops[0]
        let watcher = Watcher()
        let fd = pair[0]
        _ = try await loop.submit { loop.register(fd, handler: watcher, writable: false) }.get()
        try await group.shutdownGracefully()
        #expect(watcher.ended.value)
    }

    @Test("a token of a removed socket never reaches the socket that reuses its slot")
    func staleTokensMissReusedSlots() {
        final class Handler: DirectSocketHandler {
            func socketReadable() {}
            func socketWritable() {}
            func loopEnding() {}
        }
        var table = DirectHandlerTable()
        let first = Handler()
        let old = table.insert(first)
        #expect(table[old] === first)
        table.remove(old)
        let second = Handler()
        let new = table.insert(second)
        #expect(new & 0xFFFF_FFFF == old & 0xFFFF_FFFF)  // the same slot, reused
        #expect(table[old] == nil)
        #expect(table[new] === second)
        table.remove(old)  // a stale remove leaves the new socket alone
        #expect(table[new] === second)
    }

    @Test("the heap hands timers back earliest first, however they were inserted")
    func heapOrder() {
        var heap = DirectTimerHeap()
        var generator = SystemRandomNumberGenerator()
        let deadlines = (0..<200).map { _ in UInt64.random(in: 1...1_000, using: &generator) }
        for (sequence, deadline) in deadlines.enumerated() {
            let timer = DirectTimer(deadline: deadline) {}
            timer.sequence = UInt64(sequence)
            heap.insert(timer)
        }
        #expect(heap.popDue(now: 0) == nil)
        var popped: [UInt64] = []
        while let timer = heap.popDue(now: .max) { popped.append(timer.deadline) }
        #expect(popped == deadlines.sorted())
        #expect(heap.count == 0)
    }
}

/// A lock-protected value for test closures that run on event loops.
final class NIOLockedValueBoxForTests<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func withValue<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&stored) } }
}

extension NIOLockedValueBoxForTests {
    func append<Element>(_ element: Element) where Value == [Element] { withValue { $0.append(element) } }
}
