import Foundation

/// Draws a `ScalarLog` as an SVG: one panel per tag prefix, stacked, each with axes, ticks at
/// nice numbers, grid lines, labels and a legend; each tag is one path of its points by step
/// (a NaN or infinite value breaks the line).
struct ScalarPlot {
    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    static let width = 720.0, panelHeight = 300.0
    static let margin = (left: 84.0, right: 24.0, top: 36.0, bottom: 48.0)

    let log: ScalarLog

    var svg: String {
        let panels = log.panels
        let height = Self.panelHeight * Double(panels.count)
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(Self.width))" height="\(Int(height))" viewBox="0 0 \(Int(Self.width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        var colorIndex = 0
        for (index, panel) in panels.enumerated() {
            out += drawPanel(panel.name, panel.series, top: Double(index) * Self.panelHeight, colorIndex: &colorIndex)
        }
        return out + "</svg>\n"
    }

    private func drawPanel(_ name: String, _ series: [ScalarLog.Series], top: Double, colorIndex: inout Int) -> String {
        let points = series.flatMap(\.points)
        let steps = points.map { Double($0.step) }
        let values = points.map(\.value).filter(\.isFinite)
        let x = AxisTicks(from: steps.min()!, to: steps.max()!, integers: true)
        let y = AxisTicks(from: values.min() ?? 0, to: values.max() ?? 1)
        let left = Self.margin.left, right = Self.width - Self.margin.right
        let plotTop = top + Self.margin.top, bottom = top + Self.panelHeight - Self.margin.bottom
        func px(_ step: Double) -> Double { left + (step - x.low) / (x.high - x.low) * (right - left) }
        func py(_ value: Double) -> Double { bottom - (value - y.low) / (y.high - y.low) * (bottom - plotTop) }

        var out = "<g class=\"panel\" id=\"panel-\(Self.escape(name))\">\n"
        out += "<text class=\"title\" x=\"\(Self.f(left))\" y=\"\(Self.f(top + 22))\" font-size=\"14\" font-weight=\"bold\">\(Self.escape(name))</text>\n"
        out += "<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">\n"
        for tick in x.values { out += "<line x1=\"\(Self.f(px(tick)))\" y1=\"\(Self.f(plotTop))\" x2=\"\(Self.f(px(tick)))\" y2=\"\(Self.f(bottom))\"/>\n" }
        for tick in y.values { out += "<line x1=\"\(Self.f(left))\" y1=\"\(Self.f(py(tick)))\" x2=\"\(Self.f(right))\" y2=\"\(Self.f(py(tick)))\"/>\n" }
        out += "</g>\n"
        out += "<g class=\"axes\" stroke=\"#333333\" stroke-width=\"1\">\n"
        out += "<line x1=\"\(Self.f(left))\" y1=\"\(Self.f(bottom))\" x2=\"\(Self.f(right))\" y2=\"\(Self.f(bottom))\"/>\n"
        out += "<line x1=\"\(Self.f(left))\" y1=\"\(Self.f(plotTop))\" x2=\"\(Self.f(left))\" y2=\"\(Self.f(bottom))\"/>\n"
        out += "</g>\n"
        out += "<g class=\"x-ticks\" text-anchor=\"middle\" fill=\"#333333\">\n"
        for tick in x.values { out += "<text x=\"\(Self.f(px(tick)))\" y=\"\(Self.f(bottom + 16))\">\(x.label(tick))</text>\n" }
        out += "</g>\n"
        out += "<g class=\"y-ticks\" text-anchor=\"end\" fill=\"#333333\">\n"
        for tick in y.values { out += "<text x=\"\(Self.f(left - 6))\" y=\"\(Self.f(py(tick) + 4))\">\(y.label(tick))</text>\n" }
        out += "</g>\n"
        out += "<text class=\"x-label\" x=\"\(Self.f((left + right) / 2))\" y=\"\(Self.f(bottom + 36))\" text-anchor=\"middle\">step</text>\n"
        out += "<text class=\"y-label\" transform=\"translate(16 \(Self.f((plotTop + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">value</text>\n"
        var legend = "<g class=\"legend\">\n"
        for (row, item) in series.enumerated() {
            let color = Self.palette[colorIndex % Self.palette.count]
            colorIndex += 1
            out += "<path class=\"series\" data-tag=\"\(Self.escape(item.tag))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" d=\"\(path(item.points, px, py))\"/>\n"
            for (index, point) in item.points.enumerated() where point.value.isFinite && isolated(index, in: item.points) {
                out += "<circle cx=\"\(Self.f(px(Double(point.step))))\" cy=\"\(Self.f(py(point.value)))\" r=\"2.5\" fill=\"\(color)\"/>\n"
            }
            let rowY = plotTop + 10 + Double(row) * 16
            legend += "<line x1=\"\(Self.f(right - 150))\" y1=\"\(Self.f(rowY))\" x2=\"\(Self.f(right - 130))\" y2=\"\(Self.f(rowY))\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            legend += "<text x=\"\(Self.f(right - 124))\" y=\"\(Self.f(rowY + 4))\">\(Self.escape(item.tag))</text>\n"
        }
        out += legend + "</g>\n</g>\n"
        return out
    }

    /// "M x y L x y ...": a new subpath after each non-finite value.
    private func path(_ points: [(step: Int, value: Double)], _ px: (Double) -> Double, _ py: (Double) -> Double) -> String {
        var parts: [String] = []
        var pen = "M"
        for point in points {
            guard point.value.isFinite else { pen = "M"; continue }
            parts.append("\(pen)\(Self.f(px(Double(point.step)))) \(Self.f(py(point.value)))")
            pen = "L"
        }
        return parts.joined(separator: " ")
    }

    /// A point with no finite neighbour in its series draws no line, so it gets a dot.
    private func isolated(_ index: Int, in points: [(step: Int, value: Double)]) -> Bool {
        let before = index > 0 && points[index - 1].value.isFinite
        let after = index + 1 < points.count && points[index + 1].value.isFinite
        return !before && !after
    }

    static func f(_ x: Double) -> String {
        let text = String(format: "%.1f", x)
        return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
