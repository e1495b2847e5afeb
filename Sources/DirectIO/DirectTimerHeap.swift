/// A task due at a time on a `DirectEventLoop`; cancelling it clears `task`, and the heap drops it when due.
/// Touched only on its loop; Sendable so that a cancellation from another thread can carry it there.
package final class DirectTimer: @unchecked Sendable {
    package let deadline: UInt64
    /// Breaks ties between equal deadlines in the order the timers were scheduled.
    package var sequence: UInt64 = 0
    package var task: (() -> Void)?
    /// Fails the timer's promise when the loop shuts down before the timer is due.
    package var abandon: (() -> Void)?

    package init(deadline: UInt64, task: @escaping () -> Void) {
        self.deadline = deadline
        self.task = task
    }
}

/// The loop's timers, earliest first: a binary min-heap on (deadline, sequence).
package struct DirectTimerHeap {
    private var items: [DirectTimer] = []

    package var nextDeadline: UInt64? { items.first?.deadline }
    package var count: Int { items.count }

    package mutating func insert(_ timer: DirectTimer) {
        items.append(timer)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.earlier(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// The earliest timer if it is due by `now`, removed from the heap.
    package mutating func popDue(now: UInt64) -> DirectTimer? {
        guard let first = items.first, first.deadline <= now else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count && Self.earlier(items[left], items[smallest]) { smallest = left }
            if right < items.count && Self.earlier(items[right], items[smallest]) { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }

    /// Every timer left, in no particular order; the heap is empty afterwards.
    package mutating func removeAll() -> [DirectTimer] {
        defer { items = [] }
        return items
    }

    private static func earlier(_ a: DirectTimer, _ b: DirectTimer) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence
    }
}
