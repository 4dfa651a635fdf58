import CKernels
import Dataset
import Dispatch
import Foundation

/// How two motif columns (probability 4-vectors) are scored: higher is more similar.
public enum ColumnScore: String, Sendable, CaseIterable {
    /// Pearson correlation coefficient of the two columns.
    case pearson
    /// Minus the Euclidean distance between the columns.
    case euclidean

    func score(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in score(ap, bp) } }
    }

    /// The score of two 4-vectors (the first four values of each buffer).
    func score(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
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
public final class MotifComparison: Sendable {
    public let database: [Motif]
    public let column: ColumnScore
    /// Aligned columns an alignment needs at least (1 or more; less is taken as 1).
    public let minOverlap: Int
    public let bins: Int
    public let scoring: AlignmentScoring
    /// Queries compared at once (each query's matches do not depend on it).
    public let threads: Int
    /// Every database column, both strands: motif m's column j on strand s (0 as given, 1
    /// reverse-complemented) is column starts[m] + s * width(m) + j.
    private let starts: [Int]
    private let widths: [Int]
    let columnCount: Int
    /// The database columns as the column score reads them, as four runs of N values (the
    /// columns' A, C, G, T entries: deviations from the column mean for Pearson, the values for
    /// Euclidean), (4, N), with (N) sums of their squares (Pearson; zeros for Euclidean).
    private let runs: [Double]
    private let squares: [Double]

    public init(database: [Motif], column: ColumnScore = .pearson, minOverlap: Int = 5, bins: Int = 100,
                scoring: AlignmentScoring = .complete, threads: Int = 1) {
        self.database = database
        self.column = column
        self.minOverlap = max(1, minOverlap)   // an alignment aligns at least one column
        self.bins = bins
        self.scoring = scoring
        self.threads = max(1, threads)
        var values: [Double] = [], starts: [Int] = []
        values.reserveCapacity(8 * database.reduce(0) { $0 + $1.width })
        var n = 0
        for motif in database {
            starts.append(n)
            for strand in [motif.probabilities, motif.reverseComplement.probabilities] {
                for col in strand { for k in 0..<4 { values.append(k < col.count ? col[k] : 0) } }
                n += strand.count
            }
        }
        self.starts = starts
        widths = database.map(\.width)
        columnCount = n
        let (prepared, squares) = MotifComparison.prepare(values, count: n, column: column)
        var runs = [Double](repeating: 0, count: 4 * n)
        for c in 0..<n { for k in 0..<4 { runs[k * n + c] = prepared[c * 4 + k] } }
        self.runs = runs
        self.squares = squares
    }

    /// Columns (N, 4) as the column score reads them: centred, with their sums of squares
    /// (Pearson), or as given with zero sums (Euclidean).
    private static func prepare(_ values: [Double], count n: Int, column: ColumnScore) -> ([Double], [Double]) {
        guard column == .pearson else { return (values, [Double](repeating: 0, count: n)) }
        var centred = values, squares = [Double](repeating: 0, count: n)
        for c in 0..<n {
            let m = (values[c * 4] + values[c * 4 + 1] + values[c * 4 + 2] + values[c * 4 + 3]) / 4
            var ss = 0.0
            for i in 0..<4 {
                let x = values[c * 4 + i] - m
                centred[c * 4 + i] = x
                ss += x * x
            }
            squares[c] = ss
        }
        return (centred, squares)
    }

    private func bin(_ s: Double) -> Int {
        let (lo, hi) = column.range
        let x = (s - lo) / (hi - lo) * Double(bins - 1)
        return min(bins - 1, max(0, Int(x.rounded())))
    }

    /// The matches of each query with every database motif, best first (by p-value), with
    /// q-values over all queries.
    public func compare(_ queries: [Motif]) -> [[MotifMatch]] {
        var all: [[MotifMatch]]
        if threads <= 1 || queries.count <= 1 {
            let workspace = MotifWorkspace(queries: queries, columns: columnCount)
            all = queries.map { compareOne($0, workspace) }
        } else {
            // The workers take queries widest first (the widest cost most) as they finish one;
            // each query's list lands in its slot, so the order taken changes nothing.
            let slots = MatchSlots(queries.count)
            let workers = min(threads, queries.count)
            let order = queries.indices.sorted { queries[$0].width > queries[$1].width || (queries[$0].width == queries[$1].width && $0 < $1) }
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                let workspace = MotifWorkspace(queries: queries, columns: columnCount)
                while let k = slots.nextQuery(of: order.count) { slots.set(order[k], compareOne(queries[order[k]], workspace)) }
            }
            all = slots.values
        }
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

    /// A match's sort key and its place in the unsorted list.
    private struct SortKey {
        let p: Double, score: Double, target: Int, index: Int
    }

    /// One query's column scores against the database: (wq, N) in the workspace, query column
    /// i's scores against every database column at i * N ..< (i + 1) * N, with each query
    /// column's smallest and largest finite score and whether every score is finite.
    private struct QueryScores {
        let values: UnsafeMutablePointer<Double>
        var lows: [Double]
        var highs: [Double]
        var finite: Bool
    }

    private func columnScores(_ query: Motif, _ workspace: MotifWorkspace) -> QueryScores {
        let wq = query.width, n = columnCount
        var q: [Double] = []
        for col in query.probabilities { q += col.prefix(4) + repeatElement(0, count: max(0, 4 - col.count)) }
        // The query columns prepared as the database's: the same operations in the same
        // order as `ColumnScore.score`, so every score is the value it gives.
        let (qPrepared, qSquares) = MotifComparison.prepare(q, count: wq, column: column)
        var out = QueryScores(values: workspace.scores, lows: [Double](repeating: 0, count: wq),
                              highs: [Double](repeating: 0, count: wq), finite: true)
        var nonFinite = 0
        let pearson: Int32 = column == .pearson ? 1 : 0
        let v = workspace.scores
        qPrepared.withUnsafeBufferPointer { qp in
            runs.withUnsafeBufferPointer { rp in
                squares.withUnsafeBufferPointer { sq in
                    guard let qv = qp.baseAddress, let r = rp.baseAddress, let s = sq.baseAddress else { return }
                    for i in 0..<wq {
                        nonFinite += crick_motif_column_scores(r, n, s, qv + i * 4, qSquares[i], pearson, v + i * n,
                                                               &out.lows[i], &out.highs[i])
                    }
                }
            }
        }
        out.finite = nonFinite == 0
        return out
    }

    private func compareOne(_ query: Motif, _ workspace: MotifWorkspace) -> [MotifMatch] {
        let wq = query.width
        guard wq > 0, !database.isEmpty, columnCount > 0 else { return [] }
        let scores = columnScores(query, workspace)
        var out = scoring == .complete ? completeMatches(wq: wq, scores: scores, workspace) : incompleteMatches(wq: wq, scores: scores.values)
        // By p-value, then score (higher first), then target (p-values and scores are not NaN):
        // keys sorted, the matches moved once.
        var keys = out.enumerated().map { SortKey(p: $1.pValue, score: $1.score, target: $1.target, index: $0) }
        keys.sort { x, y in
            if x.p != y.p { return x.p < y.p }
            if x.score != y.score { return x.score > y.score }
            return x.target < y.target
        }
        let order = keys.map(\.index)
        out = order.map { out[$0] }
        return out
    }

    /// The exact median of each query column's scores over every database column: the middle
    /// value, or the mean of the two middle values.
    private func medians(wq: Int, scores: QueryScores, _ workspace: MotifWorkspace) -> [Double] {
        let n = columnCount
        var medians = [Double](repeating: 0, count: wq)
        guard scores.finite else {
            // Non-finite scores (not from probabilities): the sorting reference decides.
            for i in 0..<wq {
                var column = Array(UnsafeBufferPointer(start: scores.values + i * n, count: n))
                medians[i] = MotifComparison.median(&column)
            }
            return medians
        }
        let j = n % 2 == 0 ? n / 2 - 1 : n / 2, k = n / 2
        for i in 0..<wq {
            var lower = 0.0, upper = 0.0
            crick_motif_middle_values(scores.values + i * n, n, j, k, scores.lows[i], scores.highs[i], &lower, &upper,
                                      workspace.scratch, workspace.buckets)
            medians[i] = n % 2 == 0 ? (lower + upper) / 2 : upper
        }
        return medians
    }

    /// Tomtom's complete scoring: median-shifted column scores, unaligned query columns at 0,
    /// p of the best alignment's sum under the maximum of all alignments of the target's width.
    private func completeMatches(wq: Int, scores: QueryScores, _ workspace: MotifWorkspace) -> [MotifMatch] {
        let n = columnCount
        let medians = medians(wq: wq, scores: scores, workspace)
        // Shifted scores discretised on one scale for all query columns: level 0 is the lowest
        // shifted score, bins - 1 the highest; `zero` is the level of a shifted score of 0.
        // A shift is monotone, so the extremes of a column's shifted scores are its extremes shifted.
        var lo = Double.infinity, hi = -Double.infinity
        if scores.finite {
            for i in 0..<wq { lo = min(lo, scores.lows[i] - medians[i]); hi = max(hi, scores.highs[i] - medians[i]) }
        } else {
            for i in 0..<wq { for c in 0..<n { let v = scores.values[i * n + c] - medians[i]; lo = min(lo, v); hi = max(hi, v) } }
        }
        let scale = Double(bins - 1) / max(hi - lo, 1e-12)
        let top = bins - 1
        // round() of a value >= 0 (half away from zero) without the libm call: floor, then up
        // when the exact remainder is at least one half (crick_motif_levels computes the same).
        func level(_ shifted: Double) -> Int {
            let x = max(0, (shifted - lo) * scale), f = x.rounded(.down)
            return min(top, Int(x - f >= 0.5 ? f + 1 : f))
        }
        let zero = level(0)
        // levels[c * wq + i]: the level of database column c's shifted score for query column i
        // (the alignments read them by database column); counts[i * bins + level] their counts.
        let lp = workspace.levels, sp = scores.values
        var counts = [Int64](repeating: 0, count: wq * bins)
        counts.withUnsafeMutableBufferPointer { cp in
            guard let c = cp.baseAddress else { return }
            crick_motif_levels(scores.values, n, wq, medians, lo, scale, Int32(top), lp, c)
        }
        let survival = survivalFunctions(nullPMF(counts, wq: wq), storage: workspace.takeSurvival())
        defer { workspace.survival = survival.values }
        // log(1 - P(sum over query columns a..<a + len >= x)), filled as asked, laid out as the
        // survival functions.
        var logBelowTail = workspace.takeLogTail()
        if logBelowTail.count < survival.total { logBelowTail.append(contentsOf: repeatElement(.nan, count: survival.total - logBelowTail.count)) }
        logBelowTail.withUnsafeMutableBufferPointer { $0.baseAddress?.update(repeating: .nan, count: survival.total) }
        defer { workspace.logTail = logBelowTail }
        // Each target's best alignment.
        let count = database.count, longest = (widths.max() ?? 0) + wq
        var lsum = [Int32](repeating: 0, count: 2 * (longest + 16)), tied = [Int32](repeating: 0, count: 4 * longest)
        var level = [Int64](repeating: -1, count: count), overlap = [Int32](repeating: 0, count: count)
        var strand = [Int32](repeating: 0, count: count), offset = [Int32](repeating: 0, count: count)
        var score = [Double](repeating: 0, count: count)
        starts.withUnsafeBufferPointer { st in
            widths.withUnsafeBufferPointer { wd in
                lsum.withUnsafeMutableBufferPointer { ls in
                    tied.withUnsafeMutableBufferPointer { td in
                        level.withUnsafeMutableBufferPointer { lv in
                            overlap.withUnsafeMutableBufferPointer { ov in
                                strand.withUnsafeMutableBufferPointer { sd in
                                    offset.withUnsafeMutableBufferPointer { of in
                                        score.withUnsafeMutableBufferPointer { sc in
                                            crick_motif_best_alignments(lp, sp, medians, n, wq, st.baseAddress, wd.baseAddress, count, minOverlap,
                                                                        zero, Int32(top), ls.baseAddress, td.baseAddress, lv.baseAddress, ov.baseAddress,
                                                                        sd.baseAddress, of.baseAddress, sc.baseAddress)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // p of each best alignment from log P(max over the alignments of a width-wt target < s),
        // memoised by (wt, s): the memo of width wt at memo[memoStart[wt] + s], made when that
        // width is first asked.
        let levelCount = wq * (bins - 1) + 1
        var memoStart = [Int](repeating: -1, count: (widths.max() ?? 0) + 1)
        var memo: [Double] = []
        var pValues = [Double](repeating: 1, count: count)
        survival.values.withUnsafeBufferPointer { sv in
            survival.start.withUnsafeBufferPointer { st in
                survival.count.withUnsafeBufferPointer { ct in
                    logBelowTail.withUnsafeMutableBufferPointer { lt in
                        guard let v = sv.baseAddress, let a = st.baseAddress, let c = ct.baseAddress, let l = lt.baseAddress else { return }
                        for t in 0..<count where level[t] >= 0 {
                            let wt = widths[t], s = Int(level[t])
                            if memoStart[wt] < 0 {
                                memoStart[wt] = memo.count
                                memo.append(contentsOf: repeatElement(.nan, count: levelCount))
                            }
                            let at = memoStart[wt] + s
                            var logBelow = memo[at]
                            if logBelow.isNaN {
                                logBelow = crick_motif_log_below(v, a, c, l, wq, wt, s, zero)
                                memo[at] = logBelow
                            }
                            pValues[t] = min(1, max(0, -expm1(logBelow)))
                        }
                    }
                }
            }
        }
        var out: [MotifMatch] = []
        out.reserveCapacity(count)
        for t in 0..<count where level[t] >= 0 {
            let p = pValues[t]
            out.append(MotifMatch(target: t, offset: Int(offset[t]), strand: strand[t] == 0 ? "+" : "-", overlap: Int(overlap[t]),
                                  score: score[t], pValue: p, eValue: p * Double(count), qValue: 1))
        }
        return out
    }

    /// Incomplete scoring: sums over aligned columns only, the smallest p over the alignments,
    /// corrected for the alignments tried.
    private func incompleteMatches(wq: Int, scores: UnsafeMutablePointer<Double>) -> [MotifMatch] {
        let n = columnCount
        // levels[i * N + c] on the column score's fixed range.
        let levels = (0..<(wq * n)).map { Int32(bin(scores[$0])) }
        var counts = [Int64](repeating: 0, count: wq * bins)
        for i in 0..<wq { for c in 0..<n { counts[i * bins + Int(levels[i * n + c])] += 1 } }
        let survival = survivalFunctions(nullPMF(counts, wq: wq))
        var out: [MotifMatch] = []
        for t in database.indices {
            let wt = widths[t]
            let minOv = min(minOverlap, wq, wt)
            var best = (p: 2.0, offset: 0, strand: Character("+"), overlap: 0, score: -Double.infinity)
            var tried = 0
            for s in 0..<2 {
                let first = starts[t] + s * wt
                for offset in (-(wt - minOv))...(wq - minOv) {
                    let a = max(0, offset), b = min(wq, wt + offset)
                    guard b - a >= minOv else { continue }
                    tried += 1
                    var binSum = 0
                    var raw = 0.0
                    for i in a..<b {
                        let k = i * n + first + i - offset
                        binSum += Int(levels[k])
                        raw += scores[k]
                    }
                    let key = a * wq + b - a - 1
                    let p = survival.values[survival.start[key] + min(binSum, survival.count[key] - 1)]
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
}
