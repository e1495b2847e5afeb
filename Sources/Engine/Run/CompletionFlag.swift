import Synchronization

/// A flag set once and read from any thread (every client finished; a poller told to stop).
package final class CompletionFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    package init() {}
    package func set() { flag.store(true, ordering: .relaxed) }
    package var isSet: Bool { flag.load(ordering: .relaxed) }
}
