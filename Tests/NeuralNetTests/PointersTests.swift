@testable import NeuralNet
import XCTest

/// `withPointers`: arrays lent in order, read-only before `writing:`, mutably after it; empty
/// arrays are lent too (a placeholder address where the buffer has none, never a force-unwrap).
final class PointersTests: XCTestCase {
    func testArraysAreLentInOrderAndWritesLand() {
        let a: [Float] = [1, 2], b: [Int32] = [3], c: [Float] = [4, 5, 6]
        var w = [Float](repeating: 0, count: 3), v = [UInt8](repeating: 0, count: 2)
        withPointers(a, b, writing: &w) { ap, bp, wp in wp[0] = ap[1] + Float(bp[0]) }
        XCTAssertEqual(w, [5, 0, 0])
        withPointers(c, writing: &w, &v) { cp, wp, vp in wp[1] = cp[2]; vp[1] = 7 }
        XCTAssertEqual(w, [5, 6, 0])
        XCTAssertEqual(v, [0, 7])
        withPointers(a, b, c, writing: &w) { ap, _, cp, wp in wp[2] = ap[0] + cp[0] }
        XCTAssertEqual(w, [5, 6, 5])
        withPointers(a, b, c, writing: &w, &v) { _, bp, _, wp, vp in wp[0] = Float(bp[0]); vp[0] = 9 }
        XCTAssertEqual(w, [3, 6, 5])
        XCTAssertEqual(v, [9, 7])
    }

    func testEmptyArraysAreLentWithoutATrap() {
        let empty: [Float] = []
        var out: [Float] = [], more: [Int32] = []
        XCTAssertTrue(withPointers(empty, empty, writing: &out) { _, _, _ in true })
        XCTAssertTrue(withPointers(empty, empty, empty, writing: &out, &more) { _, _, _, _, _ in true })
        XCTAssertEqual(out, [])
    }
}
