import Foundation

/// Headless Chromium (Debian's `chromium` package) to load a report as a browser would.
enum Chromium {
    static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    struct Page {
        /// The DOM after the page's scripts ran.
        var dom: String
        /// Chromium's log, where console messages and uncaught script errors appear.
        var log: String
    }

    /// `--dump-dom` with console logging on stderr.
    static func load(_ file: String) throws -> Page {
        let outcome = try run([
            "--enable-logging=stderr", "--v=0", "--dump-dom", URL(fileURLWithPath: file).absoluteString,
        ])
        return Page(dom: outcome.output, log: outcome.error)
    }

    static func screenshot(_ file: String, to png: String) throws {
        _ = try run([
            "--hide-scrollbars", "--window-size=1100,2400", "--screenshot=\(png)",
            URL(fileURLWithPath: file).absoluteString,
        ])
    }

    private static func run(_ arguments: [String]) throws -> (output: String, error: String) {
        guard let path else { throw ReportTestFailure("chromium is not installed (apt-get install chromium)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        let profile = TemporaryDirectory.make("pgswarm-chromium-profile")
        defer { try? FileManager.default.removeItem(atPath: profile) }
        // --no-sandbox: tests run as root in CI; the page is our own file.
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--user-data-dir=\(profile)",
            ] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: profile)
        let base = profile + "-io"
        _ = FileManager.default.createFile(atPath: base + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: base + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: base + ".out")
            try? FileManager.default.removeItem(atPath: base + ".err")
        }
        process.standardOutput = FileHandle(forWritingAtPath: base + ".out")
        process.standardError = FileHandle(forWritingAtPath: base + ".err")
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return (
            (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        )
    }
}
