import XCTest
import TestSupport
@testable import Tracks

final class OverlapTests: XCTestCase {
    /// Per-base oracle: every base takes the max or mean of the intervals covering it.
    func naive(_ intervals: [TrackInterval], rule: OverlapRule, length: Int) -> [Float?] {
        (0..<length).map { p in
            let v = intervals.filter { $0.start <= p && p < $0.end }.map(\.value)
            guard !v.isEmpty else { return nil }
            return rule == .max ? v.max() : Float(v.map(Double.init).reduce(0, +) / Double(v.count))
        }
    }

    func testResolvedTrackMatchesPerBaseOracle() {
        let genome = TrackGenome([("a", 300), ("b", 300)])
        var rng = TestRNG(seed: 11)
        for trial in 0..<40 {
            var list: [TrackInterval] = []
            for _ in 0..<Int.random(in: 1...25, using: &rng) {
                let s = Int.random(in: 0..<290, using: &rng)
                let e = min(300, s + Int.random(in: 0...60, using: &rng))
                list.append(TrackInterval(chrom: trial % 2 == 0 ? "a" : ["a", "b"].randomElement(using: &rng) ?? "a",
                                          start: s, end: e, value: Float(Int.random(in: 0...4, using: &rng)) / 4))
            }
            for rule in OverlapRule.allCases {
                let out = resolveOverlaps(list, rule: rule, genome: genome)
                var check = TrackOrderCheck(genome: genome, path: "test")
                for (i, piece) in out.enumerated() {
                    XCTAssertNoThrow(try check.check(piece.chrom, piece.start, piece.end))
                    if i > 0, out[i - 1].chrom == piece.chrom, out[i - 1].end == piece.start {
                        XCTAssertNotEqual(out[i - 1].value, piece.value, "equal neighbours are joined")
                    }
                }
                for chrom in ["a", "b"] {
                    let expected = naive(list.filter { $0.chrom == chrom }, rule: rule, length: 300)
                    var got = [Float?](repeating: nil, count: 300)
                    for piece in out where piece.chrom == chrom { for p in piece.start..<piece.end { got[p] = piece.value } }
                    for p in 0..<300 {
                        switch (expected[p], got[p]) {
                        case (nil, nil): break
                        case let (e?, g?): XCTAssertEqual(e, g, accuracy: 1e-6, "trial \(trial) \(rule) \(chrom):\(p)")
                        default: XCTFail("coverage differs at \(chrom):\(p) in trial \(trial)")
                        }
                    }
                }
            }
        }
    }
}
