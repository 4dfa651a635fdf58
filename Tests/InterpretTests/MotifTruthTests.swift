import XCTest
import Dataset
@testable import Interpret

/// The truth metrics counted by hand on a small set of filters' match lists.
final class MotifTruthTests: XCTestCase {
    func match(_ target: Int, e: Double) -> MotifMatch {
        MotifMatch(target: target, offset: 0, strand: "+", overlap: 6, score: 1, pValue: e / 6, eValue: e, qValue: e)
    }

    func testStrictAndAnyHitCountsAsKooAndPloenzkeDefineThem() {
        let database = (0..<6).map { Motif(id: "M\($0)", name: "m\($0)", probabilities: [[1, 0, 0, 0]]) }
        let truth: Set<Int> = [0, 1, 2]
        let matches: [[MotifMatch]] = [
            [match(0, e: 1e-6), match(3, e: 1e-3)],   // best match is truth 0
            [match(3, e: 1e-5), match(1, e: 1e-4)],   // a relative wins; truth 1 is a later hit
            [match(4, e: 0.05), match(2, e: 0.5)],    // truth 2 only beyond E 0.1: no truth hit
            [match(1, e: 0.2), match(5, e: 0.3)],     // nothing significant
            [match(3, e: 1e-8), match(0, e: 1e-7), match(1, e: 1e-2)],  // best truth hit is 0
        ]
        let s = TruthSummary(matches: matches, database: database, truth: truth)
        XCTAssertEqual(s.filters, 5)
        XCTAssertEqual(s.matchFraction, 1.0 / 5)          // filter 1 only
        XCTAssertEqual(s.matchAny, 4.0 / 5)               // all but filter 4
        XCTAssertEqual(s.matchFractionAnyHit, 3.0 / 5)    // filters 1, 2 and 5
        XCTAssertEqual(s.coverage, 1.0 / 3)               // truth 0
        XCTAssertEqual(s.coverageAnyHit, 2.0 / 3)         // truth 0 (filters 1, 5) and 1 (filter 2)
        XCTAssertEqual(s.recovered, ["M0"])
    }

    func testTruthMissingFromTheDatabaseIsAppendedAndFoundByName() {
        let database = [Motif(id: "MA0001.1", name: "Foo", probabilities: [[1, 0, 0, 0]]),
                        Motif(id: "MA0002.1", name: "Bar", probabilities: [[0, 1, 0, 0]])]
        let truth = [Motif(id: "X1", name: "FOO", probabilities: [[1, 0, 0, 0]]),
                     Motif(id: "X2", name: "Baz", probabilities: [[0, 0, 1, 0]])]
        let (motifs, index) = databaseWithTruth(database, truth: truth)
        XCTAssertEqual(motifs.map(\.id), ["MA0001.1", "MA0002.1", "X2"])
        XCTAssertEqual(index, [0, 2])
    }
}
