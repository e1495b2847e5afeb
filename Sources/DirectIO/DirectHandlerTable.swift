/// The loop's registered sockets by token: the slot in the low 32 bits, the slot's generation in the high 32, so an
/// event for a socket closed earlier in the same epoll batch never reaches the socket that took its slot.
package struct DirectHandlerTable {
    private var slots: [(generation: UInt32, handler: (any DirectSocketHandler)?)] = []
    private var free: [Int] = []

    package mutating func insert(_ handler: any DirectSocketHandler) -> UInt64 {
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
            slots[slot].generation &+= 1
            slots[slot].handler = handler
        } else {
            slot = slots.count
            slots.append((0, handler))
        }
        return UInt64(slots[slot].generation) << 32 | UInt64(slot)
    }

    package mutating func remove(_ token: UInt64) {
        let slot = Int(token & 0xFFFF_FFFF)
        guard slot < slots.count, slots[slot].generation == UInt32(token >> 32), slots[slot].handler != nil else {
            return
        }
        slots[slot].handler = nil
        free.append(slot)
    }

    /// Every registered handler; the table is empty afterwards.
    package mutating func removeAll() -> [any DirectSocketHandler] {
        defer {
            slots = []
            free = []
        }
        return slots.compactMap(\.handler)
    }

    package subscript(token: UInt64) -> (any DirectSocketHandler)? {
        let slot = Int(token & 0xFFFF_FFFF)
        guard slot < slots.count, slots[slot].generation == UInt32(token >> 32) else { return nil }
        return slots[slot].handler
    }
}
