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
    /// Every database column, both strands, as (N, 4) values: motif m's column j on strand s
    /// (0 as given, 1 reverse-complemented) is column starts[m] + s * width(m) + j.
    private let columnValues: [Double]
    private let starts: [Int]
    private let columnCount: Int
    /// The database columns as the column score reads them: (N, 4) deviations from the
    /// column mean with (N) sums of their squares (Pearson), or the values (Euclidean).
    private let prepared: [Double]
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
        var n = 0
        for motif in database {
            starts.append(n)
            for strand in [motif.probabilities, motif.reverseComplement.probabilities] {
                for col in strand { values += col.prefix(4) + repeatElement(0, count: max(0, 4 - col.count)) }
                n += strand.count
            }
        }
        columnValues = values
        self.starts = starts
        columnCount = n
        (prepared, squares) = MotifComparison.prepare(values, count: n, column: column)
    }

    /// Columns (N, 4) as `score(prepared:...)` reads them.
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
            all = queries.map { compareOne($0) }
        } else {
            // Worker w compares queries w, w + threads, ...; each query's list lands in its slot.
            let slots = MatchSlots(queries.count)
            let workers = min(threads, queries.count)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for q in stride(from: worker, to: queries.count, by: workers) { slots.set(q, compareOne(queries[q])) }
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

    private func compareOne(_ query: Motif) -> [MotifMatch] {
        let wq = query.width
        guard wq > 0, !database.isEmpty else { return [] }
        // Column scores of every query column against every database column (both strands):
        // scores[c * wq + i] for database column c and query column i.
        var q: [Double] = []
        for col in query.probabilities { q += col.prefix(4) + repeatElement(0, count: max(0, 4 - col.count)) }
        // The query columns prepared as the database's: the same operations in the same
        // order as `ColumnScore.score`, so every score is the value it gives.
        let (qPrepared, qSquares) = MotifComparison.prepare(q, count: wq, column: column)
        var scores = [Double](repeating: 0, count: columnCount * wq)
        let pearson = column == .pearson
        qPrepared.withUnsafeBufferPointer { qp in
            prepared.withUnsafeBufferPointer { dp in
                scores.withUnsafeMutableBufferPointer { sp in
                    guard let qv = qp.baseAddress, let dv = dp.baseAddress, let out = sp.baseAddress else { return }
                    for c in 0..<columnCount {
                        let y = dv + c * 4, sbb = squares[c]
                        for i in 0..<wq {
                            let x = qv + i * 4
                            if pearson {
                                var sab = 0.0
                                sab += x[0] * y[0]; sab += x[1] * y[1]; sab += x[2] * y[2]; sab += x[3] * y[3]
                                let d = (qSquares[i] * sbb).squareRoot()
                                out[c * wq + i] = d > 1e-12 ? sab / d : 0
                            } else {
                                var e = 0.0
                                for k in 0..<4 { e += (x[k] - y[k]) * (x[k] - y[k]) }
                                out[c * wq + i] = -e.squareRoot()
                            }
                        }
                    }
                }
            }
        }
        var out = scoring == .complete ? completeMatches(wq: wq, scores: scores) : incompleteMatches(wq: wq, scores: scores)
        out.sort { ($0.pValue, -$0.score, $0.target) < ($1.pValue, -$1.score, $1.target) }
        return out
    }

    /// Tomtom's complete scoring: median-shifted column scores, unaligned query columns at 0,
    /// p of the best alignment's sum under the maximum of all alignments of the target's width.
    private func completeMatches(wq: Int, scores: [Double]) -> [MotifMatch] {
        // Median of each query column's scores over every database column (exact: the middle
        // value, or the mean of the two middle values, of the column's scores).
        var column = [Double](repeating: 0, count: columnCount)
        let medians = (0..<wq).map { i -> Double in
            for c in 0..<columnCount { column[c] = scores[c * wq + i] }
            return MotifComparison.median(&column)
        }
        // Shifted scores discretised on one scale for all query columns: level 0 is the lowest
        // shifted score, bins - 1 the highest; `zero` is the level of a shifted score of 0.
        var lo = Double.infinity, hi = -Double.infinity
        scores.withUnsafeBufferPointer { sp in
            for c in 0..<columnCount {
                for i in 0..<wq { let v = sp[c * wq + i] - medians[i]; lo = min(lo, v); hi = max(hi, v) }
            }
        }
        let scale = Double(bins - 1) / max(hi - lo, 1e-12)
        let top = bins - 1
        // round() of a value >= 0 (half away from zero) without the libm call: floor, then up
        // when the exact remainder is at least one half.
        func level(_ shifted: Double) -> Int {
            let x = max(0, (shifted - lo) * scale), f = x.rounded(.down)
            return min(top, Int(x - f >= 0.5 ? f + 1 : f))
        }
        let zero = level(0)
        // levels[c * wq + i]: the level of database column c's shifted score for query column i.
        var levels = [Int32](repeating: 0, count: columnCount * wq)
        scores.withUnsafeBufferPointer { sp in
            levels.withUnsafeMutableBufferPointer { lp in
                for c in 0..<columnCount { for i in 0..<wq { lp[c * wq + i] = Int32(level(sp[c * wq + i] - medians[i])) } }
            }
        }
        let survival = survivalFunctions(nullPMF(levels, wq: wq))
        // log P(max over the alignments of a width-wt target < s), memoised by (wt, s).
        var memo: [Int: Double] = [:]
        let levelCount = wq * (bins - 1) + 1
        func logBelow(width wt: Int, score s: Int) -> Double {
            if let v = memo[wt * levelCount + s] { return v }
            var acc = 0.0
            for offset in (-(wt - 1))...(wq - 1) {
                let a = max(0, offset), b = min(wq, wt + offset)
                let x = s - (wq - (b - a)) * zero      // the aligned columns' share of s
                let sf = survival[a][b - a - 1]
                let tail = x <= 0 ? 1 : (x < sf.count ? sf[x] : 0)
                if tail >= 1 { acc = -.infinity; break }
                acc += 2 * log1p(-tail)                 // both orientations of the target
            }
            memo[wt * levelCount + s] = acc
            return acc
        }
        var out: [MotifMatch] = []
        for t in database.indices {
            let wt = database[t].width
            guard wt > 0 else { continue }
            let minOv = min(minOverlap, wq, wt)
            var best = (level: -1, offset: 0, strand: Character("+"), overlap: 0, score: -Double.infinity)
            for s in 0..<2 {
                let first = starts[t] + s * wt   // the strand's column 0
                for offset in (-(wt - minOv))...(wq - minOv) {
                    let a = max(0, offset), b = min(wq, wt + offset)
                    guard b - a >= minOv else { continue }
                    var total = (wq - (b - a)) * zero
                    var raw = 0.0
                    levels.withUnsafeBufferPointer { lp in
                        scores.withUnsafeBufferPointer { sp in
                            for i in a..<b {
                                let k = (first + i - offset) * wq + i
                                total += Int(lp[k])
                                raw += sp[k] - medians[i]
                            }
                        }
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
    private func incompleteMatches(wq: Int, scores: [Double]) -> [MotifMatch] {
        let levels = scores.map { Int32(bin($0)) }
        let survival = survivalFunctions(nullPMF(levels, wq: wq))
        var out: [MotifMatch] = []
        for t in database.indices {
            let wt = database[t].width
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
                        let k = (first + i - offset) * wq + i
                        binSum += Int(levels[k])
                        raw += scores[k]
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

    /// The null pmf of each query column: the distribution of its discretised levels
    /// (levels[c * wq + i]) over the database columns c, every column weighted equally.
    private func nullPMF(_ levels: [Int32], wq: Int) -> [[Double]] {
        // counts[i * bins + level]
        var counts = [Int](repeating: 0, count: wq * bins)
        levels.withUnsafeBufferPointer { lp in
            counts.withUnsafeMutableBufferPointer { cp in
                for c in 0..<columnCount { for i in 0..<wq { cp[i * bins + Int(lp[c * wq + i])] += 1 } }
            }
        }
        let total = Double(max(columnCount, 1))
        return (0..<wq).map { i in (0..<bins).map { Double(counts[i * bins + $0]) / total } }
    }

    /// Survival functions of sums over query columns a..<b of independent per-column pmfs:
    /// survival[a][b - a - 1][s] = P(sum >= s), built by extending a.
    private func survivalFunctions(_ pmf: [[Double]]) -> [[[Double]]] {
        let wq = pmf.count
        var survival: [[[Double]]] = Array(repeating: [], count: wq)
        // Each pmf's non-zero levels and their probabilities, in level order.
        let nonZero = pmf.map { p in (p.indices.filter { p[$0] > 0 }, p.filter { $0 > 0 }) }
        for a in 0..<wq {
            var dist = pmf[a]
            var list: [[Double]] = [tail(dist)]
            for b in (a + 1)..<(wq + 1) where b < wq {
                var next = [Double](repeating: 0, count: dist.count + bins - 1)
                let (ys, ps) = nonZero[b]
                // next[x + y] += dist[x] * p(y): one scaled copy of dist per level y of column
                // b (a contiguous multiply-add the compiler vectorises).
                dist.withUnsafeBufferPointer { dp in
                    next.withUnsafeMutableBufferPointer { np in
                        guard let d = dp.baseAddress, let n = np.baseAddress else { return }
                        let count = dp.count
                        for j in ys.indices {
                            let out = n + ys[j], p = ps[j]
                            for x in 0..<count { out[x] += d[x] * p }
                        }
                    }
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

/// Per-query result slots filled by the comparison's worker threads (under a lock).
private final class MatchSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[MotifMatch]]

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
