@testable import NeuralNet
import XCTest

/// The strand bookkeeping of `LayerList.build`: which maps pair channels c and C-1-c, and
/// which RC head a dense layer must be.
final class RCMappingTests: XCTestCase {
    func testFlattenOfAnRCMapIsAbsorbedByTheHead() throws {
        var m = RCMapping(strand: .rc)
        XCTAssertTrue(try m.convolutionIsRC())
        XCTAssertTrue(m.isRCMap([10, 8]))
        XCTAssertFalse(m.isRCMap([80]))
        XCTAssertTrue(m.absorbsFlatten([10, 8]))
        XCTAssertTrue(m.pairsChannels, "the map keeps its layout until the head")
        XCTAssertEqual(m.denseHead(), .afterFlatten)
        XCTAssertFalse(m.pairsChannels)
        XCTAssertEqual(m.denseHead(), .plain)
        XCTAssertThrowsError(try m.convolutionIsRC())
    }

    func testWeightedSumAndPoolingEndTheRCLayout() {
        var w = RCMapping(strand: .rc)
        XCTAssertTrue(w.weightedSumIsTied())
        XCTAssertFalse(w.pairsChannels)
        XCTAssertEqual(w.denseHead(), .afterWeightedSum)
        XCTAssertEqual(w.denseHead(), .plain)
        var g = RCMapping(strand: .rc)
        XCTAssertTrue(g.needsSumPoolBeforeGlobalPool([10, 8]))
        XCTAssertFalse(g.needsSumPoolBeforeGlobalPool([10, 8]))
        var r = RCMapping(strand: .rc)
        r.rcSumPool()
        XCTAssertFalse(r.isRCMap([10, 8]))
    }

    func testStandardAndConjoinedModelsNeverPairChannels() throws {
        for strand in [StrandMode.standard, .conjoined] {
            var m = RCMapping(strand: strand)
            XCTAssertFalse(try m.convolutionIsRC())
            XCTAssertFalse(m.isRCMap([10, 8]))
            XCTAssertFalse(m.absorbsFlatten([10, 8]))
            XCTAssertFalse(m.needsSumPoolBeforeGlobalPool([10, 8]))
            XCTAssertFalse(m.weightedSumIsTied())
            XCTAssertEqual(m.denseHead(), .plain)
        }
    }
}
