@testable import Connection

/// A fixed environment for resolver tests: no variables, user "alice", home /home/alice, no password file.
func testEnvironment(
    _ variables: [String: String] = [:],
    socketDirectory: String = "/var/run/postgresql",
    passwordFiles: [String: PgPass.FileStatus] = [:]
) -> ConnectionEnvironment {
    ConnectionEnvironment(
        variables: variables,
        osUserName: "alice",
        homeDirectory: "/home/alice",
        defaultSocketDirectory: socketDirectory,
        readPasswordFile: { path in passwordFiles[path] ?? .missing }
    )
}

func resolve(
    _ options: ConnectionOptions,
    _ environment: ConnectionEnvironment = testEnvironment()
) throws -> ConnectionResolver.Resolution {
    try ConnectionResolver.resolve(options, environment: environment)
}
