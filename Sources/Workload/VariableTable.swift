/// Assigns each variable name a slot while scripts compile; every name any script can read gets one, so a running
/// client keeps its variables in a flat array.
struct VariableTable {
    private(set) var names: [String] = []
    private var slots: [String: Int] = [:]

    mutating func slot(for name: String) -> Int {
        if let existing = slots[name] { return existing }
        let slot = names.count
        names.append(name)
        slots[name] = slot
        return slot
    }

    func existingSlot(for name: String) -> Int? { slots[name] }

    var lookup: [String: Int] { slots }

    /// pgbench's rule: ASCII letters, digits, underscore or any non-ASCII byte, not starting with a digit.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, ExpressionLexer.isAlpha(first) else { return false }
        return name.utf8.allSatisfy(ExpressionLexer.isAlnum)
    }
}
