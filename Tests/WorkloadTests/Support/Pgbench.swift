import Foundation

/// Runs the real pgbench as the oracle.
enum Pgbench {
    /// Writes `script` to a file and runs pgbench on it; returns the status, the SQL texts pgbench sent (from its
    /// --debug output, in order, with the client id), and stderr.
    struct Run {
        var status: Int32
        var sent: [(client: Int, sql: String)]
        var stderr: String
    }

    static func run(
        script: String,
        fileName: String = "oracle.sql",
        server: OracleServer?,
        transactions: Int = 1,
        clients: Int = 1,
        seed: UInt64 = 1,
        extra: [String] = []
    ) throws -> Run {
        guard let pgbench = OracleServer.pgbenchPath else { throw OracleServer.Unavailable(description: "no pgbench") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgswarm-oracle-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(fileName).path
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        var arguments = [
            "-n", "-t", String(transactions), "-c", String(clients), "-f", path, "--random-seed=\(seed)", "--debug",
            "-U", "postgres", "-d", "postgres",
        ]
        if let server {
            arguments += ["-h", server.host, "-p", String(server.port)]
        } else {
            // Scripts are parsed before connecting: a compile error never reaches this unused port.
            arguments += ["-h", "127.0.0.1", "-p", "1"]
        }
        let output = try ProcessRunner.run(pgbench, arguments + extra, timeout: 60)
        // A multi-line SQL text continues on the lines up to the next "pgbench: " or "debug(" line.
        var sent: [(Int, String)] = []
        let marker = " sending "
        var current: (Int, String)? = nil
        for line in output.stderr.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("pgbench: ") || line.hasPrefix("debug(") {
                if let finished = current { sent.append(finished) }
                current = nil
                guard line.hasPrefix("pgbench: client "), let range = line.range(of: marker) else { continue }
                let clientText = line.dropFirst("pgbench: client ".count).prefix { $0.isNumber }
                current = (Int(clientText) ?? -1, String(line[range.upperBound...]))
            } else if current != nil {
                current!.1 += "\n" + line
            }
        }
        if let finished = current { sent.append(finished) }
        return Run(status: output.status, sent: sent, stderr: output.stderr)
    }
}
