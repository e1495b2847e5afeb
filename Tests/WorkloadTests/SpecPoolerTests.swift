import Foundation
import Testing

@testable import Workload

/// `[pooler]`: the pooler-stress behaviours as spec items, each value checked and each mistake located.
@Suite struct SpecPoolerTests {
    static let script = "[[script]]\nsql = \"SELECT 1\"\n"

    @Test func everyKeyIsRead() throws {
        let spec = try WorkloadSpec.parse(
            Self.script + """
                [pooler]
                connect_storm = 200
                storm_rate = 50.5
                idle_connections = 30
                idle_in_transaction = true
                cancel_fraction = 0.25
                cancel_delay = "5ms"
                state_leak_check = true

                """,
            path: "p.toml"
        )
        #expect(
            spec.pooler
                == SpecPooler(connectStorm: 200, stormRate: 50.5, idleConnections: 30, idleInTransaction: true,
                              cancelFraction: 0.25, cancelDelaySeconds: 0.005, stateLeakCheck: true)
        )
        #expect(
            spec.pooler.describe()
                == "connect storm 200 at 50.5/s; idle connections 30 in transaction; "
                + "cancel 25% of transactions after 5ms; state-leak check"
        )
        #expect(spec.describe().contains("pooler: " + spec.pooler.describe()))
    }

    @Test func absentTableAsksForNothing() throws {
        let spec = try WorkloadSpec.parse(Self.script, path: "p.toml")
        #expect(spec.pooler.isEmpty)
        #expect(!spec.describe().contains { $0.hasPrefix("pooler:") })
    }

    @Test func falseFlagsAskForNothing() throws {
        let spec = try WorkloadSpec.parse(Self.script + "[pooler]\nstate_leak_check = false\n", path: "p.toml")
        #expect(spec.pooler.stateLeakCheck == false)
        #expect(spec.pooler.isEmpty)
        #expect(!spec.describe().contains { $0.hasPrefix("pooler:") })
    }

    @Test func wholeNumbersAndSecondsAreAccepted() throws {
        let spec = try WorkloadSpec.parse(
            Self.script + "[pooler]\ncancel_fraction = 1\ncancel_delay = 0.5\nstorm_rate = 10\nconnect_storm = 1\n",
            path: "p.toml"
        )
        #expect(spec.pooler.cancelFraction == 1)
        #expect(spec.pooler.cancelDelaySeconds == 0.5)
        #expect(spec.pooler.stormRate == 10)
        #expect(spec.pooler.describe() == "connect storm 1 at 10/s; cancel 100% of transactions after 500ms")
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let body: String
        let line: Int
        let column: Int
        let message: String
        init(_ body: String, _ line: Int, _ column: Int, _ message: String) {
            self.body = body
            self.line = line
            self.column = column
            self.message = message
        }
        var testDescription: String { message }
    }

    // Lines count from the spec's start: the script takes lines 1-2, `[pooler]` is line 3.
    static let cases: [Case] = [
        Case("connect_strom = 5\n", 4, 1, "unknown key \"connect_strom\" in [pooler]; did you mean \"connect_storm\"?"),
        Case("connect_storm = \"5\"\n", 4, 17, "\"connect_storm\" in [pooler] must be an integer, not a string"),
        Case("connect_storm = 0\n", 4, 17, "\"connect_storm\" in [pooler] must be at least 1, not 0"),
        Case("idle_connections = -3\n", 4, 20, "\"idle_connections\" in [pooler] must be at least 1, not -3"),
        Case("connect_storm = 5\nstorm_rate = 0\n", 5, 14, "\"storm_rate\" in [pooler] must be greater than 0"),
        Case(
            "idle_connections = 2\nidle_in_transaction = \"yes\"\n", 5, 23,
            "\"idle_in_transaction\" in [pooler] must be true or false, not a string"
        ),
        Case(
            "cancel_fraction = 1.5\n", 4, 19,
            "\"cancel_fraction\" in [pooler] must be greater than 0 and at most 1 (a fraction of transactions), not 1.5"
        ),
        Case("cancel_fraction = 0\n", 4, 19, "\"cancel_fraction\" in [pooler] must be greater than 0 and at most 1"),
        Case(
            "cancel_fraction = \"10%\"\n", 4, 19,
            "\"cancel_fraction\" in [pooler] must be a number from 0 to 1, not a string"
        ),
        Case("cancel_fraction = 0.1\ncancel_delay = \"5 ms\"\n", 5, 16, "invalid duration \"5 ms\" for \"cancel_delay\""),
        Case(
            "state_leak_check = 1\n", 4, 20,
            "\"state_leak_check\" in [pooler] must be true or false, not an integer"
        ),
        Case("storm_rate = 10\n", 4, 1, "storm_rate needs connect_storm in [pooler]: alone it would do nothing"),
        Case("cancel_delay = \"5ms\"\n", 4, 1, "cancel_delay needs cancel_fraction in [pooler]"),
        Case("idle_in_transaction = true\n", 4, 1, "idle_in_transaction needs idle_connections in [pooler]"),
    ]

    @Test(arguments: cases) func mistakeIsLocated(_ testCase: Case) {
        let text = Self.script + "[pooler]\n" + testCase.body
        do {
            let spec = try WorkloadSpec.parse(text, path: "bad.toml")
            Issue.record("accepted: \(spec.pooler)")
        } catch {
            #expect(error.message.hasPrefix(testCase.message), "\(error.message)")
            #expect(error.line == testCase.line, "\(error)")
            #expect(error.column == testCase.column, "\(error)")
            #expect(error.description.hasPrefix("bad.toml:\(testCase.line):\(testCase.column): "))
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(error.sourceLine == String(lines[testCase.line - 1]))
        }
    }

    @Test func poolerMustBeATable() {
        do {
            _ = try WorkloadSpec.parse("pooler = 3\n" + Self.script, path: "bad.toml")
            Issue.record("accepted")
        } catch {
            #expect(error.line == 1)
            #expect(error.message == "\"pooler\" in the workload spec must be a table, not an integer")
        }
    }
}
