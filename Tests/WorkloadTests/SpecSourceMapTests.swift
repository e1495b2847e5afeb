import Testing

@testable import Workload

/// The key and value positions semantic errors are located with.
@Suite struct SpecSourceMapTests {
    typealias Position = SpecSourceMap.Position

    @Test func tablesKeysAndInlineTables() {
        let map = SpecSourceMap(
            text: """
                # comment [not] = "a table"
                [workload]
                name = "x"  # trailing
                  mode="simple"
                [[phase]]
                clients = { from = 1, to = 4 }
                [[phase]]
                "quoted key" = 'v'
                rate.from = 3
                """
        )
        #expect(map.keyPositions["workload"] == Position(line: 2, column: 1))
        #expect(map.keyPositions["workload.name"] == Position(line: 3, column: 1))
        #expect(map.valuePositions["workload.name"] == Position(line: 3, column: 8))
        #expect(map.keyPositions["workload.mode"] == Position(line: 4, column: 3))
        #expect(map.valuePositions["workload.mode"] == Position(line: 4, column: 8))
        #expect(map.keyPositions["phase[0]"] == Position(line: 5, column: 1))
        #expect(map.keyPositions["phase[0].clients.to"] == Position(line: 6, column: 23))
        #expect(map.valuePositions["phase[0].clients.from"] == Position(line: 6, column: 20))
        #expect(map.keyPositions["phase[1]"] == Position(line: 7, column: 1))
        #expect(map.keyPositions["phase[1].quoted key"] == Position(line: 8, column: 1))
        #expect(map.keyPositions["phase[1].rate.from"] == Position(line: 9, column: 1))
        #expect(map.keyPositions["not"] == nil)
        // Order of appearance, for [variables].
        #expect(map.order["workload.name"]! < map.order["workload.mode"]!)
    }

    @Test func multilineStringsHideWhatLooksLikeKeys() {
        let map = SpecSourceMap(
            text: #"""
                [[script]]
                sql = """
                [fake]
                weight = 3 \"""
                """
                mode = "extended"
                body = '''
                x = 1
                '''
                tags = [
                  "a",  # comment
                  "b",
                ]
                """#
        )
        #expect(map.keyPositions["fake"] == nil)
        #expect(map.keyPositions["script[0].weight"] == nil)
        #expect(map.keyPositions["script[0].x"] == nil)
        #expect(map.keyPositions["script[0].mode"] == Position(line: 6, column: 1))
        #expect(map.valuePositions["script[0].tags[1]"] == Position(line: 12, column: 3))
    }

    @Test func unknownPathsFallBackToTheirParent() {
        let map = SpecSourceMap(text: "[[script]]\nsql = \"SELECT 1\"\n")
        #expect(map.position(of: "script[0].weight") == Position(line: 1, column: 1))
        #expect(map.position(of: "script[0].sql") == Position(line: 2, column: 7))
        #expect(map.position(of: "script[0].sql", preferKey: true) == Position(line: 2, column: 1))
        #expect(map.position(of: "nothing") == nil)
    }

    @Test func crlfLines() {
        do {
            _ = try WorkloadSpec.parse(
                "[[script]]\r\nsql = \"SELECT 1\"\r\n[[phase]]\r\nclients = 1\r\nduration = \"x\"\r\n",
                path: "c.toml"
            )
            Issue.record("accepted")
        } catch {
            #expect(error.line == 5 && error.column == 12)
            #expect(error.sourceLine == "duration = \"x\"")
        }
    }
}
