import Engine

/// Where `pgswarm init` hands over to the engine. The engine's `PgbenchInit` is being written; until it lands,
/// say so plainly instead of pretending.
enum InitRunner {
    static func run(connection: ConnectionSettings, options: InitOptions) async throws {
        throw EngineError(
            .io,
            "initialisation is not available in this build yet; for now run: pgbench -i -s \(options.scale) "
                + "-I \(options.steps) (same connection options)"
        )
    }
}
