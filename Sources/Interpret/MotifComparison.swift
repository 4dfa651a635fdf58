import Dataset
import Foundation

/// How two motif columns (probability 4-vectors) are scored: higher is more similar.
public enum ColumnScore: String, Sendable, CaseIterable {
    /// Pearson correlation coefficient of the two columns.
    case pearson
    /// Minus the Euclidean distance between the columns.
    case euclidean

    func score(_ a: [Double], _ b: [Double]) -> Double {
        switch self {
        case .pearson:
            let ma = (a[0] + a[1] + a[2] + a[3]) / 4, mb = (b[0] + b[1] + b[2] + b[3]) / 4
            var sab = 0.0, saa = 0.0, sbb = 0.0
            for i in 0..<4 {
                let x = a[i] - ma, y = b[i] - mb
                sab += x * y; saa += x * x; sbb += y * y
            }
            let d = (saa * sbb).squareRoot()
            return d > 1e-12 ? sab / d : 0
        case .euclidean:
            var s = 0.0
            for i in 0..<4 { s += (a[i] - b[i]) * (a[i] - b[i]) }
            return -s.squareRoot()
        }
    }

    /// The range scores fall in.
    var range: (lo: Double, hi: Double) { self == .pearson ? (-1, 1) : (-2.0.squareRoot(), 0) }
}

/// A query motif's match to one database motif at its best alignment.
public struct MotifMatch: Sendable, Equatable {
    /// Index of the database motif.
    public let target: Int
    /// Target start minus query start in the alignment: query column i faces target column
    /// i - offset (of the target on `strand`).
    public let offset: Int
    /// "+" for the target as given, "-" for its reverse complement.
    public let strand: Character
    /// Aligned columns.
    public let overlap: Int
    /// Sum of the aligned column scores.
    public let score: Double
    /// The p-value of the best alignment, corrected for the alignments tried.
    public let pValue: Double
    /// p x the number of database motifs.
    public let eValue: Double
    /// Benjamini-Hochberg q-value over every query-target pair of the run.
    public var qValue: Double
}

/// Tomtom-style comparison of query motifs with a motif database (Gupta et al. 2007).
///
/// Every alignment of a query with a target (all offsets overlapping by at least `minOverlap`
/// columns, both strands of the target) is scored as the sum of its column scores. Its p-value
/// comes from the null distribution of each query column's scores against every column of the
/// database (both strands): the distribution of a sum over the aligned query columns is the
/// convolution of their nulls, computed exactly on scores discretised into `bins` steps per
/// column. A target's p-value is that of its best alignment, corrected for the number of
/// alignments tried (1 - (1 - p)^n); E = p x database size; q-values by Benjamini-Hochberg.
/// Where MEME-suite Tomtom differs: it scores incomplete alignments as well by default
/// ("complete scoring" adds the unaligned query columns against the background), offers more
/// column metrics (Euclidean distance by default there), and corrects for offsets differently.
public final class MotifComparison {
    public let database: [Motif]
    public let column: ColumnScore
    public let minOverlap: Int
    public let bins: Int
    /// Every database column, both strands: columns[m][s][j].
    private let columns: [[[[Double]]]]

    public init(database: [Motif], column: ColumnScore = .pearson, minOverlap: Int = 5, bins: Int = 100) {
        self.database = database
        self.column = column
        self.minOverlap = minOverlap
        self.bins = bins
        columns = database.map { [$0.probabilities, $0.reverseComplement.probabilities] }
    }

    private func bin(_ s: Double) -> Int {
        let (lo, hi) = column.range
        let x = (s - lo) / (hi - lo) * Double(bins - 1)
        return min(bins - 1, max(0, Int(x.rounded())))
    }

    /// The matches of each query with every database motif, best first (by p-value), with
    /// q-values over all queries.
    public func compare(_ queries: [Motif]) -> [[MotifMatch]] {
        var all = queries.map { compareOne($0) }
        // Benjamini-Hochberg over every pair.
        var flat: [(q: Int, i: Int, p: Double)] = []
        for (q, list) in all.enumerated() { for (i, m) in list.enumerated() { flat.append((q, i, m.pValue)) } }
        flat.sort { $0.p < $1.p }
        let m = Double(flat.count)
        var running = 1.0
        for k in stride(from: flat.count - 1, through: 0, by: -1) {
            running = min(running, flat[k].p * m / Double(k + 1))
            all[flat[k].q][flat[k].i].qValue = running
        }
        return all
    }

    private func compareOne(_ query: Motif) -> [MotifMatch] {
        let wq = query.width
        guard wq > 0, !database.isEmpty else { return [] }
        // Column scores of every query column against every database column (both strands),
        // and the null pmf of each query column's discretised scores.
        var scores: [[[[Double]]]] = []      // [motif][strand][target column][query column]
        var pmf = [[Double]](repeating: [Double](repeating: 0, count: bins), count: wq)
        var total = 0.0
        for motifColumns in columns {
            let perStrand = motifColumns.map { cols in
                cols.map { col in (0..<wq).map { column.score(query.probabilities[$0], col) } }
            }
            for cols in perStrand { for row in cols { for i in 0..<wq { pmf[i][bin(row[i])] += 1 } } }
            total += Double(motifColumns[0].count * 2)
            scores.append(perStrand)
        }
        for i in 0..<wq { for b in 0..<bins { pmf[i][b] /= max(total, 1) } }
        // Survival functions of sums over query columns a..<b, built by extending a.
        var survival: [[[Double]]] = Array(repeating: [], count: wq)   // survival[a][b - a - 1][score]
        for a in 0..<wq {
            var dist = pmf[a]
            var list: [[Double]] = [tail(dist)]
            for b in (a + 1)..<(wq + 1) where b < wq {
                var next = [Double](repeating: 0, count: dist.count + bins - 1)
                for (x, px) in dist.enumerated() where px > 0 {
                    for (y, py) in pmf[b].enumerated() where py > 0 { next[x + y] += px * py }
                }
                dist = next
                list.append(tail(dist))
            }
            survival[a] = list
        }
        var out: [MotifMatch] = []
        for (t, perStrand) in scores.enumerated() {
            let wt = perStrand[0].count
            let minOv = min(minOverlap, wq, wt)
            var best = (p: 2.0, offset: 0, strand: Character("+"), overlap: 0, score: -Double.infinity)
            var tried = 0
            for (s, perColumn) in perStrand.enumerated() {
                for offset in (-(wt - minOv))...(wq - minOv) {
                    let a = max(0, offset), b = min(wq, wt + offset)
                    guard b - a >= minOv else { continue }
                    tried += 1
                    var binSum = 0
                    var raw = 0.0
                    for i in a..<b {
                        let v = perColumn[i - offset][i]
                        binSum += bin(v)
                        raw += v
                    }
                    let sf = survival[a][b - a - 1]
                    let p = sf[min(binSum, sf.count - 1)]
                    if p < best.p || (p == best.p && raw > best.score) {
                        best = (p, offset, s == 0 ? "+" : "-", b - a, raw)
                    }
                }
            }
            guard tried > 0 else { continue }
            let corrected = -expm1(Double(tried) * log1p(-min(best.p, 1 - 1e-16)))
            let p = min(1, max(corrected, best.p))
            out.append(MotifMatch(target: t, offset: best.offset, strand: best.strand, overlap: best.overlap, score: best.score,
                                  pValue: p, eValue: p * Double(database.count), qValue: 1))
        }
        out.sort { ($0.pValue, -$0.score, $0.target) < ($1.pValue, -$1.score, $1.target) }
        return out
    }

    /// P(S >= s) for every s, from a pmf.
    private func tail(_ pmf: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: pmf.count)
        var acc = 0.0
        for s in stride(from: pmf.count - 1, through: 0, by: -1) {
            acc += pmf[s]
            out[s] = min(1, acc)
        }
        return out
    }
}
