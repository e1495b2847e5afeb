import Foundation
import Testing

@testable import Report

@Suite("HTML report")
struct HTMLReportTests {
    @Test("the page is self-contained and holds every plot, the table and the command lines")
    func content() {
        let runs = [
            SyntheticResults.run(path: "/r/a", seed: 1), SyntheticResults.run(path: "/r/a", latencyMs: 3, seed: 2),
        ]
        let html = HTMLReport.html(runs: runs)
        for id in HTMLReport.plotIDs { #expect(html.contains("<svg id=\"\(id)\"")) }
        #expect(html.contains("<table id=\"summary-table\">"))
        #expect(html.contains("pgswarm run -f bench.sql -c 4 -T 20"))
        // Nothing to fetch: no external scripts, styles, images or links.
        #expect(!html.contains("src="))
        #expect(!html.contains("href="))
        #expect(!html.contains("@import"))
        // Two runs of the same directory name get distinct legend labels.
        #expect(html.contains(">a (2)</text>"))
        // Four spectrum... two runs, one polyline each in the spectrum plot.
        let spectrum = html.components(separatedBy: "<svg id=\"plot-spectrum\"")[1].components(separatedBy: "</svg>")[0]
        #expect(spectrum.components(separatedBy: "<polyline").count == 3)
        #expect(spectrum.contains(">99.9%</text>"))
    }

    @Test("failures per interval are plotted when recorded, and said to be missing otherwise")
    func errorsPlot() {
        var run = SyntheticResults.run(path: "/r/e", intervals: 4)
        let old = HTMLReport.html(runs: [run])
        #expect(old.contains("failures per interval not recorded"))
        run = ResultDirectory(
            path: run.path,
            summary: {
                var summary = run.summary
                summary.failedPerInterval = [0, 5, 10, 0]
                return summary
            }(), hlog: run.hlog, hlogPath: run.hlogPath)
        let html = HTMLReport.html(runs: [run])
        let plot = html.components(separatedBy: "<svg id=\"plot-errors\"")[1].components(separatedBy: "</svg>")[0]
        #expect(plot.components(separatedBy: "<polyline").count == 2)
        #expect(plot.contains(">10</text>"))  // the y axis reaches the peak of 10 failures/s
    }

    @Test("text from the command line is escaped")
    func escapes() {
        var run = SyntheticResults.run(path: "/r/x")
        run = ResultDirectory(
            path: run.path,
            summary: {
                var s = run.summary
                s.commandLine = "pgswarm run -D x=<b>&"
                return s
            }(),
            hlog: run.hlog, hlogPath: run.hlogPath)
        let html = HTMLReport.html(runs: [run])
        #expect(html.contains("pgswarm run -D x=&lt;b&gt;&amp;"))
        #expect(!html.contains("<b>&"))
    }

    @Test("headless Chromium loads the report without script errors, with every plot, and renders it")
    func rendersInChromium() throws {
        let runs = try RealRuns.shared()
        let single = runs.base + "/report.html"
        #expect(FileManager.default.fileExists(atPath: single), "pgswarm run --report wrote no report.html")
        let overlaid = TemporaryDirectory.make() + "/report.html"
        let outcome = try PgswarmBinary.run(["report", runs.base, runs.again, runs.slowed, "--out", overlaid])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        for file in [single, overlaid] {
            let page = try Chromium.load(file)
            #expect(
                page.dom.contains("data-plots-ready=\"\(HTMLReport.plotIDs.joined(separator: " "))\""),
                "the page's script did not run or found other plots")
            #expect(!page.log.contains("Uncaught"), "script error: \(page.log)")
            for id in HTMLReport.plotIDs { #expect(page.dom.contains("id=\"\(id)\"")) }
        }
        // The check above would see a script error: a page with one shows it in the log and is not marked ready.
        let broken = TemporaryDirectory.make() + "/broken.html"
        let html = try String(contentsOfFile: overlaid, encoding: .utf8)
        try html.replacingOccurrences(of: "(function(){", with: "noSuchFunction();(function(){")
            .write(toFile: broken, atomically: true, encoding: .utf8)
        let brokenPage = try Chromium.load(broken)
        #expect(brokenPage.log.contains("Uncaught ReferenceError: noSuchFunction is not defined"))
        #expect(!brokenPage.dom.contains("data-plots-ready=\""))
        let png = TemporaryDirectory.make() + "/report.png"
        try Chromium.screenshot(overlaid, to: png)
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // A blank page compresses to a few kilobytes; plots and text make it far larger.
        #expect(data.count > 40_000)
    }
}

@Suite("plot axes")
struct AxisTests {
    @Test("linear axes round up to 1-2-5 steps; log axes span whole decades; the spectrum is labelled in percent")
    func ticks() {
        let linear = Axis(values: [0, 1337], scale: .linear, length: 100)
        #expect(linear.high == 1500)
        #expect(linear.ticks().map(\.label) == ["0", "500", "1000", "1500"])
        let log = Axis(values: [2.3, 14], scale: .logarithmic, length: 100)
        #expect(log.low == 1 && log.high == 100)
        #expect(log.ticks().map(\.label) == ["1", "2", "5", "10", "20", "50", "100"])
        #expect(abs(log.position(10) - 50) < 1e-9)
        let spectrum = Axis(values: [1, 2000], scale: .percentileSpectrum, length: 100)
        #expect(spectrum.ticks().map(\.label) == ["0%", "90%", "99%", "99.9%", "99.99%"])
    }
}
