@testable import NeuralNet
import TestSupport
import XCTest

/// The pass workspace of this file's forward and backward passes (tests run one at a time).
nonisolated(unsafe) private let testPasses = PassWorkspace()

/// Fast kernels against their naive twins, and the reverse-complement symmetries.
final class KernelTests: XCTestCase {
    func testIm2colConvolutionMatchesNaiveLoops() {
        var rng = NetRandom(seed: 5)
        for (k, cin, cout, padding) in [(15, 4, 16, Padding.valid), (14, 32, 16, .valid), (19, 4, 32, .same), (4, 3, 2, .same)] {
            let conv = Conv1D(name: "c", kernelSize: k, inChannels: cin, outChannels: cout, padding: padding)
            conv.initialise(&rng)
            for i in conv.bias!.values.indices { conv.bias!.values[i] = rng.uniform(1) }
            var x = Tensor(shape: [3, 60, cin])
            for i in x.data.indices { x.data[i] = rng.uniform(1) }
            let fast = conv.forward(x, training: false, workspace: testPasses)
            let naive = naiveConv1D(x, w: Array(conv.weight.values), b: Array(conv.bias!.values), k: k, cout: cout, padding: padding)
            XCTAssertEqual(fast.shape, naive.shape)
            for i in fast.data.indices { XCTAssertEqual(fast.data[i], naive.data[i], accuracy: 1e-4) }
        }
    }

    func testDirectAndGemmConvolutionsMatchNaiveLoops() {
        var rng = NetRandom(seed: 6)
        let saved = Conv1D.useDirectKernel
        defer { Conv1D.useDirectKernel = saved }
        // Channel counts around the 16-wide panels, row counts around the 6-row tiles and the
        // 512-row blocks, fused epilogues included.
        for (k, cin, cout, l, padding) in [(14, 32, 32, 973, Padding.valid), (5, 124, 124, 40, .same), (7, 48, 96, 30, .valid),
                                           (3, 8, 5, 13, .valid), (14, 16, 17, 520, .same)] {
            let conv = Conv1D(name: "c", kernelSize: k, inChannels: cin, outChannels: cout, padding: padding)
            conv.initialise(&rng)
            for i in conv.bias!.values.indices { conv.bias!.values[i] = rng.uniform(1) }
            var x = Tensor(shape: [2, l, cin])
            for i in x.data.indices { x.data[i] = rng.uniform(1) }
            let naive = naiveConv1D(x, w: Array(conv.weight.values), b: Array(conv.bias!.values), k: k, cout: cout, padding: padding)
            let scale = (0..<cout).map { _ in rng.uniform(1) }, shift = (0..<cout).map { _ in rng.uniform(1) }
            for direct in [false, true] {
                Conv1D.useDirectKernel = direct
                let fast = conv.forward(x, training: true, workspace: testPasses)
                XCTAssertEqual(fast.shape, naive.shape)
                var worst: Float = 0
                for i in fast.data.indices { worst = max(worst, abs(fast.data[i] - naive.data[i])) }
                XCTAssertLessThanOrEqual(worst, 1e-4, "k \(k) cin \(cin) cout \(cout) direct \(direct)")
                let fused = conv.inferFused(x, epilogue: .init(scale: scale, shift: shift, activation: .relu))
                worst = 0
                for i in fused.data.indices {
                    let o = i % cout
                    worst = max(worst, abs(fused.data[i] - max(0, naive.data[i] * scale[o] + shift[o])))
                }
                XCTAssertLessThanOrEqual(worst, 1e-4, "fused, direct \(direct)")
            }
        }
    }

    func testRCConvolutionIsEquivariant() {
        var rng = NetRandom(seed: 6)
        for padding in [Padding.valid, .same] {
            let conv = RCConv1D(name: "r", kernelSize: 7, inChannels: 4, filters: 5, padding: padding)
            conv.initialise(&rng)
            for i in conv.bias!.values.indices { conv.bias!.values[i] = rng.uniform(1) }
            var x = Tensor(shape: [2, 31, 4])
            for i in x.data.indices { x.data[i] = rng.uniform(1) }
            let y = conv.forward(x, training: false, workspace: testPasses)
            let yrc = conv.forward(x.reverseComplemented(), training: false, workspace: testPasses)
            let expected = y.reverseComplemented()
            // 'same' with an odd kernel pads symmetrically, so both paddings are exact.
            for i in expected.data.indices { XCTAssertEqual(yrc.data[i], expected.data[i], accuracy: 1e-5) }
        }
    }

    /// Debiased running statistics equal the momentum-weighted average of the batch statistics
    /// alone, sum_i (1-m) m^(t-i) x_i / (1 - m^t) (the variance as Keras 2.2 feeds it, scaled
    /// by n / (n - 1 - epsilon)), written out in Double; the plain moving
    /// average keeps m^t of its start (mean 0, variance 1).
    func testDebiasedBatchNormStatistics() {
        var rng = NetRandom(seed: 11)
        let debiased = BatchNorm(name: "d", channels: 2), plain = BatchNorm(name: "p", channels: 2)
        var means: [[Double]] = [], variances: [[Double]] = []
        for t in 1...30 {
            var x = Tensor(shape: [4, 5, 2])
            for i in x.data.indices { x.data[i] = 3 + rng.uniform(0.4) * Float(1 + t % 3) }
            // The batch statistics (population variance), per channel.
            let rows = x.data.count / 2
            let m = (0..<2).map { c in (0..<rows).reduce(0.0) { $0 + Double(x.data[$1 * 2 + c]) } / Double(rows) }
            let v = (0..<2).map { c in (0..<rows).reduce(0.0) { $0 + pow(Double(x.data[$1 * 2 + c]) - m[c], 2) } / Double(rows) }
            means.append(m)
            variances.append(v)
            debiased.debiasStep = t
            _ = debiased.forward(x, training: true, workspace: PassWorkspace())
            _ = plain.forward(x, training: true, workspace: PassWorkspace())
        }
        let mom = 0.99, t = means.count, norm = 1 - pow(mom, Double(t))
        for c in 0..<2 {
            let m = (0..<t).reduce(0.0) { $0 + (1 - mom) * pow(mom, Double(t - 1 - $1)) * means[$1][c] } / norm
            // Keras 2.2 feeds the unbiased variance, times n / (n - 1 - epsilon), n = 20 rows.
            let v = (0..<t).reduce(0.0) { $0 + (1 - mom) * pow(mom, Double(t - 1 - $1)) * variances[$1][c] * 20 / (19 - 1e-3) } / norm
            XCTAssertEqual(Double(debiased.runningMean.values[c]), m, accuracy: 1e-4 * m)
            XCTAssertEqual(Double(debiased.runningVar.values[c]), v, accuracy: 1e-4 * v)
            // The plain average is still 74% its starting mean 0 after 30 updates.
            XCTAssertEqual(Double(plain.runningMean.values[c]), m * norm, accuracy: 1e-3 * m)
        }
    }

    func testRCBatchNormIsEquivariant() {
        var rng = NetRandom(seed: 7)
        let bn = BatchNorm(name: "b", channels: 8, reverseComplement: true)
        for i in 0..<4 { bn.gamma.values[i] = 1 + rng.uniform(0.5); bn.beta.values[i] = rng.uniform(0.5) }
        var x = Tensor(shape: [3, 9, 8])
        for i in x.data.indices { x.data[i] = rng.uniform(2) }
        // Training statistics pool both strands, so a batch and its reverse complement agree.
        let y = bn.forward(x, training: true, workspace: testPasses)
        let yrc = bn.forward(x.reverseComplemented(), training: true, workspace: testPasses)
        let expected = y.reverseComplemented()
        for i in expected.data.indices { XCTAssertEqual(yrc.data[i], expected.data[i], accuracy: 1e-4) }
    }

    func testBinaryCrossEntropyMatchesDefinition() {
        let loss = BinaryCrossEntropy()
        let z = Tensor(shape: [2, 2], data: [0.5, -2, 30, -30])
        let y: [Float] = [1, 0, 1, 0]
        let (value, grad) = loss(logits: z, labels: y)
        let p: [Double] = z.data.map { (v: Float) -> Double in 1 / (1 + exp(-Double(v))) }
        var total = 0.0
        for i in 0..<4 {
            let q = min(max(p[i], 1e-300), 1 - 1e-16)
            total -= Double(y[i]) * log(q) + (1 - Double(y[i])) * log(1 - q)
        }
        // For z = 30 the exact loss is log1p(exp(-30)) ~ 9.4e-14; the clamp only affects that tail.
        let expected = total / 4
        XCTAssertEqual(Double(value), expected, accuracy: 1e-5)
        for i in 0..<4 { XCTAssertEqual(Double(grad.data[i]), (p[i] - Double(y[i])) / 4, accuracy: 1e-6) }
    }

    func testAdamMatchesTheUpdateRule() {
        let p = Parameter(name: "w", shape: [2])
        p.assign([1, -1])
        let adam = Adam(learningRate: 0.1)
        p.gradient[0] = 0.5
        p.gradient[1] = -2
        adam.update([p])
        // First step: m/(1-b1) = g, v/(1-b2) = g^2, so the step is lr * g / (|g| + eps).
        XCTAssertEqual(p.values[0], 1 - 0.1, accuracy: 1e-5)
        XCTAssertEqual(p.values[1], -1 + 0.1, accuracy: 1e-5)
    }
}
