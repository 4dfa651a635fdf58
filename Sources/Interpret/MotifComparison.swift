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
    /// Sum of the aligned column scores (complete scoring: each minus its query column's
    /// median over the database).
    public let score: Double
    /// The p-value of the best alignment (complete scoring: under the maximum over every
    /// alignment of a target of this width; incomplete: corrected for the alignments tried).
    public let pValue: Double
    /// p x the number of database motifs.
    public let eValue: Double
    /// Benjamini-Hochberg q-value over every query-target pair of the run.
    public var qValue: Double
}

/// How an alignment of a query with a target is scored: MEME-suite Tomtom's two modes.
public enum AlignmentScoring: String, Sendable, CaseIterable {
    /// Tomtom's default: every query column counts. Each column score is shifted by the median
    /// of that query column's scores against the whole database, so a query column left
    /// unaligned contributes 0; the best alignment has the largest sum, and its p-value is that
    /// of the maximum over every alignment (all offsets, both strands) of a target of that width.
    case complete
    /// Only the aligned columns count (Tomtom's `-incomplete-scores`): the best alignment has
    /// the smallest p-value, corrected for the alignments tried.
    case incomplete
}

/// Tomtom-style comparison of query motifs with a motif database (Gupta et al. 2007).
///
/// Every alignment of a query with a target (offsets overlapping by at least `minOverlap`
/// columns, both strands of the target) is scored from its column scores. p-values come from
/// the null distribution of each query column's scores against every column of the database
/// (both strands), discretised into `bins` levels: the distribution of a sum over query
/// columns is the exact convolution of their nulls.
/// - `complete` (the default, as in Tomtom): column scores minus the query column's median,
///   unaligned query columns count 0; p = P(max over the 2 x (wq + wt - 1) alignments of a
///   width-wt target of independent null sums >= the best score).
/// - `incomplete`: sums over aligned columns only; the best alignment's p corrected as
///   1 - (1 - p)^n for the n alignments tried.
/// E = p x database size; q-values by Benjamini-Hochberg over every query-target pair.
/// Where MEME-suite Tomtom differs: its q-values are per query with Storey's pi0 estimate, its
/// median of an even count is the lower middle value, and it offers more column metrics.
public final class MotifComparison {
    public let database: [Motif]
    public let column: ColumnScore
    public let minOverlap: Int
    public let bins: Int
    public let scoring: AlignmentScoring
    /// Every database column, both strands: columns[m][s][j].
    private let columns: [[[[Double]]]]

    public init(database: [Motif], column: ColumnScore = .pearson, minOverlap: Int = 5, bins: Int = 100,
                scoring: AlignmentScoring = .complete) {
        self.database = database
        self.column = column
        self.minOverlap = minOverlap
        self.bins = bins
        self.scoring = scoring
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
        // Column scores of every query column against every database column (both strands):
        // scores[motif][strand][target column][query column].
        let scores: [[[[Double]]]] = columns.map { motifColumns in
            motifColumns.map { cols in cols.map { col in (0..<wq).map { column.score(query.probabilities[$0], col) } } }
        }
        var out = scoring == .complete ? completeMatches(wq: wq, scores: scores) : incompleteMatches(wq: wq, scores: scores)
        out.sort { ($0.pValue, -$0.score, $0.target) < ($1.pValue, -$1.score, $1.target) }
        return out
    }

    /// Tomtom's complete scoring: median-shifted column scores, unaligned query columns at 0,
    /// p of the best alignment's sum under the maximum of all alignments of the target's width.
    private func completeMatches(wq: Int, scores: [[[[Double]]]]) -> [MotifMatch] {
        // Median of each query column's scores over every database column.
        let perColumn = perQueryColumn(scores, wq: wq)
        let medians = perColumn.map { column -> Double in
            let v = column.sorted(), n = v.count
            return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2
        }
        // Shifted scores discretised on one scale for all query columns: level 0 is the lowest
        // shifted score, bins - 1 the highest; `zero` is the level of a shifted score of 0.
        var lo = Double.infinity, hi = -Double.infinity
        for (i, column) in perColumn.enumerated() {
            for v in column { lo = min(lo, v - medians[i]); hi = max(hi, v - medians[i]) }
        }
        let scale = Double(bins - 1) / max(hi - lo, 1e-12)
        func level(_ shifted: Double) -> Int { min(bins - 1, max(0, Int(((shifted - lo) * scale).rounded()))) }
        let zero = level(0)
        let survival = survivalFunctions(nullPMF(perColumn) { i, v in level(v - medians[i]) })
        // log P(max over the alignments of a width-wt target < s), memoised by (wt, s).
        var memo: [Int: Double] = [:]
        let levels = wq * (bins - 1) + 1
        func logBelow(width wt: Int, score s: Int) -> Double {
            if let v = memo[wt * levels + s] { return v }
            var acc = 0.0
            for offset in (-(wt - 1))...(wq - 1) {
                let a = max(0, offset), b = min(wq, wt + offset)
                let x = s - (wq - (b - a)) * zero      // the aligned columns' share of s
                let sf = survival[a][b - a - 1]
                let tail = x <= 0 ? 1 : (x < sf.count ? sf[x] : 0)
                if tail >= 1 { acc = -.infinity; break }
                acc += 2 * log1p(-tail)                 // both orientations of the target
            }
            memo[wt * levels + s] = acc
            return acc
        }
        var out: [MotifMatch] = []
        for (t, perStrand) in scores.enumerated() {
            let wt = perStrand[0].count
            guard wt > 0 else { continue }
            let minOv = min(minOverlap, wq, wt)
            var best = (level: -1, offset: 0, strand: Character("+"), overlap: 0, score: -Double.infinity)
            for (s, perTargetColumn) in perStrand.enumerated() {
                for offset in (-(wt - minOv))...(wq - minOv) {
                    let a = max(0, offset), b = min(wq, wt + offset)
                    guard b - a >= minOv else { continue }
                    var total = (wq - (b - a)) * zero
                    var raw = 0.0
                    for i in a..<b {
                        let v = perTargetColumn[i - offset][i] - medians[i]
                        total += level(v)
                        raw += v
                    }
                    if total > best.level || (total == best.level && (b - a > best.overlap || (b - a == best.overlap && raw > best.score))) {
                        best = (total, offset, s == 0 ? "+" : "-", b - a, raw)
                    }
                }
            }
            guard best.level >= 0 else { continue }
            let p = min(1, max(0, -expm1(logBelow(width: wt, score: best.level))))
            out.append(MotifMatch(target: t, offset: best.offset, strand: best.strand, overlap: best.overlap, score: best.score,
                                  pValue: p, eValue: p * Double(database.count), qValue: 1))
        }
        return out
    }

    /// Incomplete scoring: sums over aligned columns only, the smallest p over the alignments,
    /// corrected for the alignments tried.
    private func incompleteMatches(wq: Int, scores: [[[[Double]]]]) -> [MotifMatch] {
        let survival = survivalFunctions(nullPMF(perQueryColumn(scores, wq: wq)) { _, v in bin(v) })
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
        return out
    }

    /// Each query column's scores against every database column (both strands), flattened.
    private func perQueryColumn(_ scores: [[[[Double]]]], wq: Int) -> [[Double]] {
        var perColumn = [[Double]](repeating: [], count: wq)
        for perStrand in scores { for cols in perStrand { for row in cols { for i in 0..<wq { perColumn[i].append(row[i]) } } } }
        return perColumn
    }

    /// The null pmf of each query column: its scores' discretised levels (`level(column, score)`),
    /// every database column weighted equally.
    private func nullPMF(_ perColumn: [[Double]], level: (Int, Double) -> Int) -> [[Double]] {
        perColumn.enumerated().map { i, values in
            var pmf = [Double](repeating: 0, count: bins)
            for v in values { pmf[level(i, v)] += 1 }
            let total = Double(max(values.count, 1))
            return pmf.map { $0 / total }
        }
    }

    /// Survival functions of sums over query columns a..<b of independent per-column pmfs:
    /// survival[a][b - a - 1][s] = P(sum >= s), built by extending a.
    private func survivalFunctions(_ pmf: [[Double]]) -> [[[Double]]] {
        let wq = pmf.count
        var survival: [[[Double]]] = Array(repeating: [], count: wq)
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
        return survival
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
