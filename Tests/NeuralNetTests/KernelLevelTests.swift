import CKernels
@testable import NeuralNet
import TestSupport
import XCTest

/// The C kernels at every level the machine supports (generic, AVX2, AVX-512, forced with
/// `crick_set_kernel_level`) against naive loops in Swift: the direct convolution over row
/// counts around the 6- and 12-row tiles and channel counts around the 16-wide panels, and the
/// pooling and affine row kernels. The vector levels must agree bit for bit with each other.
final class KernelLevelTests: XCTestCase {
    private var saved: Int32 = 0
    override func setUp() { saved = crick_kernel_level() }
    override func tearDown() { _ = crick_set_kernel_level(saved) }

    private var levels: [Int32] { Array(Int32(CRICK_KERNELS_GENERIC)...crick_kernel_support()) }

    func testEveryLevelTheMachineSupportsIsForced() {
        for level in levels { XCTAssertEqual(crick_set_kernel_level(level), level) }
        // Asking for more than the CPU has gives what it has.
        XCTAssertEqual(crick_set_kernel_level(Int32(CRICK_KERNELS_AVX512) + 1), crick_kernel_support())
        if runningUnderCI { XCTAssertGreaterThanOrEqual(crick_kernel_support(), Int32(CRICK_KERNELS_AVX2), "CI machines have AVX2+FMA") }
    }

    func testDirectConvolutionAtEveryLevelMatchesNaiveLoops() {
        var rng = NetRandom(seed: 11)
        for (k, cout, rows) in [(60, 32, 986), (448, 32, 41), (448, 32, 13), (21, 17, 7), (9, 5, 1), (33, 48, 25), (12, 64, 12), (8, 16, 23)] {
            let stride = 4
            let inputs = (rows - 1) * stride + k
            let a = (0..<inputs).map { _ in rng.uniform(1) }, w = (0..<(k * cout)).map { _ in rng.uniform(1) }
            let panels = (cout + Int(CRICK_PANEL) - 1) / Int(CRICK_PANEL)
            var packed = [Float](repeating: 0, count: panels * k * Int(CRICK_PANEL))
            crick_pack_panels(w, k, cout, &packed)
            var naive = [Float](repeating: 0, count: rows * cout)
            for r in 0..<rows {
                for c in 0..<cout {
                    var s: Float = 0
                    for t in 0..<k { s += a[r * stride + t] * w[t * cout + c] }
                    naive[r * cout + c] = s
                }
            }
            var byLevel: [Int32: [Float]] = [:]
            for level in levels {
                _ = crick_set_kernel_level(level)
                // One guard column past each row: the kernel writes cout values, no more.
                var y = [Float](repeating: .nan, count: rows * (cout + 1))
                crick_conv_direct(a, stride, k, packed, cout, &y, cout + 1, rows)
                var out: [Float] = []
                for r in 0..<rows {
                    out += y[(r * (cout + 1))..<(r * (cout + 1) + cout)]
                    XCTAssertTrue(y[r * (cout + 1) + cout].isNaN, "level \(level) wrote past row \(r)")
                }
                let worst = zip(out, naive).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, 1e-3 * Float(k).squareRoot(), "level \(level) k \(k) cout \(cout) rows \(rows)")
                byLevel[level] = out
            }
            if let avx2 = byLevel[Int32(CRICK_KERNELS_AVX2)], let avx512 = byLevel[Int32(CRICK_KERNELS_AVX512)] {
                XCTAssertEqual(avx2, avx512, "AVX2 and AVX-512 differ: k \(k) cout \(cout) rows \(rows)")
            }
        }
    }

    func testPoolingAndAffineRowsAtEveryLevelMatchTheSwiftLoops() {
        var rng = NetRandom(seed: 12)
        for (rows, c) in [(20, 32), (1, 8), (7, 13), (3, 3)] {
            var src = (0..<(rows * c)).map { _ in rng.uniform(1) }
            src[0] = -0.0
            if src.count > c { src[c] = 0.0 }   // a tie of signed zeros: the later row wins, as in Swift's max
            var expected = Array(src[0..<c])
            for r in 1..<max(rows, 1) { for k in 0..<c { expected[k] = max(expected[k], src[r * c + k]) } }
            let a = (0..<c).map { _ in rng.uniform(2) }, b = (0..<c).map { _ in rng.uniform(1) }
            var affine = src, relu = src
            for i in src.indices { affine[i] = src[i] * a[i % c] + b[i % c]; relu[i] = max(0, affine[i]) }
            for level in levels {
                _ = crick_set_kernel_level(level)
                var dst = [Float](repeating: .nan, count: c)
                crick_pool_max(src, rows, c, &dst)
                XCTAssertEqual(dst.map(\.bitPattern), expected.map(\.bitPattern), "pool, level \(level), \(rows) x \(c)")
                var p = src
                crick_affine_rows(&p, rows, c, a, b, 0)
                XCTAssertEqual(p.map(\.bitPattern), affine.map(\.bitPattern), "affine, level \(level)")
                p = src
                crick_affine_rows(&p, rows, c, a, b, 1)
                XCTAssertEqual(p.map(\.bitPattern), relu.map(\.bitPattern), "affine relu, level \(level)")
            }
        }
    }

    /// Max pooling with argmax at every level against the training loop it replaces: the first
    /// row, then strictly greater values (ties, NaN and signed zeros keep the earlier).
    func testPoolArgmaxAtEveryLevelMatchesTheLoop() {
        var rng = NetRandom(seed: 12)
        for (rows, c) in [(1, 5), (20, 32), (7, 17), (40, 40), (3, 1)] {
            var src = (0..<(rows * c)).map { _ in Float(Int(rng.next() % 7)) - 3 }   // many ties
            if rows > 2 && c > 1 { src[c] = .nan; src[2 * c + 1] = -0.0; src[1] = 0.0 }
            var want = [Float](repeating: 0, count: c), at = [Int32](repeating: 0, count: c)
            for k in 0..<c { want[k] = src[k]; at[k] = 9 }
            for r in 1..<rows { for k in 0..<c where src[r * c + k] > want[k] { want[k] = src[r * c + k]; at[k] = 9 + Int32(r) } }
            for level in levels {
                _ = crick_set_kernel_level(level)
                var got = [Float](repeating: 1, count: c), arg = [Int32](repeating: -1, count: c)
                crick_pool_argmax(src, rows, c, 9, &got, &arg)
                XCTAssertEqual(arg, at, "level \(level) rows \(rows) c \(c)")
                XCTAssertEqual(got.map(\.bitPattern), want.map(\.bitPattern), "level \(level) rows \(rows) c \(c)")
            }
        }
    }
}
