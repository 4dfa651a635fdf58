import Foundation
import Interpret

/// The attribution map a report shows: of all regions, the one with the largest total
/// |attribution|; its per-position profile over the whole window, and the `zoom` columns where
/// the summed |attribution| is largest, as signed letter rows.
///
/// Saliency maps (one non-zero value per column, at the base present) are shown as they are.
/// In-silico mutagenesis maps (the effect of each of the three mutations, 0 at the base
/// present) are shown as `crick attribute` writes its per-base track: the base present, with
/// minus the mean effect of mutating it.
public struct AttributionExample: Sendable {
    /// Index of the region shown, among `regions`.
    public let region: Int
    public let regions: Int
    public let window: AttributionWindow?
    /// (L) attribution of each column, summed over the 4 bases (one is non-zero for saliency).
    public let profile: [Double]
    /// First column of the zoomed stretch.
    public let zoomStart: Int
    /// (zoom, 4) signed values of the zoomed stretch.
    public let zoomRows: [[Double]]

    /// `maps`: (regions, L, 4) row-major floats; `windows`: one per region where known.
    public init(maps: UnsafeBufferPointer<Float>, regions n: Int, length l: Int, windows: [AttributionWindow], zoom: Int = 100) {
        precondition(n > 0 && l > 0 && maps.count >= n * l * 4, "attribution matrix shape")
        let all = AttributionExample.presentBase(maps: maps, count: n * l * 4)   // (n * L * 4)
        // Strongest region: largest sum of |value| (first on ties).
        var best = 0, bestSum = -1.0
        for r in 0..<n {
            var s = 0.0
            for i in (r * l * 4)..<((r + 1) * l * 4) { s += abs(all[i]) }
            if s > bestSum { best = r; bestSum = s }
        }
        let base = best * l * 4
        let rows = (0..<l).map { p in Array(all[(base + p * 4)..<(base + p * 4 + 4)]) }   // (L, 4)
        let w = min(zoom, l)
        // Zoom: the w consecutive columns with the largest summed |value| (first on ties).
        let magnitude = rows.map { $0.reduce(0) { $0 + abs($1) } }
        var run = magnitude[0..<w].reduce(0, +), bestRun = run, start = 0
        if w < l {
            for s in 1...(l - w) {
                run += magnitude[s + w - 1] - magnitude[s - 1]
                if run > bestRun + 1e-12 { bestRun = run; start = s }
            }
        }
        region = best
        regions = n
        window = best < windows.count ? windows[best] : nil
        profile = rows.map { $0.reduce(0, +) }
        zoomStart = start
        zoomRows = Array(rows[start..<(start + w)])
    }

    /// The maps as values of the base present: unchanged for saliency; ISM maps (detected by a
    /// column with two or more non-zero values) go through `Attributor.perBase`, the per-base
    /// track's rule, with the base present read from the column's one zero (N otherwise, shown
    /// as no letter).
    static func presentBase(maps: UnsafeBufferPointer<Float>, count: Int) -> [Double] {
        let ism = stride(from: 0, to: count, by: 4).contains { c in (0..<4).filter { maps[c + $0] != 0 }.count >= 2 }
        guard ism else { return (0..<count).map { Double(maps[$0]) } }
        let codes: [UInt8] = stride(from: 0, to: count, by: 4).map { c in
            let zeros = (0..<4).filter { maps[c + $0] == 0 }
            return zeros.count == 1 ? UInt8(zeros[0]) : 4
        }
        let values = Attributor.perBase(Array(maps[0..<count]), codes: codes, method: .ism)
        var out = [Double](repeating: 0, count: count)
        for (i, code) in codes.enumerated() where code < 4 { out[i * 4 + Int(code)] = Double(values[i]) }
        return out
    }

    /// "chrI:28248-29247 peak_2" for columns `from..<to` (1-based, inclusive coordinates), or
    /// "columns from+1-to" where the window is unknown.
    public func label(from: Int, to: Int) -> String {
        guard let window else { return "columns \(from + 1)-\(to)" }
        let name = window.name == "." ? "" : " " + window.name
        return "\(window.chrom):\(window.firstPosition + from + 1)-\(window.firstPosition + to)\(name)"
    }
}
