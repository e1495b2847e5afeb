import Dispatch
import NIOConcurrencyHelpers
import NIOCore

/// The clients' loops when they run on `DirectEventLoop`s: one thread each, handed out in turn.
package final class DirectEventLoopGroup: EventLoopGroup, @unchecked Sendable {
    package let loops: [DirectEventLoop]
    private let index = NIOLockedValueBox(0)

    package init(numberOfThreads: Int) {
        loops = (0..<max(1, numberOfThreads)).map { _ in DirectEventLoop() }
    }

    package func next() -> any EventLoop {
        let position = index.withLockedValue { value in
            defer { value = (value + 1) % loops.count }
            return value
        }
        return loops[position]
    }

    package func makeIterator() -> EventLoopIterator {
        EventLoopIterator(loops.map { $0 as any EventLoop })
    }

    package func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable (Error?) -> Void) {
        let remaining = NIOLockedValueBox(loops.count)
        for loop in loops {
            loop.shutdownGracefully(queue: queue) { _ in
                let last = remaining.withLockedValue { value in
                    value -= 1
                    return value == 0
                }
                if last { queue.async { callback(nil) } }
            }
        }
    }
}
