import CKernels
@testable import NeuralNet
import TestSupport
import XCTest

/// The many-channel convolution's backward pass, on the direct kernel (at every kernel level the
/// machine supports) and on shifted GEMMs, against naive loops; the direct path's gradients are
/// the same bits at one and two threads.
final class ConvBackwardTests: XCTestCase {
    private var savedLevel: Int32 = 0
    private var savedDirect = true
    override func setUp() { savedLevel = crick_kernel_level(); savedDirect = Conv1D.useDirectKernel }
    override func tearDown() {
        _ = crick_set_kernel_level(savedLevel)
        Conv1D.useDirectKernel = savedDirect
        RCConv1D.useFold = true
        setBLASThreads(1)
    }

    /// dx (B, L, Cin) and dW (k, Cin, Cout) of y[i][t][o] = sum_j,c x[i][t + j - pad][c] w[j][c][o].
    private func naive(_ x: Tensor, _ dy: Tensor, w: [Float], k: Int, cout: Int, pad: Int) -> (dx: [Float], dW: [Float]) {
        let (b, l, cin) = (x.shape[0], x.shape[1], x.shape[2]), lout = dy.shape[1]
        var dx = [Float](repeating: 0, count: b * l * cin), dW = [Float](repeating: 0, count: k * cin * cout)
        for i in 0..<b {
            for t in 0..<lout {
                for j in 0..<k {
                    let s = t + j - pad
                    guard s >= 0 && s < l else { continue }
                    for c in 0..<cin {
                        for o in 0..<cout {
                            let g = dy.data[(i * lout + t) * cout + o]
                            dx[(i * l + s) * cin + c] += g * w[(j * cin + c) * cout + o]
                            dW[(j * cin + c) * cout + o] += g * x.data[(i * l + s) * cin + c]
                        }
                    }
                }
            }
        }
        return (dx, dW)
    }

    private func random(_ shape: [Int], _ rng: inout NetRandom) -> Tensor {
        var t = Tensor(shape: shape)
        for i in t.data.indices { t.data[i] = rng.uniform(1) }
        return t
    }

    /// One backward pass: dx and the weight gradient (the bias gradient appended).
    private func backward(_ conv: Conv1D, _ x: Tensor, _ dy: Tensor) -> (dx: [Float], dW: [Float]) {
        let passes = PassWorkspace()
        conv.weight.zeroGradient()
        conv.bias?.zeroGradient()
        _ = conv.forward(x, training: true, workspace: passes)
        let dx = conv.backward(dy, workspace: passes)
        return (dx.data, Array(conv.weight.gradient) + (conv.bias.map { Array($0.gradient) } ?? []))
    }

    /// x reverse-complemented in the RC layout: positions reversed, channel c to Cin-1-c.
    private func reverseComplement(_ x: Tensor) -> Tensor {
        let (b, l, c) = (x.shape[0], x.shape[1], x.shape[2])
        var r = Tensor(shape: x.shape)
        for i in 0..<b { for t in 0..<l { for j in 0..<c { r.data[(i * l + t) * c + j] = x.data[(i * l + l - 1 - t) * c + c - 1 - j] } } }
        return r
    }

    /// The folded RC convolution (half the multiply-adds) against the 2F-channel one: forward,
    /// fused inference, dx, dW and db, over tile and panel edges, odd and even widths, both
    /// paddings, at every kernel level.
    func testFoldedRCConvolutionMatchesTheTwoStrandPasses() {
        var rng = NetRandom(seed: 33)
        let levels = Array(Int32(CRICK_KERNELS_AVX2)...max(Int32(CRICK_KERNELS_AVX2), crick_kernel_support()))
        let shapes: [(Int, Int, Int, Int, Int, Padding)] = [(2, 60, 32, 16, 14, .valid), (3, 41, 8, 3, 4, .same),
                                                             (1, 300, 130, 33, 11, .valid), (2, 77, 20, 17, 7, .same),
                                                             (2, 9, 64, 64, 1, .valid), (1, 150, 12, 40, 21, .valid)]
        for (b, l, cin, f, k, padding) in shapes {
            let conv = RCConv1D(name: "r", kernelSize: k, inChannels: cin, filters: f, padding: padding)
            conv.initialise(&rng)
            for i in conv.bias!.values.indices { conv.bias!.values[i] = rng.uniform(0.5) }
            let x = random([b, l, cin], &rng)
            let lout = padding == .valid ? l - k + 1 : l
            let dy = random([b, lout, 2 * f], &rng)
            let epilogue = Conv1D.Epilogue(scale: (0..<(2 * f)).map { Float($0 % 5) * 0.25 + 0.5 }, shift: (0..<(2 * f)).map { Float($0 % 3) - 1 },
                                           activation: .relu)
            Conv1D.useDirectKernel = true
            RCConv1D.useFold = false
            let plainY = conv.infer(x), plainFused = conv.inferFused(x, epilogue: epilogue), plain = backward(conv, x, dy)
            RCConv1D.useFold = true
            let tolerance = 1e-4 * Float(k * cin).squareRoot() * Float(b * l).squareRoot()
            let what = "shape \((b, l, cin, f, k, padding))"
            var byLevel: [[Float]] = []
            for level in levels where crick_kernel_support() >= level {
                _ = crick_set_kernel_level(level)
                let y = conv.infer(x), fused = conv.inferFused(x, epilogue: epilogue), folded = backward(conv, x, dy)
                byLevel.append(y.data + folded.dx + folded.dW)
                XCTAssertLessThanOrEqual(zip(y.data, plainY.data).map { abs($0 - $1) }.max() ?? 0, 2e-5 * Float(k * cin).squareRoot(), "y, \(what)")
                XCTAssertLessThanOrEqual(zip(fused.data, plainFused.data).map { abs($0 - $1) }.max() ?? 0, 2e-5 * Float(k * cin).squareRoot(), "fused, \(what)")
                XCTAssertLessThanOrEqual(zip(folded.dx, plain.dx).map { abs($0 - $1) }.max() ?? 0, tolerance, "dx, \(what)")
                XCTAssertLessThanOrEqual(zip(folded.dW, plain.dW).map { abs($0 - $1) }.max() ?? 0, tolerance, "dW, \(what)")
                XCTAssertEqual(folded.dW.count, plain.dW.count)
            }
            // AVX2 and AVX-512 give the same bits (the fold's rows and the kernel's FMA chains).
            if byLevel.count == 2 { XCTAssertEqual(byLevel[0], byLevel[1], "AVX2 and AVX-512 differ, \(what)") }
        }
    }

    /// The fold's rows written in panels equal the plain fold's rows packed, at every level.
    func testFoldInPanelsEqualsFoldThenPack() {
        var rng = NetRandom(seed: 35)
        for (cin, k, rows) in [(32, 14, 64), (64, 3, 17), (20, 7, 5), (130, 11, 3)] {
            let x = (0..<((rows + k - 1) * cin)).map { _ in rng.uniform(1) }
            let kh = k * cin / 2, panels = (kh + 15) / 16
            var s = [Float](repeating: 0, count: rows * kh), d = s
            crick_rc_fold(x, cin, k, rows, &s, &d)
            var ps = [Float](repeating: .nan, count: panels * rows * 16), pd = ps
            crick_pack_panels(s, rows, kh, &ps)
            crick_pack_panels(d, rows, kh, &pd)
            for level in Array(Int32(CRICK_KERNELS_GENERIC)...crick_kernel_support()) {
                _ = crick_set_kernel_level(level)
                var fs = [Float](repeating: .nan, count: panels * rows * 16), fd = fs
                crick_rc_fold_panels(x, cin, k, rows, &fs, &fd)
                XCTAssertEqual(fs, ps, "sums, level \(level), cin \(cin) k \(k)")
                XCTAssertEqual(fd, pd, "differences, level \(level), cin \(cin) k \(k)")
            }
        }
    }

    /// The folded pass gives the reverse complement's outputs as the same bits reversed.
    func testFoldedRCConvolutionIsExactlyEquivariant() {
        var rng = NetRandom(seed: 34)
        Conv1D.useDirectKernel = true
        for (cin, f, k) in [(32, 16, 14), (130, 33, 11), (8, 3, 4)] {
            let conv = RCConv1D(name: "r", kernelSize: k, inChannels: cin, filters: f, padding: .valid)
            conv.initialise(&rng)
            for i in conv.bias!.values.indices { conv.bias!.values[i] = rng.uniform(0.5) }
            let x = random([2, 90, cin], &rng)
            let y = conv.infer(x), yr = conv.infer(reverseComplement(x))
            XCTAssertEqual(reverseComplement(yr).data, y.data, "cin \(cin) f \(f) k \(k)")
        }
    }

    func testDirectAndGemmBackwardMatchNaiveLoops() {
        var rng = NetRandom(seed: 31)
        let levels = Array(Int32(CRICK_KERNELS_GENERIC)...crick_kernel_support())
        // (batch, length, Cin, Cout, k, padding): tiles of 12/6/1-5 rows, panels of 16 channels,
        // and more rows than one 1024-row block.
        let shapes: [(Int, Int, Int, Int, Int, Padding)] = [(2, 40, 32, 32, 14, .valid), (3, 25, 9, 5, 4, .same),
                                                             (1, 1300, 16, 48, 3, .valid), (2, 700, 13, 17, 7, .same),
                                                             (4, 30, 64, 8, 1, .valid), (1, 12, 8, 33, 12, .valid)]
        for (b, l, cin, cout, k, padding) in shapes {
            let conv = Conv1D(name: "c", kernelSize: k, inChannels: cin, outChannels: cout, padding: padding)
            conv.initialise(&rng)
            let x = random([b, l, cin], &rng)
            let lout = padding == .valid ? l - k + 1 : l
            let dy = random([b, lout, cout], &rng)
            let truth = naive(x, dy, w: Array(conv.weight.values), k: k, cout: cout, pad: padding == .valid ? 0 : conv.padLeft)
            let tolerance = 2e-4 * Float(k * max(cin, cout)).squareRoot() * Float(b * l).squareRoot()
            var paths: [(String, (dx: [Float], dW: [Float]))] = []
            Conv1D.useDirectKernel = false
            paths.append(("gemm", backward(conv, x, dy)))
            Conv1D.useDirectKernel = true
            for level in levels {
                _ = crick_set_kernel_level(level)
                paths.append(("direct level \(level)", backward(conv, x, dy)))
            }
            for (name, got) in paths {
                let dxWorst = zip(got.dx, truth.dx).map { abs($0 - $1) }.max() ?? 0
                let dWWorst = zip(got.dW, truth.dW).map { abs($0 - $1) }.max() ?? 0
                XCTAssertLessThanOrEqual(dxWorst, tolerance, "\(name) dx, shape \((b, l, cin, cout, k, padding))")
                XCTAssertLessThanOrEqual(dWWorst, tolerance, "\(name) dW, shape \((b, l, cin, cout, k, padding))")
            }
        }
    }

    func testDirectBackwardIsTheSameAtAnyThreadCount() {
        var rng = NetRandom(seed: 32)
        Conv1D.useDirectKernel = true
        let conv = RCConv1D(name: "r", kernelSize: 14, inChannels: 32, filters: 16, padding: .valid)
        conv.initialise(&rng)
        let x = random([3, 1000, 32], &rng), dy = random([3, 987, 32], &rng)
        for fold in [true, false] {
            RCConv1D.useFold = fold
            setBLASThreads(1)
            let one = backward(conv, x, dy)
            setBLASThreads(2)
            let two = backward(conv, x, dy)
            XCTAssertEqual(one.dx, two.dx, "fold \(fold)")
            XCTAssertEqual(one.dW, two.dW, "fold \(fold)")
            XCTAssertTrue(one.dW.contains { $0 != 0 })
        }
    }
}

/// A training step's backward pass (no input gradient for the first convolution) adds the
/// parameter gradients of the full backward pass, bit for bit (presets without dropout, so both
/// forward passes are the same).
final class TrainingBackwardTests: XCTestCase {
    func testTrainingBackwardGivesTheFullPassGradients() throws {
        var rng = NetRandom(seed: 36)
        for (preset, strand) in [("chip", StrandMode.rc), ("chip", .standard), ("zhou-sim", .rc)] {
            let model = try Model(try Architecture.preset(preset, outputs: 2, strand: strand), seed: 3)
            let length = model.architecture.inputLength
            var x = Tensor(shape: [3, length, 4])
            for i in 0..<(3 * length) { x.data[i * 4 + Int(rng.next() % 4)] = 1 }
            var dLogits = Tensor(shape: [3, 2])
            for i in dLogits.data.indices { dLogits.data[i] = rng.uniform(1) }
            func gradients(_ pass: (Tensor, PassWorkspace) -> Void) -> [[Float]] {
                let passes = PassWorkspace()
                for p in model.parameters { p.zeroGradient() }
                _ = model.forward(x, training: true, workspace: passes)
                pass(dLogits, passes)
                return model.parameters.map { Array($0.gradient) }
            }
            let full = gradients { model.backward($0, workspace: $1) }
            let training = gradients { model.trainingBackward($0, workspace: $1) }
            XCTAssertEqual(full, training, "\(preset) \(strand)")
            XCTAssertTrue(full.joined().contains { $0 != 0 })
        }
    }
}
