import XCTest
import TestSupport
@testable import Genome

/// The coverage builder's radix sort of its events against the standard library's sort.
final class CoverageSortTests: XCTestCase {
    func testRadixSortEqualsSort() {
        var rng = TestRNG(seed: 21)
        for count in [0, 1, 63, 64, 65, 1000, 100_000] {
            for magnitude in [1, 2_048, 1 << 22, 1 << 40, 1 << 61] {
                let values = (0..<count).map { _ in Int(rng.next() % UInt64(magnitude)) }
                XCTAssertEqual(CoverageBuilder.radixSorted(values), values.sorted(), "count \(count), below \(magnitude)")
            }
        }
        // Many ties, and the events of one contig as the builder makes them.
        let ties = (0..<5000).map { _ in Int(rng.next() % 7) << 1 | Int(rng.next() % 2) }
        XCTAssertEqual(CoverageBuilder.radixSorted(ties), ties.sorted())
    }

    func testRunsOfOverlappingIntervals() {
        var b = CoverageBuilder(lengths: [100])
        b.add(contig: 0, start: 10, end: 20)
        b.add(contig: 0, start: 15, end: 30)
        b.add(contig: 0, start: 30, end: 40)
        b.add(contig: 0, start: 90, end: 200)   // clipped at the contig end
        XCTAssertEqual(b.runs(contig: 0).map { [$0.start, $0.end, $0.value] }, [[10, 15, 1], [15, 20, 2], [20, 40, 1], [90, 100, 1]])
    }

    /// One-base sites (5' ends, insertions), counted per position, give the runs the same
    /// sites give as one-base intervals; sites outside the contig add nothing; sites and
    /// intervals on one contig are swept together.
    func testSitesEqualOneBaseIntervals() {
        var rng = TestRNG(seed: 5)
        for count in [0, 1, 50, 5000] {
            var sites = CoverageBuilder(lengths: [300, 40]), spans = CoverageBuilder(lengths: [300, 40])
            for _ in 0..<count {
                let c = Int(rng.next() % 2), p = Int(rng.next() % 360) - 10
                sites.addSite(contig: c, position: p)
                spans.add(contig: c, start: p, end: p + 1)
            }
            for c in 0..<2 {
                XCTAssertEqual(sites.runs(contig: c).map { [$0.start, $0.end, $0.value] }, spans.runs(contig: c).map { [$0.start, $0.end, $0.value] }, "count \(count)")
            }
        }
        var mixed = CoverageBuilder(lengths: [100])
        mixed.add(contig: 0, start: 10, end: 20)
        mixed.addSite(contig: 0, position: 12)
        mixed.addSite(contig: 0, position: 20)
        mixed.addSite(contig: 0, position: 21)
        mixed.addSite(contig: 0, position: 100)
        XCTAssertEqual(mixed.runs(contig: 0).map { [$0.start, $0.end, $0.value] }, [[10, 12, 1], [12, 13, 2], [13, 22, 1]])
    }
}
