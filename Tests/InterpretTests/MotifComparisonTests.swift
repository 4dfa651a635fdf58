import CKernels
import XCTest
import TestSupport
import Dataset
@testable import Interpret

final class MotifComparisonTests: XCTestCase {
    let jaspar = packageRoot + "/Pipelines/data/motifs/JASPAR2024_CORE_vertebrates_non-redundant.meme"

    /// The median by bucketed selection equals the sorted array's middle value (or mean of
    /// the two middle values) for sizes on both sides of the selection cut-over, with ties,
    /// clustered values and a constant array.
    func testMedianEqualsTheSortedMiddle() {
        var rng = TestRNG(seed: 12)
        for n in [1, 2, 7, 255, 256, 257, 1000, 21_001, 21_002] {
            for kind in 0..<4 {
                var v = (0..<n).map { _ -> Double in
                    let u = Double(rng.next() % 1_000_000) / 1_000_000
                    switch kind {
                    case 0: return u * 2 - 1
                    case 1: return (u * 20).rounded() / 10 - 1         // many ties
                    case 2: return u < 0.9 ? 0.5 + u * 1e-9 : -u      // one dense cluster
                    default: return 0.25
                    }
                }
                let sorted = v.sorted()
                let expected = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
                XCTAssertEqual(MotifComparison.median(&v), expected, "n \(n) kind \(kind)")
            }
        }
    }

    func testAMotifMatchesItselfAndItsReverseComplementBest() throws {
        for scoring in AlignmentScoring.allCases { try checkSelfMatches(scoring) }
    }

    func checkSelfMatches(_ scoring: AlignmentScoring) throws {
        let db = try MotifFile.read(path: jaspar)
        let comparison = MotifComparison(database: db, scoring: scoring)
        var rng = TestRNG(seed: 4)
        let picks = (0..<6).map { _ in Int.random(in: 0..<db.count, using: &rng) }
        let queries = picks.map { db[$0] } + picks.map { db[$0].reverseComplement }
        let results = comparison.compare(queries)
        for (k, list) in results.enumerated() {
            let target = picks[k % picks.count]
            let best = try XCTUnwrap(list.first)
            let selfMatch = try XCTUnwrap(list.first { $0.target == target })
            XCTAssertEqual(selfMatch.pValue, best.pValue, "the motif itself has the smallest p (\(db[target].id), \(scoring))")
            XCTAssertEqual(selfMatch.offset, 0)
            let m = db[target]
            let palindromic = zip(m.probabilities.joined(), m.reverseComplement.probabilities.joined()).allSatisfy { abs($0 - $1) < 0.1 }
            if !palindromic { XCTAssertEqual(selfMatch.strand, k < picks.count ? "+" : "-", m.id) }
            XCTAssertEqual(selfMatch.overlap, db[target].width)
            XCTAssertLessThan(selfMatch.eValue, 0.01, db[target].id)
            XCTAssertLessThanOrEqual(selfMatch.qValue, 0.05)
            XCTAssertEqual(list.count, db.count)
            XCTAssertTrue(zip(list, list.dropFirst()).allSatisfy { $0.pValue <= $1.pValue })
        }
    }

    func testUnrelatedRandomMotifsAreNotSignificant() throws {
        for scoring in AlignmentScoring.allCases { try checkUnrelated(scoring) }
    }

    func checkUnrelated(_ scoring: AlignmentScoring) throws {
        let db = try MotifFile.read(path: jaspar)
        var rng = TestRNG(seed: 9)
        // Nearly uniform columns: nothing in the database should look significant.
        let queries = (0..<5).map { q in
            Motif(id: "r\(q)", name: "r\(q)", probabilities: (0..<10).map { _ in
                let v = (0..<4).map { _ in 1 + Double.random(in: 0...0.2, using: &rng) }
                let s = v.reduce(0, +)
                return v.map { $0 / s }
            })
        }
        for list in MotifComparison(database: db, scoring: scoring).compare(queries) {
            XCTAssertGreaterThan(list.first?.eValue ?? 0, 0.1, "\(scoring)")
        }
    }

    func testPValuesAreUniformishUnderTheNull() throws {
        for scoring in AlignmentScoring.allCases { try checkNull(scoring) }
    }

    func checkNull(_ scoring: AlignmentScoring) throws {
        // Database motifs compared with shuffled-column copies of other database motifs: few
        // small p-values beyond what chance gives.
        let db = try MotifFile.read(path: jaspar)
        var rng = TestRNG(seed: 2)
        let queries = (0..<20).map { _ -> Motif in
            var m = db[Int.random(in: 0..<db.count, using: &rng)]
            m.probabilities = m.probabilities.map { $0.shuffled(using: &rng) }
            return m
        }
        let results = MotifComparison(database: db, scoring: scoring).compare(queries)
        let all = results.flatMap { $0.map(\.pValue) }
        let small = all.filter { $0 < 0.01 }.count
        XCTAssertLessThan(Double(small) / Double(all.count), 0.03, "p < 0.01 in \(small) of \(all.count) (\(scoring))")
    }

    /// Complete scoring against a brute-force oracle: every tuple of database columns is
    /// enumerated for each aligned column range (no convolution), and the maximum over the
    /// alignments of a target's width (independent under the null) is the product of their
    /// distribution functions.
    func testCompleteScoringPValuesEqualBruteForceEnumeration() throws {
        var rng = TestRNG(seed: 31)
        func randomColumn() -> [Double] {
            let v = (0..<4).map { _ in pow(Double.random(in: 0.01...1, using: &rng), 3) }
            let s = v.reduce(0, +)
            return v.map { $0 / s }
        }
        let db = [2, 3, 3, 4].enumerated().map { k, w in Motif(id: "m\(k)", name: "m\(k)", probabilities: (0..<w).map { _ in randomColumn() }) }
        let queries = (0..<3).map { q in Motif(id: "q\(q)", name: "q\(q)", probabilities: (0..<4).map { _ in randomColumn() }) }
        let bins = 100
        for minOverlap in [1, 2] {
            let results = MotifComparison(database: db, minOverlap: minOverlap, bins: bins, scoring: .complete).compare(queries)
            for (qi, query) in queries.enumerated() {
                let wq = query.width
                let dbColumns = db.flatMap { $0.probabilities + $0.reverseComplement.probabilities }
                let raw = (0..<wq).map { i in dbColumns.map { ColumnScore.pearson.score(query.probabilities[i], $0) } }
                let medians = raw.map { r -> Double in
                    let v = r.sorted()
                    return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
                }
                let shifted = (0..<wq).map { i in raw[i].map { $0 - medians[i] } }
                let lo = shifted.joined().min() ?? 0, hi = shifted.joined().max() ?? 0
                let scale = Double(bins - 1) / (hi - lo)
                func level(_ v: Double) -> Int { min(bins - 1, max(0, Int(((v - lo) * scale).rounded()))) }
                let zero = level(0)
                // Level sums over query columns a..<b for every tuple of database columns, one
                // tuple at a time (an odometer over column indices).
                var cache: [Int: [Int]] = [:]
                func rangeSums(_ a: Int, _ b: Int) -> [Int] {
                    if let v = cache[a * 16 + b] { return v }
                    let n = b - a, t = dbColumns.count
                    var digits = [Int](repeating: 0, count: n), sums: [Int] = []
                    repeat {
                        sums.append((0..<n).reduce(0) { $0 + level(shifted[a + $1][digits[$1]]) })
                        var k = 0
                        while k < n { digits[k] += 1; if digits[k] < t { break }; digits[k] = 0; k += 1 }
                        if k == n { break }
                    } while true
                    cache[a * 16 + b] = sums
                    return sums
                }
                for match in results[qi] {
                    let target = db[match.target], wt = target.width
                    // The best complete score over the offsets allowed and both strands.
                    var bestScore = Int.min
                    for strandMotif in [target, target.reverseComplement] {
                        for offset in (-(wt - 1))...(wq - 1) {
                            let a = max(0, offset), b = min(wq, wt + offset)
                            guard b - a >= min(minOverlap, wq, wt) else { continue }
                            var total = (wq - (b - a)) * zero
                            for i in a..<b { total += level(ColumnScore.pearson.score(query.probabilities[i], strandMotif.probabilities[i - offset]) - medians[i]) }
                            bestScore = max(bestScore, total)
                        }
                    }
                    // P(max over all 2 x (wq + wt - 1) alignments >= bestScore).
                    var below = 1.0
                    for offset in (-(wt - 1))...(wq - 1) {
                        let a = max(0, offset), b = min(wq, wt + offset)
                        let sums = rangeSums(a, b)
                        let atLeast = Double(sums.filter { $0 + (wq - (b - a)) * zero >= bestScore }.count)
                        below *= pow(1 - atLeast / Double(sums.count), 2)
                    }
                    let p = 1 - below
                    XCTAssertEqual(match.pValue, p, accuracy: 1e-9 + 1e-7 * p, "\(query.id) vs \(target.id), min overlap \(minOverlap)")
                    XCTAssertEqual(match.eValue, match.pValue * Double(db.count), accuracy: 1e-12)
                }
                XCTAssertEqual(results[qi].count, db.count)
            }
        }
    }
}

/// The comparison's C kernels at every level the machine supports: the same matches bit for bit,
/// and the exact middle values against a sort.
final class MotifComparisonKernelTests: XCTestCase {
    let jaspar = packageRoot + "/Pipelines/data/motifs/JASPAR2024_CORE_vertebrates_non-redundant.meme"
    private let saved = crick_kernel_level()
    override func tearDown() { _ = crick_set_kernel_level(saved) }
    private var levels: [Int32] { Array(Int32(CRICK_KERNELS_GENERIC)...crick_kernel_support()) }

    /// Middle values by sample and by buckets equal a sort's, for sizes on both sides of the
    /// sampling cut-over (4096), with ties, one dense cluster, a constant run and a skewed tail.
    func testMiddleValuesEqualTheSortedValuesAtEveryLevel() {
        var rng = TestRNG(seed: 41)
        for level in levels {
            XCTAssertEqual(crick_set_kernel_level(level), level)
            for n in [1, 2, 3, 17, 4095, 4096, 4097, 21_001, 21_002, 60_000] {
                for kind in 0..<5 {
                    let v = (0..<n).map { _ -> Double in
                        let u = Double(rng.next() % 1_000_000) / 1_000_000
                        switch kind {
                        case 0: return u * 2 - 1
                        case 1: return (u * 20).rounded() / 10 - 1
                        case 2: return u < 0.9 ? 0.5 + u * 1e-9 : -u
                        case 3: return 0.25
                        default: return -pow(u, 8) * 1.4
                        }
                    }
                    let sorted = v.sorted()
                    let lo = sorted[0], hi = sorted[n - 1]
                    var scratch = [Double](repeating: .nan, count: 3 * n + 48), buckets = [Int32](repeating: 0, count: 4096)
                    for (j, k) in [(n / 2, n / 2), (max(0, n / 2 - 1), n / 2), (0, 0), (n - 1, n - 1), (0, min(1, n - 1))] {
                        var vj = 0.0, vk = 0.0
                        v.withUnsafeBufferPointer { vp in
                            crick_motif_middle_values(vp.baseAddress, n, j, k, lo, hi, &vj, &vk, &scratch, &buckets)
                        }
                        XCTAssertEqual(vj, sorted[j], "level \(level) n \(n) kind \(kind) rank \(j)")
                        XCTAssertEqual(vk, sorted[k], "level \(level) n \(n) kind \(kind) rank \(k)")
                    }
                }
            }
        }
    }

    /// Every level gives the same matches, bit for bit, for both column scores and both
    /// scorings, on queries of widths 1 to 21 against the JASPAR 2024 vertebrates.
    func testEveryLevelGivesTheSameMatches() throws {
        let db = try MotifFile.read(path: jaspar)
        var rng = TestRNG(seed: 7)
        let queries = (0..<12).map { q -> Motif in
            let width = q < 2 ? q + 1 : Int(rng.next() % 21) + 1
            return Motif(id: "q\(q)", name: "q\(q)", probabilities: (0..<width).map { _ in
                let v = (0..<4).map { _ in pow(Double(rng.next() % 1000 + 1) / 1000, 3) }
                let s = v.reduce(0, +)
                return v.map { $0 / s }
            })
        } + Array(db[100..<104])
        for column in ColumnScore.allCases {
            for scoring in AlignmentScoring.allCases {
                var reference: [[MotifMatch]]?
                for level in levels {
                    _ = crick_set_kernel_level(level)
                    let matches = MotifComparison(database: db, column: column, minOverlap: 1, scoring: scoring, threads: 2).compare(queries)
                    XCTAssertEqual(matches.count, queries.count)
                    if let reference {
                        XCTAssertEqual(matches, reference, "\(column) \(scoring) level \(level)")
                    } else {
                        reference = matches
                    }
                }
                // And at any thread count; a minimum overlap below 1 is taken as 1.
                let one = MotifComparison(database: db, column: column, minOverlap: 1, scoring: scoring, threads: 1).compare(queries)
                XCTAssertEqual(one, reference, "\(column) \(scoring) 1 thread")
                let none = MotifComparison(database: db, column: column, minOverlap: 0, scoring: scoring, threads: 1).compare(queries)
                XCTAssertEqual(none, reference, "\(column) \(scoring) minimum overlap 0")
            }
        }
    }
}
