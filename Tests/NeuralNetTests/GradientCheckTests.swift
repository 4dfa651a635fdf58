@testable import NeuralNet
import TestSupport
import XCTest

/// The pass workspace of this file's forward and backward passes (tests run one at a time).
nonisolated(unsafe) private let testPasses = PassWorkspace()

/// Every layer's backward pass against central finite differences of a random linear loss
/// L = sum(y * r), for the input and for every trainable parameter.
final class GradientCheckTests: XCTestCase {
    private func random(_ shape: [Int], _ rng: inout NetRandom, scale: Float = 1) -> Tensor {
        var t = Tensor(shape: shape)
        for i in t.data.indices { t.data[i] = rng.uniform(scale) }
        return t
    }

    /// Checks `layer` at input `x`; `prepare` runs before every forward (to fix dropout masks).
    private func check(_ layer: Layer, _ x: Tensor, training: Bool = true, eps: Float = 1e-2, tolerance: Float = 2e-2,
                       parameters: Bool = true, prepare: () -> Void = {}, file: StaticString = #filePath, line: UInt = #line) {
        var rng = NetRandom(seed: 77)
        prepare()
        let y = layer.forward(x, training: training, workspace: testPasses)
        let r = random(y.shape, &rng)
        func loss(_ input: Tensor) -> Double {
            prepare()
            let out = layer.forward(input, training: training, workspace: testPasses)
            return zip(out.data, r.data).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        for p in layer.parameters { p.zeroGradient() }
        prepare()
        _ = layer.forward(x, training: training, workspace: testPasses)
        let dx = layer.backward(r, workspace: testPasses)
        XCTAssertEqual(dx.shape, x.shape, "dx shape", file: file, line: line)
        func compare(_ numeric: Double, _ analytic: Float, _ what: String) {
            let err = abs(Float(numeric) - analytic)
            XCTAssertLessThanOrEqual(err, tolerance * max(1, abs(analytic), abs(Float(numeric))),
                                     "\(layer.kind) \(what): numeric \(numeric) analytic \(analytic)", file: file, line: line)
        }
        /// (f(v + eps) - f(v - eps)) / 2 eps, setting the value through `set`.
        func centralDifference(_ v: Float, _ set: (Float) -> Void, _ f: () -> Double) -> Double {
            set(v + eps)
            let up = f()
            set(v - eps)
            let down = f()
            set(v)
            return (up - down) / Double(2 * eps)
        }
        var probe = x
        for i in stride(from: 0, to: x.count, by: max(1, x.count / 40)) {
            let numeric = centralDifference(probe.data[i], { probe.data[i] = $0 }, { loss(probe) })
            compare(numeric, dx.data[i], "dx[\(i)]")
        }
        for p in layer.parameters where p.trainable && parameters {
            let grads = Array(p.gradient)
            for i in stride(from: 0, to: p.count, by: max(1, p.count / 20)) {
                let numeric = centralDifference(p.values[i], { p.values[i] = $0 }, { loss(x) })
                compare(numeric, grads[i], "\(p.name)[\(i)]")
            }
        }
    }

    func testConvolutions() {
        var rng = NetRandom(seed: 1)
        for padding in [Padding.valid, .same] {
            let conv = Conv1D(name: "c", kernelSize: 4, inChannels: 3, outChannels: 5, padding: padding)
            conv.initialise(&rng)
            for i in conv.bias!.values.indices { conv.bias!.values[i] = rng.uniform(0.5) }
            check(conv, random([2, 9, 3], &rng))
            let rc = RCConv1D(name: "r", kernelSize: 5, inChannels: 4, filters: 3, padding: padding)
            rc.initialise(&rng)
            check(rc, random([2, 11, 4], &rng))
        }
        // Many input channels take the shifted-GEMM path.
        for padding in [Padding.valid, .same] {
            let wide = Conv1D(name: "w", kernelSize: 4, inChannels: 9, outChannels: 3, padding: padding)
            wide.initialise(&rng)
            for i in wide.bias!.values.indices { wide.bias!.values[i] = rng.uniform(0.5) }
            check(wide, random([2, 8, 9], &rng))
            let wideRC = RCConv1D(name: "wr", kernelSize: 3, inChannels: 8, filters: 2, padding: padding)
            wideRC.initialise(&rng)
            check(wideRC, random([2, 7, 8], &rng))
        }
        let noBias = Conv1D(name: "n", kernelSize: 3, inChannels: 2, outChannels: 2, useBias: false)
        noBias.initialise(&rng)
        check(noBias, random([3, 6, 2], &rng))
    }

    func testBatchNormsInTrainingAndInference() {
        var rng = NetRandom(seed: 2)
        for rcMode in [false, true] {
            let bn = BatchNorm(name: "bn", channels: 6, reverseComplement: rcMode)
            for i in 0..<bn.gamma.count { bn.gamma.values[i] = 1 + rng.uniform(0.5); bn.beta.values[i] = rng.uniform(0.5) }
            check(bn, random([3, 5, 6], &rng, scale: 2), training: true, eps: 5e-3, tolerance: 3e-2)
            // Inference-mode backward gives the input gradient (for attribution), not parameter gradients.
            check(bn, random([3, 5, 6], &rng, scale: 2), training: false, parameters: false)
        }
        XCTAssertEqual(BatchNorm(name: "x", channels: 32, reverseComplement: true).parameters.filter(\.trainable).map(\.count).reduce(0, +), 32)
    }

    func testActivations() {
        var rng = NetRandom(seed: 3)
        for f in ActivationFunction.allCases {
            var x = random([2, 7, 3], &rng, scale: 2)
            if f == .relu || f == .elu { for i in x.data.indices where abs(x.data[i]) < 0.05 { x.data[i] = 0.3 } }
            check(Activation(f), x, eps: 1e-3)
        }
    }

    func testPoolingDenseAndHeads() {
        var rng = NetRandom(seed: 4)
        check(MaxPool1D(pool: 3, stride: 2), random([2, 11, 4], &rng))
        check(MaxPool1D(pool: 4, padding: .same), random([2, 10, 3], &rng))
        check(GlobalPool(.max), random([2, 6, 3], &rng))
        check(GlobalPool(.average), random([2, 6, 3], &rng))
        check(RCSumPool(), random([2, 5, 6], &rng))
        check(Flatten(), random([2, 3, 4], &rng))
        let dense = Dense(name: "d", inFeatures: 12, outFeatures: 3)
        dense.initialise(&rng)
        check(dense, random([4, 12], &rng))
        let head = DenseAfterRevcompConv1D(name: "h", length: 5, channels: 4, outFeatures: 2)
        head.initialise(&rng)
        check(Sequence2([Flatten(), head]), random([3, 5, 4], &rng))
        for tied in [false, true] {
            let ws = WeightedSum1D(name: "w", length: 5, channels: 4, tiedRC: tied)
            for i in ws.weight.values.indices { ws.weight.values[i] = rng.uniform(1) }
            check(ws, random([3, 5, 4], &rng))
        }
        let tiedDense = DenseAfterRevcompWeightedSum(name: "t", channels: 6, outFeatures: 2)
        tiedDense.initialise(&rng)
        check(tiedDense, random([4, 6], &rng))
        let dropout = Dropout(rate: 0.3, seed: 9)
        check(dropout, random([2, 20], &rng), prepare: { dropout.rng = NetRandom(seed: 9) })
    }

    func testProfileHeads() throws {
        var rng = NetRandom(seed: 5)
        for tied in [false, true] {
            // A (13, 6) map; a profile of 5 positions from a kernel of 3 (span 7, margins 3).
            let length = 13
            let head = try ProfileHead(name: "h", length: length, channels: 6, tasks: 2, profileLength: 5, kernel: 3, tiedRC: tied)
            head.initialise(&rng)
            for p in head.parameters where p.name.hasSuffix("bias") { for i in p.values.indices { p.values[i] = rng.uniform(0.5) } }
            check(head, random([3, length, 6], &rng))
            // Bins of 2 over 6 bases, and tasks 0 and 2 the strands of one signal.
            let binned = try ProfileHead(name: "b", length: 14, channels: 6, tasks: 3, profileLength: 3, kernel: 3, tiedRC: tied, bin: 2, pairs: [[0, 2]])
            binned.initialise(&rng)
            for p in binned.parameters where p.name.hasSuffix("bias") { for i in p.values.indices { p.values[i] = rng.uniform(0.5) } }
            check(binned, random([2, 14, 6], &rng))
        }
    }
}

/// Two layers run as one, for checking a head that takes a flattened map.
final class Sequence2: Layer {
    let layers: [Layer]
    init(_ layers: [Layer]) { self.layers = layers }
    var kind: String { layers.map(\.kind).joined(separator: "+") }
    var parameters: [Parameter] { layers.flatMap(\.parameters) }
    func outputShape(_ input: [Int]) throws -> [Int] { try layers.reduce(input) { try $1.outputShape($0) } }
    func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        layers.reduce(x) { $1.forward($0, training: training, workspace: workspace) }
    }
    func infer(_ x: Tensor) -> Tensor { layers.reduce(x) { $1.infer($0) } }
    func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor { layers.reversed().reduce(dy) { $1.backward($0, workspace: workspace) } }
}

