import Connection

/// The message of the PgswarmError thrown by `body`, or nil when it throws nothing (or something else).
package func pgswarmErrorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as PgswarmError {
        return error.message
    } catch {
        return "unexpected error: \(error)"
    }
}
