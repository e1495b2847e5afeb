import Testing

@testable import Workload

/// Pipelines that pgbench refuses when a client reaches them are refused when the script is compiled, with
/// pgbench's words and the line of the offending command.
@Suite struct PipelineCheckTests {
    static func error(_ script: String, mode: QueryMode = .extended) -> WorkloadError? {
        do {
            _ = try Plan.compile(sources: [ScriptSource(name: "p.sql", text: script)], mode: mode)
            return nil
        } catch {
            return error
        }
    }

    @Test func simpleProtocol() {
        let error = Self.error("\\startpipeline\nSELECT 1;\n\\endpipeline\n", mode: .simple)
        #expect(error?.message == "cannot use pipeline mode with the simple query protocol")
        #expect(error?.line == 1)
    }

    @Test func endOfScriptWithPipelineOpen() {
        let error = Self.error("SELECT 0;\n\\startpipeline\nSELECT 1;\n")
        #expect(error?.message == "end of script reached with pipeline open")
        #expect(error?.line == 2)
    }

    @Test func openedTwiceOrClosedWhenNoneIsOpen() {
        #expect(Self.error("\\startpipeline\n\\startpipeline\nSELECT 1;\n\\endpipeline\n")?.message
            == "already in pipeline mode")
        #expect(Self.error("SELECT 1;\n\\endpipeline\n")?.message == "not in pipeline mode")
        #expect(Self.error("SELECT 1;\n\\syncpipeline\n")?.line == 2)
    }

    @Test("a balanced pipeline compiles in the extended and prepared protocols")
    func balanced() {
        for mode in [QueryMode.extended, .prepared] {
            #expect(Self.error("\\startpipeline\nSELECT 1;\n\\syncpipeline\nSELECT 2;\n\\endpipeline\n", mode: mode)
                == nil)
        }
    }
}
