import Foundation

/// An SVG line chart built as a string: axes with ticks, one polyline per series, a legend. Linear or
/// logarithmic axes; the percentile spectrum uses a logarithmic x axis labelled in percentiles.
struct LinePlot {
    enum Scale {
        case linear
        case logarithmic
        /// Logarithmic in 1/(1-p), labelled with the percentile: 1 → 0%, 10 → 90%, 100 → 99%.
        case percentileSpectrum
    }

    struct Series {
        var name: String
        var color: String
        var dashed = false
        var points: [(x: Double, y: Double)]
    }

    var id: String
    var title: String
    var xLabel: String
    var yLabel: String
    var xScale: Scale = .linear
    var yScale: Scale = .linear
    var series: [Series]
    /// Shown inside the plot area when no series has a point.
    var emptyMessage = "no data"

    static let width = 960.0
    static let height = 340.0
    static let margin = (left: 70.0, right: 44.0, top: 34.0, bottom: 78.0)

    func svg() -> String {
        let plotWidth = Self.width - Self.margin.left - Self.margin.right
        let plotHeight = Self.height - Self.margin.top - Self.margin.bottom
        let usable = series.map { series in
            Series(
                name: series.name, color: series.color, dashed: series.dashed,
                points: series.points.filter { isDrawable($0.x, xScale) && isDrawable($0.y, yScale) })
        }
        let allPoints = usable.flatMap(\.points)
        var out = "<svg id=\"\(XML.escape(id))\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" "
        out +=
            "viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-label=\"\(XML.escape(title))\">"
        out += "<text x=\"\(Self.margin.left)\" y=\"20\" class=\"plot-title\">\(XML.escape(title))</text>"
        out +=
            "<rect x=\"\(Self.margin.left)\" y=\"\(Self.margin.top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" "
        out += "class=\"plot-area\"/>"
        guard !allPoints.isEmpty else {
            out += "<text x=\"\(Self.margin.left + plotWidth / 2)\" y=\"\(Self.margin.top + plotHeight / 2)\" "
            out += "text-anchor=\"middle\" class=\"plot-empty\">\(XML.escape(emptyMessage))</text></svg>"
            return out
        }
        let xAxis = Axis(values: allPoints.map(\.x), scale: xScale, length: plotWidth)
        let yAxis = Axis(values: allPoints.map(\.y), scale: yScale, length: plotHeight)
        func px(_ x: Double) -> Double { Self.margin.left + xAxis.position(x) }
        func py(_ y: Double) -> Double { Self.margin.top + plotHeight - yAxis.position(y) }

        for tick in xAxis.ticks() {
            let x = format(px(tick.value))
            out += "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(Self.margin.top)\" y2=\"\(Self.margin.top + plotHeight)\" "
            out += "class=\"grid\"/>"
            out += "<text x=\"\(x)\" y=\"\(Self.margin.top + plotHeight + 16)\" text-anchor=\"middle\" class=\"tick\">"
            out += "\(XML.escape(tick.label))</text>"
        }
        for tick in yAxis.ticks() {
            let y = format(py(tick.value))
            out += "<line x1=\"\(Self.margin.left)\" x2=\"\(Self.margin.left + plotWidth)\" y1=\"\(y)\" y2=\"\(y)\" "
            out += "class=\"grid\"/>"
            out += "<text x=\"\(Self.margin.left - 6)\" y=\"\(y)\" dy=\"4\" text-anchor=\"end\" class=\"tick\">"
            out += "\(XML.escape(tick.label))</text>"
        }
        out += "<text x=\"\(Self.margin.left + plotWidth / 2)\" y=\"\(Self.margin.top + plotHeight + 36)\" "
        out += "text-anchor=\"middle\" class=\"axis-label\">\(XML.escape(xLabel))</text>"
        out += "<text transform=\"translate(16 \(Self.margin.top + plotHeight / 2)) rotate(-90)\" "
        out += "text-anchor=\"middle\" class=\"axis-label\">\(XML.escape(yLabel))</text>"

        for (index, series) in usable.enumerated() where !series.points.isEmpty {
            let points = series.points.map { "\(format(px($0.x))),\(format(py($0.y)))" }.joined(separator: " ")
            out += "<g class=\"series\" data-series=\"\(index)\"><title>\(XML.escape(series.name))</title>"
            out += "<polyline points=\"\(points)\" fill=\"none\" stroke=\"\(series.color)\" stroke-width=\"1.8\""
            out += series.dashed ? " stroke-dasharray=\"6 4\"/>" : "/>"
            if series.points.count == 1 {
                out += "<circle cx=\"\(format(px(series.points[0].x)))\" cy=\"\(format(py(series.points[0].y)))\" "
                out += "r=\"3\" fill=\"\(series.color)\"/>"
            }
            out += "</g>"
        }
        // Legend below the axis label, wrapping into rows.
        var legendX = Self.margin.left
        var legendY = Self.margin.top + plotHeight + 56
        for (index, series) in usable.enumerated() {
            let width = 36 + Double(series.name.count) * 6.6
            if legendX + width > Self.width - Self.margin.right {
                legendX = Self.margin.left
                legendY += 16
            }
            out += "<g class=\"legend\" data-series=\"\(index)\">"
            out += "<line x1=\"\(format(legendX))\" x2=\"\(format(legendX + 22))\" y1=\"\(format(legendY - 4))\" "
            out += "y2=\"\(format(legendY - 4))\" stroke=\"\(series.color)\" stroke-width=\"2.5\""
            out += series.dashed ? " stroke-dasharray=\"6 4\"/>" : "/>"
            out += "<text x=\"\(format(legendX + 27))\" y=\"\(format(legendY))\" class=\"legend-text\">"
            out += "\(XML.escape(series.name))</text></g>"
            legendX += width + 14
        }
        out += "</svg>"
        return out
    }

    private func isDrawable(_ value: Double, _ scale: Scale) -> Bool {
        value.isFinite && (scale == .linear || value > 0)
    }

    private func format(_ value: Double) -> String {
        String(format: "%.1f", value)
    }
}

/// One axis: the range of the data widened to round ticks, and the mapping from values to pixels.
struct Axis {
    struct Tick {
        var value: Double
        var label: String
    }

    let scale: LinePlot.Scale
    let low: Double
    let high: Double
    let length: Double

    init(values: [Double], scale: LinePlot.Scale, length: Double) {
        self.scale = scale
        self.length = length
        var low = values.min() ?? 0
        var high = values.max() ?? 1
        switch scale {
        case .linear:
            low = min(low, 0)
            if high <= low { high = low + 1 }
            let step = Axis.niceStep((high - low) / 5)
            high = (high / step).rounded(.up) * step
        case .logarithmic, .percentileSpectrum:
            low = pow(10, floor(log10(low)))
            high = pow(10, ceil(log10(high)))
            if high <= low { high = low * 10 }
        }
        self.low = low
        self.high = high
    }

    /// 1, 2 or 5 times a power of ten, at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let power = pow(10, floor(log10(rough)))
        for factor in [1.0, 2, 5, 10] where factor * power >= rough { return factor * power }
        return 10 * power
    }

    func position(_ value: Double) -> Double {
        switch scale {
        case .linear:
            return (value - low) / (high - low) * length
        case .logarithmic, .percentileSpectrum:
            return (log10(value) - log10(low)) / (log10(high) - log10(low)) * length
        }
    }

    func ticks() -> [Tick] {
        switch scale {
        case .linear:
            let step = Axis.niceStep((high - low) / 5)
            var result: [Tick] = []
            var value = (low / step).rounded(.up) * step
            for _ in 0..<12 where value <= high + step / 1000 {
                result.append(Tick(value: value, label: Axis.label(value)))
                value += step
            }
            return result
        case .logarithmic:
            // Over one or two decades, 2x and 5x ticks too, or the axis would show only its two ends.
            let factors: [Double] = log10(high / low) <= 2.01 ? [1, 2, 5] : [1]
            var result: [Tick] = []
            var decade = low
            for _ in 0..<20 where decade <= high * 1.0001 {
                for factor in factors where decade * factor <= high * 1.0001 {
                    result.append(Tick(value: decade * factor, label: Axis.label(decade * factor)))
                }
                decade *= 10
            }
            return result
        case .percentileSpectrum:
            var result: [Tick] = []
            var value = max(low, 1)
            for _ in 0..<12 where value <= high * 1.0001 {
                result.append(Tick(value: value, label: Axis.percentileLabel(value)))
                value *= 10
            }
            return result
        }
    }

    static func label(_ value: Double) -> String {
        if value == 0 { return "0" }
        if abs(value) >= 1000 || abs(value) < 0.001 { return String(format: "%g", value) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// 1/(1-p) → p as a percentage: 10 → "90%", 1000 → "99.9%".
    static func percentileLabel(_ inverse: Double) -> String {
        let percent = 100 * (1 - 1 / inverse)
        var text = String(format: "%.6f", percent)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }
}
