import XCTest
import TestSupport
import Dataset
@testable import Interpret

final class MotifComparisonTests: XCTestCase {
    let jaspar = packageRoot + "/Pipelines/data/motifs/JASPAR2024_CORE_vertebrates_non-redundant.meme"

    func testAMotifMatchesItselfAndItsReverseComplementBest() throws {
        let db = try MotifFile.read(path: jaspar)
        let comparison = MotifComparison(database: db)
        var rng = TestRNG(seed: 4)
        let picks = (0..<6).map { _ in Int.random(in: 0..<db.count, using: &rng) }
        let queries = picks.map { db[$0] } + picks.map { db[$0].reverseComplement }
        let results = comparison.compare(queries)
        for (k, list) in results.enumerated() {
            let target = picks[k % picks.count]
            let best = try XCTUnwrap(list.first)
            let selfMatch = try XCTUnwrap(list.first { $0.target == target })
            XCTAssertEqual(selfMatch.pValue, best.pValue, "the motif itself has the smallest p (\(db[target].id))")
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
        for list in MotifComparison(database: db).compare(queries) {
            XCTAssertGreaterThan(list.first?.eValue ?? 0, 0.1)
        }
    }

    func testPValuesAreUniformishUnderTheNull() throws {
        // Database motifs compared with shuffled-column copies of other database motifs: few
        // small p-values beyond what chance gives.
        let db = try MotifFile.read(path: jaspar)
        var rng = TestRNG(seed: 2)
        let queries = (0..<20).map { _ -> Motif in
            var m = db[Int.random(in: 0..<db.count, using: &rng)]
            m.probabilities = m.probabilities.map { $0.shuffled(using: &rng) }
            return m
        }
        let results = MotifComparison(database: db).compare(queries)
        let all = results.flatMap { $0.map(\.pValue) }
        let small = all.filter { $0 < 0.01 }.count
        XCTAssertLessThan(Double(small) / Double(all.count), 0.03, "p < 0.01 in \(small) of \(all.count)")
    }
}
