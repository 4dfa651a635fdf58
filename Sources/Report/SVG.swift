import Foundation

/// Minimal SVG charts with axes, for the self-contained HTML report (no scripts, no network).
public struct Chart {
    public var width = 420.0, height = 300.0
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    private var body = ""
    /// Legend entries: label, colour, and whether the line is dashed (or the entry a dot).
    private var legend: [(label: String, color: String, style: Swatch)] = []
    enum Swatch { case line, dashed, dot }
    /// Whole-number ticks only (epochs, counts).
    public var integerX = false
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf", "#7f7f7f"]

    public init(title: String, xLabel: String, yLabel: String, x: ClosedRange<Double>, y: ClosedRange<Double>) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        xRange = x.upperBound > x.lowerBound ? x : (x.lowerBound - 1)...(x.lowerBound + 1)
        yRange = y.upperBound > y.lowerBound ? y : (y.lowerBound - 1)...(y.lowerBound + 1)
    }

    private let left = 56.0, right = 16.0, top = 30.0, bottom = 44.0
    /// The legend sits right of the plot (`width` wide), outside the data: the figure is wider.
    private var legendWidth: Double { legend.isEmpty ? 0 : 30 + Double(legend.map(\.label.count).max() ?? 0) * 5.8 }
    func px(_ x: Double) -> Double { left + (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * (width - left - right) }
    func py(_ y: Double) -> Double { height - bottom - (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound) * (height - top - bottom) }

    /// A polyline through the points, with a legend entry unless `label` is empty.
    public mutating func line(_ points: [(Double, Double)], color index: Int, label: String, dashed: Bool = false) {
        let c = Chart.palette[index % Chart.palette.count]
        let pts = points.filter { $0.0.isFinite && $0.1.isFinite }.map { String(format: "%.1f,%.1f", px($0.0), py($0.1)) }.joined(separator: " ")
        body += "<polyline fill=\"none\" stroke=\"\(c)\" stroke-width=\"1.8\"\(dashed ? " stroke-dasharray=\"5,3\"" : "") points=\"\(pts)\"/>"
        if !label.isEmpty { legend.append((label, c, dashed ? .dashed : .line)) }
    }

    /// Dots.
    public mutating func scatter(_ points: [(Double, Double)], color index: Int, label: String) {
        let c = Chart.palette[index % Chart.palette.count]
        for p in points where p.0.isFinite && p.1.isFinite {
            body += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.6\" fill=\"%@\" fill-opacity=\"0.5\"/>", px(p.0), py(p.1), c)
        }
        legend.append((label, c, .dot))
    }

    /// Bars of a histogram: (bin start, bin end, count).
    public mutating func bars(_ bins: [(Double, Double, Double)], color index: Int) {
        let c = Chart.palette[index % Chart.palette.count]
        for b in bins {
            let x0 = px(b.0), x1 = px(b.1), y = py(b.2)
            body += String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"/>", x0, y, max(0.5, x1 - x0 - 0.5), max(0, py(yRange.lowerBound) - y), c)
        }
    }

    /// The diagonal y = x.
    public mutating func diagonal() {
        let lo = max(xRange.lowerBound, yRange.lowerBound), hi = min(xRange.upperBound, yRange.upperBound)
        body += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" stroke-dasharray=\"4,4\"/>", px(lo), py(lo), px(hi), py(hi))
    }

    /// The SVG element.
    public func svg() -> String {
        let total = width + legendWidth
        var s = String(format: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">", total, height, total, height)
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
        s += "<text x=\"\(width / 2)\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">\(html(title))</text>"
        let x0 = px(xRange.lowerBound), x1 = px(xRange.upperBound), y0 = py(yRange.lowerBound), y1 = py(yRange.upperBound)
        s += String(format: "<path d=\"M%.1f %.1f L%.1f %.1f L%.1f %.1f\" fill=\"none\" stroke=\"#333\"/>", x0, y1, x0, y0, x1, y0)
        for fx in Chart.ticks(xRange, integer: integerX) {
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\">%@</text>", px(fx), y0 + 14, tick(fx))
        }
        for fy in Chart.ticks(yRange, integer: false) {
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" font-size=\"10\">%@</text>", x0 - 4, py(fy) + 3, tick(fy))
        }
        s += "<text x=\"\((x0 + x1) / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\" font-size=\"11\">\(html(xLabel))</text>"
        s += "<text transform=\"translate(14,\((y0 + y1) / 2)) rotate(-90)\" text-anchor=\"middle\" font-size=\"11\">\(html(yLabel))</text>"
        s += body
        for (i, entry) in legend.enumerated() {
            let y = top + 6 + Double(i) * 14, x = width + 4
            switch entry.style {
            case .line, .dashed:
                s += String(format: "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%@\" stroke-width=\"1.8\"%@/>", x, y - 3, x + 18, y - 3,
                             entry.color, entry.style == .dashed ? " stroke-dasharray=\"5,3\"" : "")
            case .dot:
                s += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%@\"/>", x + 9, y - 3, entry.color)
            }
            s += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">%@</text>", x + 24, y, html(entry.label))
        }
        return s + "</svg>"
    }

    /// Round tick values in `range`: steps of 1, 2 or 5 times a power of ten, about five of
    /// them (whole numbers only when `integer`).
    static func ticks(_ range: ClosedRange<Double>, integer: Bool) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0, span.isFinite else { return [range.lowerBound] }
        let raw = span / 4, power = pow(10, floor(log10(raw)))
        var step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        if integer { step = max(1, step.rounded(.up)) }
        var out: [Double] = []
        var v = (range.lowerBound / step).rounded(.up) * step
        while v <= range.upperBound + step * 1e-9, out.count < 12 {
            out.append(abs(v) < step * 1e-9 ? 0 : v)
            v += step
        }
        return out
    }

    /// Tick labels: whole numbers up to 10^9 in full (genomic positions, counts), small or huge
    /// values in exponent form.
    private func tick(_ v: Double) -> String {
        if abs(v) >= 10 || v == v.rounded(), abs(v) < 1e9 { return String(format: "%.0f", v.rounded()) }
        return abs(v) >= 1e9 || (abs(v) < 0.01 && v != 0) ? String(format: "%.1e", v) : String(format: "%.2f", v)
    }
}

/// HTML-escapes text.
public func html(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}

/// A sequence logo of a position probability matrix (bits), or of signed per-base heights
/// (`signed`: rows of 4 values drawn up or down from a middle axis).
public func logoSVG(_ rows: [[Double]], title: String, signed: Bool = false, columnWidth: Double = 14, height: Double = 90) -> String {
    let colors = ["#109648", "#255C99", "#F7B32B", "#D62839"]   // A C G T
    let letters = ["A", "C", "G", "T"]
    let width = Double(max(rows.count, 1)) * columnWidth + 40
    var s = String(format: "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">", width, height + 22, width, height + 22)
    s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/><text x=\"4\" y=\"12\" font-size=\"11\">\(html(title))</text>"
    let base = signed ? 16 + height / 2 : 16 + height
    let scale: Double
    if signed {
        let m = rows.flatMap { $0 }.map(abs).max() ?? 1
        scale = (height / 2) / max(m, 1e-9)
    } else {
        scale = height / 2
    }
    s += String(format: "<line x1=\"30\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>", base, width - 6, base)
    for (j, row) in rows.enumerated() {
        let x = 32 + Double(j) * columnWidth
        var heights: [(Int, Double)]
        if signed {
            heights = row.enumerated().map { ($0.offset, $0.element * scale) }
        } else {
            let ic = 2 + row.reduce(0) { $1 > 0 ? $0 + $1 * log2($1) : $0 }
            heights = row.enumerated().map { ($0.offset, $0.element * max(0, ic) * scale) }
        }
        var up = base, down = base
        for (b, h) in heights.sorted(by: { abs($0.1) < abs($1.1) }) where abs(h) > 0.3 {
            let y: Double
            if h > 0 { up -= h; y = up } else { y = down; down -= h }
            // A glyph stretched to its height: font-size 10 spans about 7.2 px of cap height.
            s += String(format: "<text x=\"0\" y=\"0\" font-family=\"monospace\" font-weight=\"bold\" font-size=\"10\" fill=\"%@\" transform=\"translate(%.1f,%.1f) scale(%.3f,%.3f)\">%@</text>",
                        colors[b], x, y + abs(h), columnWidth / 6.2, abs(h) / 7.2, letters[b])
        }
    }
    return s + "</svg>"
}
