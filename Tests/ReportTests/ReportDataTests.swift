import Interpret
import Report
import TestSupport
import Tracks
import XCTest

/// The numbers behind the report's figures, against brute-force oracles.
final class ReportDataTests: XCTestCase {
    /// The area under the ROC polyline equals the pairwise (Mann-Whitney) AUC, ties counted
    /// half, which holds only if points sit at the ends of tied groups.
    func testROCAreaIsThePairwiseAUCWithTies() {
        var rng = TestRNG(seed: 11)
        for trial in 0..<6 {
            let m = 50 + 60 * trial
            let levels = [3, 10, 1000][trial % 3]   // heavy ties to none
            let scores = (0..<m).map { _ in Float(Int.random(in: 0..<levels, using: &rng)) / Float(levels) }
            let labels = scores.map { s in Double.random(in: 0..<1, using: &rng) < 0.2 + 0.6 * Double(s) }
            guard labels.contains(true), labels.contains(false) else { continue }
            var pairs = 0.0, wins = 0.0
            for i in 0..<m where labels[i] {
                for j in 0..<m where !labels[j] {
                    pairs += 1
                    wins += scores[i] > scores[j] ? 1 : (scores[i] == scores[j] ? 0.5 : 0)
                }
            }
            let (roc, pr) = curves(scores: scores, labels: labels)
            var area = 0.0
            for k in 1..<roc.count { area += (roc[k].0 - roc[k - 1].0) * (roc[k].1 + roc[k - 1].1) / 2 }
            XCTAssertEqual(area, wins / pairs, accuracy: 1e-12, "trial \(trial)")
            XCTAssertEqual(roc.last?.0 ?? 0, 1, accuracy: 1e-12)
            XCTAssertEqual(roc.last?.1 ?? 0, 1, accuracy: 1e-12)
            let positives = Double(labels.filter { $0 }.count)
            XCTAssertEqual(pr.last?.1 ?? 0, positives / Double(m), accuracy: 1e-12, "precision at full recall is the positive share")
            // Recall never decreases along the curve.
            XCTAssertTrue(zip(pr, pr.dropFirst()).allSatisfy { $0.0 <= $1.0 })
        }
    }

    func testCurvesAreThinnedToAboutTheRequestedPoints() {
        var rng = TestRNG(seed: 2)
        let scores = (0..<10_000).map { _ in Float.random(in: 0..<1, using: &rng) }
        let labels = scores.map { $0 > 0.5 }
        let (roc, _) = curves(scores: scores, labels: labels, points: 400)
        XCTAssertLessThanOrEqual(roc.count, 402)
        XCTAssertGreaterThan(roc.count, 300)
    }

    /// The region shown is the one with the largest total |attribution|, and the zoom is the
    /// stretch with the largest summed |attribution|, both found by brute force here.
    func testAttributionExampleShowsTheStrongestRegionAndStretch() {
        var rng = TestRNG(seed: 7)
        let n = 5, l = 300, zoom = 40
        // Saliency-like maps: one non-zero value per column, at a random base present.
        var maps = [Float](repeating: 0, count: n * l * 4)
        for c in 0..<(n * l) { maps[c * 4 + Int.random(in: 0..<4, using: &rng)] = Float.random(in: -1...1, using: &rng) * 0.1 }
        // Region 3 is stronger overall, with a peak of attribution around column 200.
        for i in (3 * l * 4)..<(4 * l * 4) { maps[i] *= 3 }
        for p in 190..<215 {
            for b in 0..<4 { maps[(3 * l + p) * 4 + b] = b == 2 ? 2 : 0 }
        }
        let windows = [AttributionWindow(line: "chrI\t0\t738\tpeak_1\t262"), AttributionWindow(line: "chrI\t100\t400\tb"),
                       AttributionWindow(line: "chrI\t200\t500\tc"), AttributionWindow(line: "chrII\t1000\t1300\td\t0"),
                       AttributionWindow(line: "chrII\t2000\t2300\te")].compactMap { $0 }
        XCTAssertEqual(windows.first, AttributionWindow(chrom: "chrI", firstPosition: -262, name: "peak_1"))
        let example = maps.withUnsafeBufferPointer { AttributionExample(maps: $0, regions: n, length: l, windows: windows, zoom: zoom) }
        let totals = (0..<n).map { r in maps[(r * l * 4)..<((r + 1) * l * 4)].reduce(0.0) { $0 + Double(abs($1)) } }
        let strongest = totals.indices.max { totals[$0] < totals[$1] } ?? -1
        XCTAssertEqual(example.region, strongest)
        XCTAssertEqual(example.region, 3)
        let column = (0..<l).map { p in (0..<4).reduce(0.0) { $0 + Double(abs(maps[(strongest * l + p) * 4 + $1])) } }
        let sums = (0...(l - zoom)).map { s in column[s..<(s + zoom)].reduce(0, +) }
        let bestStart = sums.indices.max { sums[$0] < sums[$1] } ?? -1
        XCTAssertEqual(example.zoomStart, bestStart)
        XCTAssertEqual(example.zoomRows.count, zoom)
        XCTAssertEqual(example.zoomRows[0][2], Double(maps[(3 * l + bestStart) * 4 + 2]))
        XCTAssertEqual(example.profile.count, l)
        XCTAssertEqual(example.profile[195], (0..<4).reduce(0.0) { $0 + Double(maps[(3 * l + 195) * 4 + $1]) }, accuracy: 1e-9)
        XCTAssertEqual(example.label(from: 0, to: l), "chrII:1001-1300 d")
        XCTAssertEqual(example.label(from: bestStart, to: bestStart + zoom), "chrII:\(1001 + bestStart)-\(1000 + bestStart + zoom) d")
    }

    /// ISM maps (three mutation effects per column, 0 at the base present) are shown as the
    /// base present with minus the mean effect of its mutations; N columns show nothing.
    func testISMMapsAreShownAtTheBasePresent() {
        var rng = TestRNG(seed: 9)
        let l = 50
        let present = (0..<l).map { $0 == 7 ? 4 : Int.random(in: 0..<4, using: &rng) }   // 4 = N
        var maps = [Float](repeating: 0, count: l * 4)
        for p in 0..<l {
            for b in 0..<4 where b != present[p] { maps[p * 4 + b] = Float.random(in: -1...1, using: &rng) }
        }
        let example = maps.withUnsafeBufferPointer { AttributionExample(maps: $0, regions: 1, length: l, windows: [], zoom: l) }
        XCTAssertEqual(example.zoomStart, 0)
        for p in 0..<l {
            let row = example.zoomRows[p]
            if present[p] == 4 {
                XCTAssertEqual(row, [0, 0, 0, 0], "N column")
                continue
            }
            let expected = -(0..<4).reduce(0.0) { $0 + Double(maps[p * 4 + $1]) } / 3
            // float32, as the per-base track computes it
            for b in 0..<4 { XCTAssertEqual(row[b], b == present[p] ? expected : 0, accuracy: 1e-6, "column \(p) base \(b)") }
            XCTAssertEqual(example.profile[p], expected, accuracy: 1e-6)
        }
        XCTAssertEqual(example.label(from: 0, to: l), "columns 1-50")
    }

    func testTrackSummaryCoverageAndTopIntervals() {
        let genome = TrackGenome([("a", 1000), ("b", 500)])
        let list = [TrackInterval(chrom: "a", start: 0, end: 20, value: 0.5), TrackInterval(chrom: "a", start: 40, end: 60, value: 0.9),
                    TrackInterval(chrom: "b", start: 0, end: 20, value: 0.7), TrackInterval(chrom: "b", start: 20, end: 25, value: 0.1)]
        let s = TrackSummary(name: "t", intervals: list, genome: genome, top: 2)
        XCTAssertEqual(s.intervals, 4)
        XCTAssertEqual(s.coveredBases, 65)
        XCTAssertEqual(s.genomeBases, 1500)
        XCTAssertEqual(s.top.map(\.value), [0.9, 0.7])
    }
}
