import Foundation
@testable import NeuralNet
import TestSupport
import XCTest

/// The pass workspace of this file's forward and backward passes (tests run one at a time).
nonisolated(unsafe) private let testPasses = PassWorkspace()

/// Presets: shapes and parameter counts, RC invariance, and model files.
final class ModelTests: XCTestCase {
    /// Random one-hot sequences with about 2% N (all-zero rows).
    static func sequences(_ n: Int, _ length: Int, seed: UInt64) -> Tensor {
        var rng = NetRandom(seed: seed)
        let codes = (0..<(n * length)).map { _ -> UInt8 in rng.unit() < 0.02 ? 4 : UInt8(rng.next() % 4) }
        return codes.withUnsafeBufferPointer { oneHot(codes: $0, batch: n, length: length) }
    }

    private func sequences(_ n: Int, _ length: Int, seed: UInt64) -> Tensor { Self.sequences(n, length, seed: seed) }

    func testRCAndConjoinedPresetsAreInvariantAtInitialisation() throws {
        for preset in Architecture.presetNames {
            for strand in [StrandMode.rc, .conjoined] {
                let arch = try Architecture.preset(preset, outputs: 3, strand: strand, firstActivation: .exponential)
                let model = try Model(arch, seed: 11)
                // Move batch-norm statistics away from their defaults so that they matter.
                for layer in model.layers { if let bn = layer as? BatchNorm { for i in 0..<bn.gamma.count { bn.runningMean.values[i] = 0.1 * Float(i % 3); bn.runningVar.values[i] = 1 + 0.2 * Float(i % 4); bn.gamma.values[i] = 1 + 0.05 * Float(i % 5) } } }
                // bpnet is 30 times the work per sequence of the others.
                let total = preset == "bpnet" ? 200 : 1000
                var worst: Float = 0
                for chunk in stride(from: 0, to: total, by: 100) {
                    let x = sequences(100, arch.inputLength, seed: UInt64(chunk + 1))
                    // A profile model's profile of rc(x) is reversed back (equivariance).
                    let a = model.predict(x), b = model.predict(x.reverseComplemented(), alignReverse: true)
                    for i in a.data.indices { worst = max(worst, abs(a.data[i] - b.data[i])) }
                }
                XCTAssertLessThanOrEqual(worst, 1e-5, "\(preset) \(strand)")
            }
            // A standard model is not invariant: the observation the RC paper starts from.
            let standard = try Model(try Architecture.preset(preset, outputs: 3, strand: .standard), seed: 11)
            let x = sequences(50, standard.architecture.inputLength, seed: 99)
            let a = standard.predict(x), b = standard.predict(x.reverseComplemented(), alignReverse: true)
            XCTAssertGreaterThan(zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0, 1e-3, preset)
        }
    }

    func testWeightedSumHeadsAndRCSumPoolAreInvariant() throws {
        for head in [[LayerKind.weightedsum], [.globalmaxpool], [.globalavgpool], [.rcsumpool, .flatten]] {
            let layers: [LayerSpec] = [.init(type: .conv, filters: 6, kernel: 9, padding: .same, bias: true), .init(type: .batchnorm),
                                       .init(type: .activation, function: .relu), .init(type: .maxpool, padding: .valid, pool: 5, stride: 5)]
                + head.map { LayerSpec(type: $0) } + [.init(type: .dense, units: 2)]
            let model = try Model(Architecture(name: "h", inputLength: 100, outputs: 2, strand: .rc, layers: layers), seed: 2)
            for layer in model.layers { (layer as? WeightedSum1D).map { w in for i in w.weight.values.indices { w.weight.values[i] = Float(i % 7) * 0.1 - 0.2 } } }
            let x = sequences(50, 100, seed: 4)
            let a = model.predict(x), b = model.predict(x.reverseComplemented())
            XCTAssertLessThanOrEqual(zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 1, 1e-5, "\(head)")
        }
        let summary = try Model(Architecture(name: "h", inputLength: 100, outputs: 1, strand: .rc, layers: [
            .init(type: .conv, filters: 4, kernel: 5, padding: .valid, bias: true), .init(type: .weightedsum), .init(type: .dense, units: 1)])).summary()
        XCTAssertTrue(summary.contains("DenseAfterRevcompWeightedSum"), summary)
    }

    func testFusedInferenceEqualsLayerByLayer() throws {
        for preset in ["chip", "koo-deep"] {
            for strand in StrandMode.allCases {
                let model = try Model(try Architecture.preset(preset, outputs: 2, strand: strand, firstActivation: .exponential), seed: 5)
                for layer in model.layers { if let bn = layer as? BatchNorm { for i in 0..<bn.gamma.count { bn.runningMean.values[i] = 0.05 * Float(i % 7); bn.runningVar.values[i] = 0.5 + 0.1 * Float(i % 5); bn.beta.values[i] = 0.01 * Float(i % 3) } } }
                let x = sequences(8, model.architecture.inputLength, seed: 3)
                let fused = model.inference(x), plain = model.forward(x, training: false, workspace: testPasses)
                // Layer by layer keeps what an inference-mode backward needs (input gradients).
                let dx = model.backward(Tensor(shape: plain.shape, value: 1), workspace: testPasses)
                XCTAssertEqual(dx.shape, x.shape)
                for i in fused.data.indices { XCTAssertEqual(fused.data[i], plain.data[i], accuracy: 1e-4 * max(1, abs(plain.data[i])), "\(preset) \(strand)") }
            }
        }
    }

    func testRCAndConjoinedPresetsStayInvariantAfterTraining() throws {
        for preset in Architecture.presetNames {
            for strand in [StrandMode.rc, .conjoined] {
                let model = try Model(try Architecture.preset(preset, outputs: 2, strand: strand, firstActivation: .exponential), seed: 21)
                let adam = Adam(learningRate: 1e-2)
                let arch = model.architecture
                let objective: Objective = arch.profileLength == nil ? .binary : .profile
                let loss = ObjectiveLoss(objective: objective, profileLength: arch.profileLength ?? 0)
                let l = arch.inputLength
                for step in 0..<3 {
                    let x = sequences(16, l, seed: UInt64(100 + step))
                    // Labels, or a profile model's counts (and log totals, unchecked here).
                    let y = (0..<(16 * arch.outputWidth)).map { Float(($0 / 2 + step) % 2) }
                    model.zeroGradients()
                    let (_, g) = loss(outputs: model.forward(x, training: true, workspace: testPasses), targets: y)
                    model.backward(g, workspace: testPasses)
                    adam.update(model.parameters)
                }
                let x = sequences(100, l, seed: 7)
                let a = model.predict(x), b = model.predict(x.reverseComplemented(), alignReverse: true)
                // Relative to the logit: three Adam steps at 1e-2 grow koo-deep's logits to about 20,
                // where its float32 sums differ by 1.3e-5 (7e-7 relative; the others stay below 3e-6).
                let largest = a.data.map(abs).max() ?? 0
                // bpnet's profile logits are sums of 3,200 products in orders that differ
                // between strands: relative to the largest output (1.5e-5 relative to a single
                // small logit after these steps, 6e-7 relative to the largest).
                let worst = zip(a.data, b.data).map { abs($0 - $1) / max(1, preset == "bpnet" ? largest : abs($0)) }.max() ?? 1
                XCTAssertLessThanOrEqual(worst, 1e-5, "\(preset) \(strand) after training (largest |logit| \(largest))")
            }
        }
    }

    func testSummaryCountsParametersAsKeras() throws {
        let standard = try Model(try Architecture.preset("chip", outputs: 1, strand: .standard))
        XCTAssertTrue(standard.summary().contains("Total params: 9121"), standard.summary())
        XCTAssertTrue(standard.summary().contains("Trainable params: 9025"))
        let rc = try Model(try Architecture.preset("chip", outputs: 1, strand: .rc))
        let s = rc.summary()
        XCTAssertTrue(s.contains("bn1 (RevCompConv1DBatchNorm)"), s)
        XCTAssertTrue(s.contains("(None, 986, 32)"), s)
        let bn = try XCTUnwrap(rc.layers.compactMap { $0 as? BatchNorm }.first)
        XCTAssertEqual(bn.parameters.filter(\.trainable).map(\.count).reduce(0, +), 32)
        // conv1 976 + 3 RC batch norms 3*64 + conv2, conv3 7184 each + head 47*16+1.
        let expectedTotal: Int = 976 + 192 + 14368 + 753
        XCTAssertTrue(s.contains("Total params: \(expectedTotal)"), s)
        let koo = try Model(try Architecture.preset("koo-cnn2", outputs: 12, strand: .standard))
        XCTAssertEqual(koo.shapes.last, [12])
        XCTAssertTrue(koo.summary().contains("(None, 100, 32)"))
    }

    func testModelsWithNaNOrInfWeightsAreRefusedAtLoad() throws {
        let dir = try TempDir("crick-model-nan")
        defer { dir.remove() }
        let model = try Model(try Architecture.preset("koo-cnn2", outputs: 1, strand: .rc), seed: 1)
        for (k, bad) in [Float.nan, .infinity, -.infinity].enumerated() {
            let name = model.parameters[k].name
            let extra: [(name: String, shape: [Int], values: [Float])] = []
            var bytes = try ModelFile.bytes(model, metadata: [:], extra: extra)
            // Patch one value of tensor `name` in place: find its data offsets in the header.
            let n = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
            let header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
            let offsets = try XCTUnwrap((header[name] as? [String: Any])?["data_offsets"] as? [Int])
            withUnsafeBytes(of: bad.bitPattern.littleEndian) { v in
                for i in 0..<4 { bytes[8 + n + offsets[0] + 4 + i] = v[i] }
            }
            let path = dir.file("bad\(k).safetensors")
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            XCTAssertThrowsError(try ModelFile.read(path)) { error in
                XCTAssertEqual("\(error)", "tensor \(name) holds 1 NaN or Inf value (the first, \(bad), at index 1); the model cannot be used: \(path)")
            }
        }
    }

    func testModelFilesRoundTripAndReadInNumpy() throws {
        let dir = try TempDir("crick-model")
        defer { dir.remove() }
        let model = try Model(try Architecture.preset("chip", outputs: 2, strand: .rc), seed: 3)
        let path = dir.file("m.safetensors")
        try ModelFile.write(model, to: path, metadata: ["note": "test"])
        let (back, contents) = try ModelFile.read(path)
        XCTAssertEqual(contents.metadata["strand"], "rc")
        XCTAssertEqual(contents.metadata["note"], "test")
        for (a, b) in zip(model.parameters, back.parameters) { XCTAssertEqual(Array(a.values), Array(b.values), a.name) }
        let x = sequences(4, 1000, seed: 5)
        XCTAssertEqual(model.predict(x).data, back.predict(x).data)
        // An independent reader: the format by hand in Python with numpy.
        let script = """
            import json, struct, sys
            import numpy as np
            raw = open(sys.argv[1], "rb").read()
            n = struct.unpack("<Q", raw[:8])[0]
            header = json.loads(raw[8:8 + n])
            meta = header.pop("__metadata__")
            w = header["conv1.weight"]
            a, b = w["data_offsets"]
            arr = np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").reshape(w["shape"])
            print(json.loads(meta["architecture"])["name"], list(arr.shape), float(arr[2, 1, 7]))
            """
        let r = try runTool("/usr/bin/python3", ["-c", script, path])
        try requireOracle(!r.stderr.contains("No module named 'numpy'"), "numpy is the oracle")
        XCTAssertEqual(r.status, 0, r.stderr)
        // conv1.weight in PyTorch layout (out, in, k): element [2, 1, 7] is internal (k=7, c=1, o=2).
        let conv = try XCTUnwrap(model.layers.first as? Conv1D)
        let expected = conv.weight.values[(7 * 4 + 1) * 16 + 2]
        XCTAssertEqual(r.text.trimmingCharacters(in: .whitespacesAndNewlines), "chip [16, 4, 15] \(Double(expected))")
    }

    func testWholeModelGradientMatchesFiniteDifferences() throws {
        var arch = try Architecture.preset("chip", outputs: 2, strand: .rc)
        arch.inputLength = 120
        arch.layers = [.init(type: .conv, filters: 3, kernel: 5, padding: .valid, bias: true), .init(type: .batchnorm),
                       .init(type: .activation, function: .exponential), .init(type: .maxpool, padding: .valid, pool: 4, stride: 4),
                       .init(type: .flatten), .init(type: .dense, units: 2)]
        let model = try Model(arch, seed: 4)
        // Continuous inputs: one-hot ones give exact ties in max pooling (repeated k-mers),
        // where the derivative is undefined and finite differences average both sides.
        var x = Tensor(shape: [3, 120, 4])
        var rng = NetRandom(seed: 8)
        for i in x.data.indices { x.data[i] = rng.unit() }
        let labels: [Float] = [1, 0, 0, 1, 1, 1]
        let loss = BinaryCrossEntropy()
        model.zeroGradients()
        let (_, g) = loss(logits: model.forward(x, training: true, workspace: testPasses), labels: labels)
        model.backward(g, workspace: testPasses)
        let eps: Float = 1e-3
        for p in model.parameters where p.trainable {
            for i in stride(from: 0, to: p.count, by: max(1, p.count / 6)) {
                let v = p.values[i]
                p.values[i] = v + eps
                let up = loss(logits: model.forward(x, training: true, workspace: testPasses), labels: labels).loss
                p.values[i] = v - eps
                let down = loss(logits: model.forward(x, training: true, workspace: testPasses), labels: labels).loss
                p.values[i] = v
                let numeric = (up - down) / (2 * eps)
                XCTAssertEqual(numeric, p.gradient[i], accuracy: 2e-3 + 2e-2 * abs(numeric), "\(p.name)[\(i)]")
            }
        }
    }
}
