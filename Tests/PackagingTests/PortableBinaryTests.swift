import Foundation
import LocalCluster
import TestSupport
import Testing

/// The portable binary of Scripts/build-release.sh: it needs no Swift toolchain. Skipped unless that script has run
/// (.ci/run runs it before the tests: a release build with the static runtime takes several minutes).
@Suite(
    "The portable binary (Scripts/build-release.sh)",
    .enabled(if: Checkout.portableBuilt, "run Scripts/build-release.sh first (.ci/run does)")
)
struct PortableBinaryTests {
    /// What the binary may load: glibc's libraries, the C++ runtime (the Swift runtime linked in uses it), zlib.
    static let systemLibraries: Set<String> = [
        "linux-vdso.so.1", "libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "libz.so.1",
        "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1",
    ]

    /// The names `ldd` lists for a binary, and whether it could resolve them all.
    static func linkedLibraries(_ binary: String) throws -> (names: Set<String>, text: String) {
        let output = try Command.run(["ldd", binary])
        let names = output.text.split(separator: "\n").compactMap { line in
            line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map { String($0.split(separator: "/").last!) }
        }
        return (Set(names), output.text)
    }

    @Test("ldd lists no Swift library, only glibc, the C++ runtime and zlib; its run path is only its own directory")
    func linkedLibraries() throws {
        let (names, text) = try Self.linkedLibraries(Checkout.portableBinary)
        #expect(!text.lowercased().contains("swift") && !text.contains("Foundation"), "ldd:\n\(text)")
        #expect(!text.contains("not found"), "ldd:\n\(text)")
        #expect(names.isSubset(of: Self.systemLibraries), "more than docs/install.md says:\n\(text)")
        // SwiftPM links executables with the run path $ORIGIN; nothing may point into the toolchain.
        let dynamic = try Command.run(["readelf", "-d", Checkout.portableBinary]).text
        let runPaths = dynamic.split(separator: "\n").filter { $0.contains("RPATH") || $0.contains("RUNPATH") }
        #expect(runPaths.allSatisfy { $0.hasSuffix("[$ORIGIN]") }, "readelf -d:\n\(dynamic)")
    }

    @Test("--version names the version and the commit it was built from")
    func versionNamesCommit() throws {
        let version = try Command.standardOutput([Checkout.portableBinary, "--version"])
        let pattern = #/pgswarm [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]{12}(-dirty)?\)\n/#
        #expect(version.wholeMatch(of: pattern) != nil, "printed: \(version)")
    }

    /// The toolchain's library directory, from where the debug build finds libswiftCore.so.
    static func toolchainDirectory() throws -> String {
        let (_, text) = try linkedLibraries(try Checkout.requireDebugBinary())
        let line = try #require(text.split(separator: "\n").first { $0.contains("libswiftCore.so") })
        let path = try #require(line.split(separator: " ").first { $0.hasPrefix("/") }.map(String.init))
        let libraryDirectory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        // /opt/swift/usr/lib/swift/linux: hide /opt/swift. A toolchain installed under /usr: hide its lib/swift.
        if let range = libraryDirectory.range(of: "/usr/lib/swift"), range.lowerBound != libraryDirectory.startIndex {
            return String(libraryDirectory[..<range.lowerBound])
        }
        return libraryDirectory
    }

    /// Runs `arguments` in a mount namespace where an empty tmpfs covers `hidden`, with only PATH=/usr/bin:/bin.
    static func runHidden(_ hidden: String, _ arguments: [String]) throws -> Subprocess.Output {
        let program = "mount -t tmpfs tmpfs \"$1\" && shift && exec env -i PATH=/usr/bin:/bin \"$@\""
        return try Command.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", program, "sh", hidden]
                               + arguments, timeout: 120)
    }

    @Test("runs a benchmark with the toolchain hidden and an empty environment, where the debug build cannot start")
    func runsWithoutToolchain() throws {
        let hidden = try Self.toolchainDirectory()
        // The control: the same hiding stops the ordinary build, so it does hide what that build needs.
        let control = try Self.runHidden(hidden, [try Checkout.requireDebugBinary(), "--version"])
        #expect(control.status == 127 && control.text.contains("libswift"), "debug build: \(control.text)")

        let pg = try TestPostgres.sharedSync()
        try pg.psql("DROP DATABASE IF EXISTS dist_portable")
        try pg.psql("CREATE DATABASE dist_portable")
        let server = ["-h", pg.host, "-p", String(pg.port), "-U", pg.superuser]
        let initialised = try Self.runHidden(
            hidden, [Checkout.portableBinary, "init", "-s", "1", "-q"] + server + ["dist_portable"])
        #expect(initialised.status == 0, "init: \(initialised.text)")
        let out = TemporaryDirectory.make("portable-run")
        let run = try Self.runHidden(
            hidden,
            [Checkout.portableBinary, "run", "-c", "2", "-j", "1", "-T", "2", "-S", "-M", "prepared", "--out", out]
                + server + ["dist_portable"])
        #expect(run.status == 0, "run: \(run.text)")
        #expect(run.text.contains("number of transactions actually processed"))
        let summary = try #require(FileManager.default.contents(atPath: out + "/summary.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: summary) as? [String: Any])
        #expect((json["transactions"] as? Int ?? 0) > 0)
    }

    @Test("the layout has the manual page, completions and CI script, each made from the binary or copied as is")
    func layout() throws {
        let layout = Checkout.portableLayout
        let manual = layout + "/share/man/man1/pgswarm.1"
        // Errors only: generate-manual leaves the blank lines of multi-paragraph help in the page, which mandoc
        // warns about and renders as paragraph breaks.
        let lint = try Command.run(["mandoc", "-T", "lint", "-W", "error", manual])
        #expect(lint.status == 0, "mandoc -T lint:\n\(lint.text)")
        let source = try String(contentsOfFile: manual, encoding: .utf8)
        #expect(source.hasPrefix(".\\\" \"Generated by swift-argument-parser\""))
        for subcommand in ["run", "init", "check", "compare", "merge", "hlog", "report", "version"] {
            #expect(source.contains("\n.It Em \(subcommand)\n"), "the manual lacks the subcommand \(subcommand)")
        }
        // Rendered, with the overstrikes that make bold and underline taken out.
        let page = try Command.standardOutput(["mandoc", "-T", "ascii", manual]).replacing(/.\x{08}/, with: "")
        #expect(page.contains("--max-tries") && page.contains("--fail-on"), "the manual lacks subcommands' options")
        for (shell, file) in [
            ("bash", "bash-completion/completions/pgswarm"), ("zsh", "zsh/site-functions/_pgswarm"),
            ("fish", "fish/vendor_completions.d/pgswarm.fish"),
        ] {
            let shipped = try String(contentsOfFile: layout + "/share/" + file, encoding: .utf8)
            let generated = try Command.standardOutput([Checkout.portableBinary, "--generate-completion-script", shell])
            #expect(shipped == generated, "\(file) differs from what the binary generates")
        }
        let ciScript = try String(contentsOfFile: layout + "/share/pgswarm/ci-compare.sh", encoding: .utf8)
        #expect(ciScript == (try Checkout.read(ShippedFiles.ciScript)))
        #expect(FileManager.default.isExecutableFile(atPath: layout + "/share/pgswarm/ci-compare.sh"))
        let tarballs = try FileManager.default.contentsOfDirectory(atPath: layout + "/..").filter {
            $0.hasPrefix("pgswarm-") && $0.hasSuffix(".tar.gz")
        }
        #expect(!tarballs.isEmpty, "no pgswarm-<version>-linux-<arch>.tar.gz beside \(layout)")
    }
}
