import CKernels
import Dataset
import Foundation

/// The null distributions of the comparison: each query column's level counts as a pmf, and the
/// exact survival functions of sums over contiguous query columns.
extension MotifComparison {
    /// The null pmf of each query column: its level counts (counts[i * bins + level]) over
    /// the database columns, every column weighted equally.
    func nullPMF(_ counts: [Int64], wq: Int) -> [[Double]] {
        let total = Double(max(columnCount, 1))
        return (0..<wq).map { i in (0..<bins).map { Double(counts[i * bins + $0]) / total } }
    }

    /// Survival functions of sums over query columns a..<b of independent per-column pmfs,
    /// built by extending a: P(sum >= s) at values[start[a * wq + b - a - 1] + s] for s below
    /// count[a * wq + b - a - 1] (a sum over len columns has len * (bins - 1) + 1 levels).
    struct Survival {
        var values: [Double]
        var start: [Int]
        var count: [Int]
        /// Entries in use (values may hold more, unused).
        var total: Int
    }

    /// `storage` (a previous query's values, reused: every entry in use is written) holds the
    /// values.
    func survivalFunctions(_ pmf: [[Double]], storage: [Double] = []) -> Survival {
        let wq = pmf.count, span = bins - 1
        var start = [Int](repeating: 0, count: wq * wq), count = [Int](repeating: 0, count: wq * wq)
        var total = 0
        for a in 0..<wq { for len in 1...(wq - a) { start[a * wq + len - 1] = total; count[a * wq + len - 1] = len * span + 1; total += len * span + 1 } }
        var out = Survival(values: storage, start: start, count: count, total: total)
        if out.values.count < total { out.values.append(contentsOf: repeatElement(0, count: total - out.values.count)) }
        // Each pmf's non-zero levels and their probabilities, in level order.
        let nonZero = pmf.map { p in (p.indices.filter { p[$0] > 0 }.map { Int32($0) }, p.filter { $0 > 0 }) }
        // The running distribution, between `span` zeros before and span + 8 after (the
        // convolution reads that far), and the next one.
        let longest = wq * span + 1
        var dist = [Double](repeating: 0, count: longest + 2 * span + 8)
        var next = [Double](repeating: 0, count: longest)
        out.values.withUnsafeMutableBufferPointer { vp in
            dist.withUnsafeMutableBufferPointer { dp in
                next.withUnsafeMutableBufferPointer { np in
                    guard let v = vp.baseAddress, let dBase = dp.baseAddress, let nx = np.baseAddress else { return }
                    let d = dBase + span
                    for a in 0..<wq {
                        // dist = pmf[a], the rest zero; its values lie in support (outside it
                        // every value is exactly 0, and so are the terms the sums skip there).
                        dp.update(repeating: 0)
                        for (l, p) in pmf[a].enumerated() { d[l] = p }
                        guard let firstLevel = nonZero[a].0.first, let lastLevel = nonZero[a].0.last else { continue }
                        var support = (lo: Int(firstLevel), hi: Int(lastLevel))
                        MotifComparison.tail(d, through: support.hi, count: count[a * wq], into: v + start[a * wq])
                        for b in (a + 1)..<(wq + 1) where b < wq {
                            let (ys, ps) = nonZero[b]
                            guard let yMin = ys.first, let yMax = ys.last else { break }
                            let grown = (lo: support.lo + Int(yMin), hi: support.hi + Int(yMax))
                            ys.withUnsafeBufferPointer { yp in
                                ps.withUnsafeBufferPointer { pp in
                                    guard let y = yp.baseAddress, let p = pp.baseAddress else { return }
                                    crick_motif_convolve(d + grown.lo, y, p, yp.count, nx + grown.lo, grown.hi - grown.lo + 1)
                                }
                            }
                            for z in support.lo..<grown.lo { d[z] = 0 }
                            for z in grown.lo...grown.hi { d[z] = nx[z] }
                            support = grown
                            MotifComparison.tail(d, through: support.hi, count: count[a * wq + b - a], into: v + start[a * wq + b - a])
                        }
                    }
                }
            }
        }
        return out
    }

    /// P(S >= s) for every s < count, from a pmf zero above `last`.
    private static func tail(_ pmf: UnsafePointer<Double>, through last: Int, count: Int, into out: UnsafeMutablePointer<Double>) {
        if last + 1 < count { (out + last + 1).update(repeating: 0, count: count - last - 1) }
        var acc = 0.0
        for s in stride(from: last, through: 0, by: -1) {
            acc += pmf[s]
            out[s] = min(1, acc)
        }
    }
}
