import Engine
import Connection
import PgbenchCLI

/// Hands `pgswarm init` (and `pgswarm run -i`) over to the engine.
enum InitRunner {
    static func run(connection: ConnectionSettings, options: InitOptions) async throws {
        try await PgbenchInit.run(connection: connection, options: options, print: StandardOutput.write)
    }
}
