import Foundation
import Testing

@testable import Workload

/// Well-formed specs: every section read into `WorkloadSpec` as written.
@Suite struct SpecParseTests {
    static let full = #"""
        [workload]
        name = "orders"
        mode = "prepared"
        database_scale = 10

        [variables]
        aid = "random(1, 100000 * :scale)"
        bid = ":aid % 7"
        delta = -5

        [setup]
        sql = ["CREATE TABLE IF NOT EXISTS t (id int)", "INSERT INTO t VALUES (1)"]
        [teardown]
        sql = "DROP TABLE t"
        [connection]
        setup = ["SET statement_timeout = '5s'"]

        [[script]]
        name = "read"
        weight = 8
        tags = ["reads", "hot"]
        mode = "extended"
        connection = "persistent"
        pipeline = 4
        sql = """
        SELECT abalance FROM pgbench_accounts WHERE aid = :aid;
        SELECT :bid;
        """

        [[script]]
        name = "write"
        weight = 2
        connection = { reconnect_every = 100 }
        builtin = "tpcb-like"

        [[script]]
        name = "churn"
        weight = 0
        connection = "reconnect-each"
        sql = "SELECT 1"

        [[script]]
        name = "every"
        reconnect_every = 5
        mode = "simple"
        sql = 'SELECT 2'

        [[phase]]
        name = "warmup"
        kind = "warmup"
        duration = "10s"
        clients = 8

        [[phase]]
        name = "ramp"
        kind = "ramp"
        duration = "1m30s"
        clients = { from = 8, to = 64 }
        rate = { from = 1000, to = 5000.5 }

        [[phase]]
        kind = "steady"
        duration = 60
        clients = 64
        rate = 5000
        threads = 2
        """#

    @Test func everySectionIsRead() throws {
        let spec = try WorkloadSpec.parse(Self.full, path: "orders.toml")
        #expect(spec.name == "orders")
        #expect(spec.defaultMode == .prepared)
        #expect(spec.scale == 10)
        #expect(spec.variables.map(\.name) == ["aid", "bid", "delta"])
        #expect(spec.variables.map(\.expression) == ["random(1, 100000 * :scale)", ":aid % 7", "-5"])
        #expect(spec.setupSQL == ["CREATE TABLE IF NOT EXISTS t (id int)", "INSERT INTO t VALUES (1)"])
        #expect(spec.teardownSQL == ["DROP TABLE t"])
        #expect(spec.connectionSetupSQL == ["SET statement_timeout = '5s'"])

        #expect(spec.scripts.map(\.name) == ["read", "write", "churn", "every"])
        #expect(spec.scripts.map(\.weight) == [8, 2, 0, 1])
        #expect(spec.scripts[0].tags == ["reads", "hot"])
        #expect(spec.scripts.map(\.mode) == [.extended, nil, nil, .simple])
        #expect(
            spec.scripts.map(\.connection) == [.persistent, .reconnectEvery(100), .reconnectEach, .reconnectEvery(5)]
        )
        #expect(spec.scripts.map(\.pipelineDepth) == [4, 0, 0, 0])
        #expect(spec.scripts[0].text.hasPrefix("SELECT abalance"))
        #expect(spec.scripts[0].body == .inline(line: 26, column: 1))
        #expect(spec.scripts[1].text == BuiltinScript.tpcbLike.text)
        #expect(spec.scripts[1].body == .builtin(name: "tpcb-like"))
        #expect(spec.scripts[3].text == "SELECT 2\n")

        #expect(spec.phases.count == 3)
        #expect(
            spec.phases[0]
                == SpecPhase(name: "warmup", kind: .warmup, durationSeconds: 10, clientsFrom: 8, clientsTo: 8)
        )
        #expect(
            spec.phases[1]
                == SpecPhase(
                    name: "ramp",
                    kind: .ramp,
                    durationSeconds: 90,
                    clientsFrom: 8,
                    clientsTo: 64,
                    rateFrom: 1000,
                    rateTo: 5000.5
                )
        )
        #expect(
            spec.phases[2]
                == SpecPhase(
                    name: "steady",
                    kind: .steady,
                    durationSeconds: 60,
                    clientsFrom: 64,
                    clientsTo: 64,
                    rateFrom: 5000,
                    rateTo: 5000,
                    threads: 2
                )
        )
        #expect(spec.durationSeconds == 160)
    }

    @Test func defaultsForAMinimalSpec() throws {
        let spec = try WorkloadSpec.parse("[[script]]\nsql = \"SELECT 1\"\n", path: "dir/minimal.toml")
        #expect(spec.name == "minimal")
        #expect(spec.defaultMode == .simple)
        #expect(spec.scale == nil)
        #expect(spec.variables.isEmpty && spec.setupSQL.isEmpty && spec.phases.isEmpty)
        #expect(spec.scripts == [SpecScript(name: "script1", text: "SELECT 1\n", body: .inline(line: 2, column: 8))])
    }

    @Test func builtinScriptsKeepPgbenchsNameUnlessNamed() throws {
        let spec = try WorkloadSpec.parse("[[script]]\nbuiltin = \"select-only\"\n", path: "s.toml")
        #expect(spec.scripts[0].name == BuiltinScript.selectOnly.name)
    }

    @Test func fileScriptsAreReadRelativeToTheSpec() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "\\set n 3\nSELECT :n;\n".write(
            to: directory.appendingPathComponent("three.sql"),
            atomically: true,
            encoding: .utf8
        )
        let specURL = directory.appendingPathComponent("w.toml")
        try "[[script]]\nfile = \"three.sql\"\nweight = 3\n".write(to: specURL, atomically: true, encoding: .utf8)

        let spec = try WorkloadSpec.load(path: specURL.path)
        #expect(spec.scripts[0].name == "three")
        #expect(spec.scripts[0].text == "\\set n 3\nSELECT :n;\n")
        #expect(spec.scripts[0].body == .file(path: directory.appendingPathComponent("three.sql").path))
        #expect(spec.scripts[0].weight == 3)
    }

    @Test func durations() {
        let cases: [(String, Double?)] = [
            ("10s", 10), ("500ms", 0.5), ("2m", 120), ("1h", 3600), ("1m30s", 90), ("1.5s", 1.5), ("45", 45),
            ("0.25", 0.25), ("0s", nil), ("10 sec", nil), ("s", nil), ("10", 10), ("30s2m", nil), ("-5s", nil),
            ("", nil), ("1d", nil),
        ]
        for (text, seconds) in cases {
            #expect(SpecDuration.seconds(text) == seconds, "\(text)")
        }
    }
}
