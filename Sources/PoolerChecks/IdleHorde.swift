import Engine
import NIOCore
import NIOPosix
import Connection

/// Connections that log in and then do nothing while the clients run (`--idle-connections`), optionally inside an
/// open transaction (`--idle-in-transaction`): what a pooler or server sees from an application's idle pool. At the
/// end each is asked `SELECT 1`, so the summary can say how many were still alive.
final class IdleHorde: Sendable {
    private let connections: [AdminConnection]
    let failedToOpen: Int
    let openErrors: [String]

    private init(connections: [AdminConnection], failedToOpen: Int, openErrors: [String]) {
        self.connections = connections
        self.failedToOpen = failedToOpen
        self.openErrors = openErrors
    }

    /// Opens `count` connections, `concurrency` at a time.
    static func open(count: Int, inTransaction: Bool, settings: ConnectionSettings, group: any EventLoopGroup,
                     concurrency: Int = 64) async -> IdleHorde
    {
        var opened: [AdminConnection] = []
        var failures = 0
        var errors: [String] = []
        var next = 0
        while next < count {
            let batch = min(concurrency, count - next)
            await withTaskGroup(of: Result<AdminConnection, any Error>.self) { tasks in
                for _ in 0..<batch {
                    tasks.addTask {
                        do {
                            let connection = try await AdminConnection.connect(settings: settings, group: group)
                            if inTransaction { try await connection.simpleQuery("BEGIN") }
                            return .success(connection)
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                for await result in tasks {
                    switch result {
                    case .success(let connection): opened.append(connection)
                    case .failure(let error):
                        failures += 1
                        if errors.count < 5 { errors.append(String(describing: error)) }
                    }
                }
            }
            next += batch
        }
        return IdleHorde(connections: opened, failedToOpen: failures, openErrors: errors)
    }

    var openedCount: Int { connections.count }

    /// Asks every connection `SELECT 1`, counts the answers, and closes them all.
    func checkAliveAndClose() async -> Int {
        var alive = 0
        await withTaskGroup(of: Bool.self) { tasks in
            for connection in connections {
                tasks.addTask {
                    defer { Task { await connection.close() } }
                    return (try? await connection.simpleQuery("SELECT 1")) != nil
                }
            }
            for await ok in tasks where ok { alive += 1 }
        }
        return alive
    }
}
