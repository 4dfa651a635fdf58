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
    public let minOverlap: Int
    public let bins: Int
    public let scoring: AlignmentScoring
    /// Queries compared at once (each query's matches do not depend on it).
    public let threads: Int
    /// Every database column, both strands: motif m's column j on strand s (0 as given, 1
    /// reverse-complemented) is column starts[m] + s * width(m) + j.
    private let starts: [Int]
    private let widths: [Int]
    private let columnCount: Int
    /// The database columns as the column score reads them, as four runs of N values (the
    /// columns' A, C, G, T entries: deviations from the column mean for Pearson, the values for
    /// Euclidean), (4, N), with (N) sums of their squares (Pearson; zeros for Euclidean).
    private let runs: [Double]
    private let squares: [Double]

    public init(database: [Motif], column: ColumnScore = .pearson, minOverlap: Int = 5, bins: Int = 100,
                scoring: AlignmentScoring = .complete, threads: Int = 1) {
        self.database = database
        self.column = column
        self.minOverlap = minOverlap
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

    /// `count` values of a trivial type in a large scratch buffer (huge pages where offered),
    /// or from the allocator when that fails.
    fileprivate static func largeBuffer<T>(_ type: T.Type, _ count: Int) -> UnsafeMutablePointer<T>? {
        let (bytes, overflow) = max(1, count).multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard !overflow, let raw = crick_alloc_large(bytes) else { return nil }
        return raw.bindMemory(to: T.self, capacity: max(1, count))
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
            let workspace = Workspace(queries: queries, columns: columnCount)
            all = queries.map { compareOne($0, workspace) }
        } else {
            // The workers take queries widest first (the widest cost most) as they finish one;
            // each query's list lands in its slot, so the order taken changes nothing.
            let slots = MatchSlots(queries.count)
            let workers = min(threads, queries.count)
            let order = queries.indices.sorted { queries[$0].width > queries[$1].width || (queries[$0].width == queries[$1].width && $0 < $1) }
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                let workspace = Workspace(queries: queries, columns: columnCount)
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

    /// One query's column scores against the database: (wq, N) in the workspace, query column
    /// i's scores against every database column at i * N ..< (i + 1) * N, with each query
    /// column's smallest and largest finite score and whether every score is finite.
    private struct QueryScores {
        let values: UnsafeMutablePointer<Double>
        var lows: [Double]
        var highs: [Double]
        var finite: Bool
    }

    private func columnScores(_ query: Motif, _ workspace: Workspace) -> QueryScores {
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

    private func compareOne(_ query: Motif, _ workspace: Workspace) -> [MotifMatch] {
        let wq = query.width
        guard wq > 0, !database.isEmpty, columnCount > 0 else { return [] }
        let scores = columnScores(query, workspace)
        var out = scoring == .complete ? completeMatches(wq: wq, scores: scores, workspace) : incompleteMatches(wq: wq, scores: scores.values)
        // By p-value, then score (higher first), then target (p-values and scores are not NaN):
        // an order of indices, the matches moved once.
        let ps = out.map(\.pValue), ss = out.map(\.score), ts = out.map(\.target)
        var order = Array(out.indices)
        ps.withUnsafeBufferPointer { p in
            ss.withUnsafeBufferPointer { sc in
                ts.withUnsafeBufferPointer { tg in
                    order.sort { x, y in
                        if p[x] != p[y] { return p[x] < p[y] }
                        if sc[x] != sc[y] { return sc[x] > sc[y] }
                        return tg[x] < tg[y]
                    }
                }
            }
        }
        out = order.map { out[$0] }
        return out
    }

    /// The exact median of each query column's scores over every database column: the middle
    /// value, or the mean of the two middle values.
    private func medians(wq: Int, scores: QueryScores, _ workspace: Workspace) -> [Double] {
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
    private func completeMatches(wq: Int, scores: QueryScores, _ workspace: Workspace) -> [MotifMatch] {
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
        // log P(max over the alignments of a width-wt target < s), memoised by (wt, s): the
        // memo of width wt at memo[memoStart[wt] + s], made when that width is first asked.
        let levelCount = wq * (bins - 1) + 1
        var memoStart = [Int](repeating: -1, count: (widths.max() ?? 0) + 1)
        var memo: [Double] = []
        func logBelow(width wt: Int, score s: Int) -> Double {
            if memoStart[wt] < 0 {
                memoStart[wt] = memo.count
                memo.append(contentsOf: repeatElement(.nan, count: levelCount))
            }
            let at = memoStart[wt] + s
            if !memo[at].isNaN { return memo[at] }
            let value = survival.values.withUnsafeBufferPointer { sv in
                survival.start.withUnsafeBufferPointer { st in
                    survival.count.withUnsafeBufferPointer { ct in
                        logBelowTail.withUnsafeMutableBufferPointer { lt -> Double in
                            guard let v = sv.baseAddress, let a = st.baseAddress, let c = ct.baseAddress, let l = lt.baseAddress else { return 0 }
                            return crick_motif_log_below(v, a, c, l, wq, wt, s, zero)
                        }
                    }
                }
            }
            memo[at] = value
            return value
        }
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
        var out: [MotifMatch] = []
        out.reserveCapacity(count)
        for t in 0..<count where level[t] >= 0 {
            let p = min(1, max(0, -expm1(logBelow(width: widths[t], score: Int(level[t])))))
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

    /// The median of `v` (reordered in place): the middle value, or the mean of the two middle
    /// values for an even count; the value a full sort gives, found by selection.
    static func median(_ v: inout [Double]) -> Double {
        let n = v.count
        guard n > 0 else { return 0 }
        if n < 256 {
            let upper = select(&v, n / 2)
            guard n % 2 == 0 else { return upper }
            // The lower middle value is the largest of the values before the upper one.
            var lower = -Double.infinity
            for i in 0..<(n / 2) { lower = max(lower, v[i]) }
            return (lower + upper) / 2
        }
        let (lower, upper) = middleValues(v, n % 2 == 0 ? n / 2 - 1 : n / 2, n / 2)
        return n % 2 == 0 ? (lower + upper) / 2 : upper
    }

    /// The j-th and k-th smallest values of `v` (0-based, j <= k; the values a sort puts
    /// there): the values counted into buckets by a monotone map of their value, then only
    /// the buckets holding ranks j and k sorted. Exact for finite values.
    static func middleValues(_ v: [Double], _ j: Int, _ k: Int) -> (Double, Double) {
        guard v.allSatisfy({ $0.isFinite }) else {
            // Not a number or infinite values: a sort (NaN last) decides.
            let s = v.sorted { $0 < $1 || (!$0.isNaN && $1.isNaN) }
            return (s[j], s[k])
        }
        var lo = Double.infinity, hi = -Double.infinity
        for x in v { lo = min(lo, x); hi = max(hi, x) }
        guard hi > lo else { return (lo, lo) }
        let buckets = 4096
        let scale = Double(buckets) / (hi - lo)
        @inline(__always) func bucket(_ x: Double) -> Int { min(buckets - 1, Int((x - lo) * scale)) }
        var counts = [Int](repeating: 0, count: buckets)
        v.withUnsafeBufferPointer { vp in counts.withUnsafeMutableBufferPointer { cp in for x in vp { cp[bucket(x)] += 1 } } }
        // The buckets of ranks j and k, and the ranks below the first.
        var below = 0, first = 0
        while below + counts[first] <= j { below += counts[first]; first += 1 }
        var last = first, belowLast = below
        while belowLast + counts[last] <= k { belowLast += counts[last]; last += 1 }
        var kept: [Double] = []
        kept.reserveCapacity(belowLast + counts[last] - below)
        for x in v { let b = bucket(x); if b >= first && b <= last { kept.append(x) } }
        kept.sort()
        return (kept[j - below], kept[k - below])
    }

    /// Reorders `v` so that v[k] holds the value a sort would put there, no value before it
    /// greater and none after it smaller (Hoare's selection with a median-of-three pivot).
    static func select(_ v: inout [Double], _ k: Int) -> Double {
        var lo = 0, hi = v.count - 1
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if v[mid] < v[lo] { v.swapAt(mid, lo) }
            if v[hi] < v[lo] { v.swapAt(hi, lo) }
            if v[hi] < v[mid] { v.swapAt(hi, mid) }
            let pivot = v[mid]
            var i = lo, j = hi
            while i <= j {
                while v[i] < pivot { i += 1 }
                while pivot < v[j] { j -= 1 }
                if i <= j { v.swapAt(i, j); i += 1; j -= 1 }
            }
            if k <= j { hi = j } else if k >= i { lo = i } else { return v[k] }
        }
        return v[k]
    }

    /// The null pmf of each query column: its level counts (counts[i * bins + level]) over
    /// the database columns, every column weighted equally.
    private func nullPMF(_ counts: [Int64], wq: Int) -> [[Double]] {
        let total = Double(max(columnCount, 1))
        return (0..<wq).map { i in (0..<bins).map { Double(counts[i * bins + $0]) / total } }
    }

    /// Survival functions of sums over query columns a..<b of independent per-column pmfs,
    /// built by extending a: P(sum >= s) at values[start[a * wq + b - a - 1] + s] for s below
    /// count[a * wq + b - a - 1] (a sum over len columns has len * (bins - 1) + 1 levels).
    private struct Survival {
        var values: [Double]
        var start: [Int]
        var count: [Int]
        /// Entries in use (values may hold more, unused).
        var total: Int
    }

    /// `storage` (a previous query's values, reused: every entry in use is written) holds the
    /// values.
    private func survivalFunctions(_ pmf: [[Double]], storage: [Double] = []) -> Survival {
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

/// One worker's buffers for the comparison, reused from query to query (fresh pages for every
/// query cost more than the work): scores (wq, N) and levels (N, wq) for the
/// widest query, selection scratch (3N + 48) and 4096 bucket counts.
private final class Workspace {
    let scores: UnsafeMutablePointer<Double>
    let levels: UnsafeMutablePointer<Int32>
    /// Whether scores and levels came from crick_alloc_large (else from `allocate`).
    private let large: Bool
    let scratch: UnsafeMutablePointer<Double>
    let buckets: UnsafeMutablePointer<Int32>
    /// A query's survival functions and log terms, kept for the next query.
    var survival: [Double] = []
    var logTail: [Double] = []
    private let size: Int, columns: Int

    /// The survival storage, left empty here (the caller returns it).
    func takeSurvival() -> [Double] {
        defer { survival = [] }
        return survival
    }

    /// The log-term storage, left empty here (the caller returns it).
    func takeLogTail() -> [Double] {
        defer { logTail = [] }
        return logTail
    }

    init(queries: [Motif], columns n: Int) {
        size = (queries.map(\.width).max() ?? 0) * n
        columns = n
        // Not initialised: every value is written before it is read. Huge pages where offered
        // (the widest query touches every page of both).
        let s = MotifComparison.largeBuffer(Double.self, size), l = MotifComparison.largeBuffer(Int32.self, size)
        if let s, let l {
            (scores, levels, large) = (s, l, true)
        } else {
            if let s { crick_free_large(s) }
            if let l { crick_free_large(l) }
            (scores, levels, large) = (.allocate(capacity: max(1, size)), .allocate(capacity: max(1, size)), false)
        }
        scratch = .allocate(capacity: 3 * n + 48)
        buckets = .allocate(capacity: 4096)
    }

    deinit {
        if large {
            crick_free_large(scores)
            crick_free_large(levels)
        } else {
            scores.deallocate()
            levels.deallocate()
        }
        scratch.deallocate()
        buckets.deallocate()
    }
}

/// Per-query result slots filled by the comparison's worker threads, and the queue of queries
/// they take from (under a lock).
private final class MatchSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[MotifMatch]]
    private var taken = 0

    /// The next of `count` queries to compare, nil when every one is taken.
    func nextQuery(of count: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard taken < count else { return nil }
        taken += 1
        return taken - 1
    }

    init(_ count: Int) { slots = Array(repeating: [], count: count) }

    func set(_ i: Int, _ matches: [MotifMatch]) {
        lock.lock()
        slots[i] = matches
        lock.unlock()
    }

    var values: [[MotifMatch]] {
        lock.lock()
        defer { lock.unlock() }
        return slots
    }
}

