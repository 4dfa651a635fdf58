import Dispatch
import Foundation
@testable import NeuralNet
import XCTest

/// One model serves every inference thread (`Layer.infer` keeps no state), and a model's
/// parameters live in one arena of values and one of gradients.
final class SharedModelTests: XCTestCase {
    private func sequences(_ n: Int, _ length: Int, seed: UInt64) -> Tensor { ModelTests.sequences(n, length, seed: seed) }

    /// Batch-norm statistics moved off their defaults so that they matter.
    private func perturb(_ model: Model) {
        for layer in model.layers {
            guard let bn = layer as? BatchNorm else { continue }
            for i in 0..<bn.gamma.count {
                bn.runningMean.values[i] = 0.07 * Float(i % 5) - 0.1
                bn.runningVar.values[i] = 0.6 + 0.15 * Float(i % 4)
                bn.gamma.values[i] = 0.9 + 0.04 * Float(i % 6)
            }
        }
    }

    /// Every layer's `infer` gives the bits of `forward(x, training: false)`.
    func testInferEqualsInferenceForwardBitForBit() throws {
        for preset in Architecture.presetNames {
            for strand in StrandMode.allCases {
                let arch = try Architecture.preset(preset, outputs: 2, strand: strand, firstActivation: .exponential)
                let model = try Model(arch, seed: 5)
                perturb(model)
                var a = sequences(6, arch.inputLength, seed: 3), b = a
                let ws = PassWorkspace()
                for layer in model.layers {
                    a = layer.forward(a, training: false, workspace: ws)
                    b = layer.infer(b)
                    XCTAssertEqual(a.shape, b.shape, "\(preset) \(strand) \(layer.kind)")
                    XCTAssertEqual(a.data.map(\.bitPattern), b.data.map(\.bitPattern), "\(preset) \(strand) \(layer.kind)")
                }
            }
        }
    }

    /// Eight threads predicting on one model at once give, each, the bits of a serial pass.
    func testOneModelServesConcurrentThreads() throws {
        for preset in ["chip", "koo-cnn2"] {
            for strand in StrandMode.allCases {
                let arch = try Architecture.preset(preset, outputs: 2, strand: strand, firstActivation: .relu)
                let model = try Model(arch, seed: 9)
                perturb(model)
                let inputs = (0..<8).map { sequences(5, arch.inputLength, seed: UInt64(20 + $0)) }
                let serial = inputs.map { model.predict($0).data.map(\.bitPattern) }
                let results = Results(count: inputs.count), shared = Shared(model)
                DispatchQueue.concurrentPerform(iterations: inputs.count * 3) { i in
                    let k = i % inputs.count
                    results.set(k, shared.model.predict(inputs[k]).data.map(\.bitPattern))
                }
                for k in inputs.indices { XCTAssertEqual(results.get(k), serial[k], "\(preset) \(strand) input \(k)") }
            }
        }
    }

    /// Interleaved passes in two workspaces on one model give each pass's own gradients: the
    /// layers keep no pass state.
    func testPassesInTwoWorkspacesDoNotMix() throws {
        for strand in StrandMode.allCases {
            let arch = try Architecture.preset("chip", outputs: 2, strand: strand, firstActivation: .exponential)
            let model = try Model(arch, seed: 4)
            perturb(model)
            let x1 = sequences(3, arch.inputLength, seed: 41), x2 = sequences(3, arch.inputLength, seed: 42)
            func alone(_ x: Tensor) -> [UInt32] {
                let ws = PassWorkspace()
                let y = model.forward(x, training: false, workspace: ws)
                return model.backward(Tensor(shape: y.shape, value: 1), workspace: ws).data.map(\.bitPattern)
            }
            let (e1, e2) = (alone(x1), alone(x2))
            let a = PassWorkspace(), b = PassWorkspace()
            let y1 = model.forward(x1, training: false, workspace: a)
            let y2 = model.forward(x2, training: false, workspace: b)
            XCTAssertEqual(model.backward(Tensor(shape: y1.shape, value: 1), workspace: a).data.map(\.bitPattern), e1, "\(strand)")
            XCTAssertEqual(model.backward(Tensor(shape: y2.shape, value: 1), workspace: b).data.map(\.bitPattern), e2, "\(strand)")
        }
    }

    /// Input-gradient passes (attribution) on one model from eight threads, each with its own
    /// workspace, equal serial passes, and leave the model's values and gradients untouched.
    func testInputGradientPassesShareOneModel() throws {
        let arch = try Architecture.preset("chip", outputs: 1, strand: .rc, firstActivation: .relu)
        let model = try Model(arch, seed: 6)
        perturb(model)
        let values = Array(model.arena.values)
        let inputs = (0..<8).map { sequences(2, arch.inputLength, seed: UInt64(60 + $0)) }
        func gradient(_ x: Tensor) -> [UInt32] {
            let ws = PassWorkspace(parameterGradients: false)
            let y = model.forward(x, training: false, workspace: ws)
            return model.backward(Tensor(shape: y.shape, value: 1), workspace: ws).data.map(\.bitPattern)
        }
        let serial = inputs.map(gradient)
        let results = Results(count: inputs.count), shared = Shared(model)
        DispatchQueue.concurrentPerform(iterations: inputs.count) { k in
            let ws = PassWorkspace(parameterGradients: false)
            let y = shared.model.forward(inputs[k], training: false, workspace: ws)
            results.set(k, shared.model.backward(Tensor(shape: y.shape, value: 1), workspace: ws).data.map(\.bitPattern))
        }
        for k in inputs.indices { XCTAssertEqual(results.get(k), serial[k], "input \(k)") }
        XCTAssertEqual(Array(model.arena.values), values)
        XCTAssertTrue(model.arena.gradients.allSatisfy { $0 == 0 })
    }

    /// Parameters are consecutive ranges of the model's arena; zeroing is one fill; the
    /// best-weights copy of training restores every parameter.
    func testParametersLiveInOneArena() throws {
        let model = try Model(try Architecture.preset("chip", outputs: 1, strand: .rc), seed: 2)
        var at = 0
        for p in model.parameters {
            XCTAssertTrue(p.arena === model.arena, p.name)
            XCTAssertEqual(p.offset, at, p.name)
            at += p.count
        }
        XCTAssertEqual(at, model.arena.count)
        for p in model.parameters where p.trainable { p.gradient.update(repeating: 0.5) }
        model.zeroGradients()
        XCTAssertTrue(model.arena.gradients.allSatisfy { $0 == 0 })
        let trainer = Trainer(model: model, options: TrainingOptions())
        let before = Array(model.arena.values)
        for p in model.parameters { p.values.update(repeating: 3) }
        XCTAssertNotEqual(Array(model.arena.values), before)
        trainer.restoreBest()
        XCTAssertEqual(Array(model.arena.values), before)
    }
}

/// The model handed to the threads (its inference keeps no state).
private final class Shared: @unchecked Sendable {
    let model: Model
    init(_ model: Model) { self.model = model }
}

/// Per-index results written by concurrent threads (under a lock).
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[UInt32]]
    init(count: Int) { values = Array(repeating: [], count: count) }
    func set(_ i: Int, _ v: [UInt32]) { lock.lock(); values[i] = v; lock.unlock() }
    func get(_ i: Int) -> [UInt32] { lock.lock(); defer { lock.unlock() }; return values[i] }
}
