import Foundation
import LocalCluster

/// A PostgreSQL cluster of its own that speaks TLS with certificates made for the test by the openssl CLI:
/// a CA, a server certificate it signed for the name "localhost" only (so that verify-full by IP address fails),
/// and a second, unrelated CA for the "wrong root" cases. One per test process, started on first use.
package enum TlsTestServer {
    package struct Server: Sendable {
        package let cluster: LocalPostgres
        let certificateDirectory: String
        package var rootCertificate: String { certificateDirectory + "/root.crt" }
        package var wrongRootCertificate: String { certificateDirectory + "/wrong-root.crt" }
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var server: Server?
    nonisolated(unsafe) private static var startError: Error?

    package static func shared() throws -> Server {
        try lock.withLock {
            if let server { return server }
            if let startError { throw startError }
            do {
                let started = try start()
                server = started
                atexit {
                    TlsTestServer.server?.cluster.stop()
                    if let directory = TlsTestServer.server?.certificateDirectory {
                        try? FileManager.default.removeItem(atPath: directory)
                    }
                }
                return started
            } catch {
                startError = error
                throw error
            }
        }
    }

    private static func start() throws -> Server {
        let directory = "/tmp/pgswarm-tls-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try makeCertificates(in: directory)
        var options = LocalPostgres.Options()
        options.maxConnections = 60
        options.extraConfiguration = [
            "ssl = on",
            "log_connections = on",
            "ssl_cert_file = '\(directory)/server.crt'",
            "ssl_key_file = '\(directory)/server.key'",
        ]
        let cluster = try LocalPostgres.start(options: options)
        return Server(cluster: cluster, certificateDirectory: directory)
    }

    private static func openssl(_ arguments: [String], in directory: String) throws {
        try Subprocess.check(["/usr/bin/openssl"] + arguments.map { $0.replacingOccurrences(of: "@", with: directory + "/") })
    }

    private static func makeCertificates(in directory: String) throws {
        for ca in ["root", "wrong-root"] {
            try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=pgswarm test \(ca)",
                         "-keyout", "@\(ca).key", "-out", "@\(ca).crt",
                         "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"],
                        in: directory)
        }
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
                     "-keyout", "@server.key", "-out", "@server.csr"], in: directory)
        try "subjectAltName = DNS:localhost\nextendedKeyUsage = serverAuth\n"
            .write(toFile: directory + "/server.ext", atomically: false, encoding: .utf8)
        try openssl(["x509", "-req", "-in", "@server.csr", "-CA", "@root.crt", "-CAkey", "@root.key",
                     "-CAcreateserial", "-days", "2", "-extfile", "@server.ext", "-out", "@server.crt"],
                    in: directory)
        // The server refuses a key file others can read, and (as root) it runs as postgres.
        chmod(directory + "/server.key", 0o600)
        chmod(directory, 0o755)
        for file in ["root.crt", "wrong-root.crt", "server.crt"] { chmod(directory + "/" + file, 0o644) }
        if Subprocess.isRoot {
            try Subprocess.check(["/bin/chown", "postgres", directory + "/server.key"])
        }
    }
}
