import Testing

@testable import Stats

/// A log written by HlogWriter, as Java's HistogramLogProcessor summarised it (see Resources/README.md):
/// reading it back and printing the merged distribution must give Java's text exactly.
struct JavaLogProcessorTests {
    /// The .hgrm minus the two `#[...]` lines the processor puts above the table.
    static func javaTable(_ name: String) throws -> String {
        let text = try TestResources.text(name)
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n")
    }

    @Test func untaggedDistributionEqualsJava() throws {
        let log = try HlogReader.read(path: TestResources.url("pgswarm_interop.hlog").path)
        let merged = log.merged(tag: nil)
        #expect(merged.totalCount == 12_004)
        #expect(PercentileDistribution.text(merged) == (try Self.javaTable("pgswarm_interop_java.hgrm")))
    }

    @Test func connectDistributionEqualsJava() throws {
        let log = try HlogReader.read(path: TestResources.url("pgswarm_interop.hlog").path)
        let merged = log.merged(tag: "connect")
        #expect(merged.totalCount == 4 << 40)
        #expect(PercentileDistribution.text(merged) == (try Self.javaTable("pgswarm_interop_connect_java.hgrm")))
    }
}
