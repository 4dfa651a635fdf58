import Genome
import TestSupport
import XCTest

/// The SIMD base kernels against their naive twins, on every byte value and every length.
final class BaseKernelTests: XCTestCase {
    func testEncodeMatchesNaiveOnAllBytes() {
        var rng = TestRNG(seed: 1)
        for n in [0, 1, 15, 16, 17, 31, 64, 1000, 4099] {
            let bytes = (0..<n).map { i in i < 256 ? UInt8(i) : UInt8(truncatingIfNeeded: rng.next()) }
            var fast = bytes, naive = bytes
            fast.withUnsafeMutableBufferPointer { BaseCode.encode($0) }
            naive.withUnsafeMutableBufferPointer { BaseCode.encodeNaive($0) }
            XCTAssertEqual(fast, naive, "length \(n)")
        }
    }

    func testCountsMatchNaive() {
        var rng = TestRNG(seed: 2)
        for n in [0, 5, 16, 100, 3839, 3840, 3841, 10_000] {
            // Mostly bases, with every other byte value mixed in.
            let bytes: [UInt8] = (0..<n).map { _ in
                let r = rng.next()
                return r % 4 == 0 ? UInt8(truncatingIfNeeded: r >> 8) : Array("ACGTacgtN".utf8)[Int(r >> 8 % 9) % 9]
            }
            var fast = BaseCounts(), naive = BaseCounts()
            bytes.withUnsafeBufferPointer { fast.count($0); naive.countNaive($0) }
            XCTAssertEqual(fast, naive, "length \(n)")
            XCTAssertEqual(fast.acgt + fast.other, n)
        }
    }
}
