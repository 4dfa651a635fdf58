import XCTest
import TestSupport
@testable import NeuralNet
@testable import Interpret

/// DeepLIFT/SHAP and integrated gradients: completeness on every preset and strand mode,
/// mirrored maps for rc models, references drawn per sequence, hypothetical contributions.
final class ContributionTests: XCTestCase {
    private func randomCodes(_ n: Int, seed: UInt64) -> [UInt8] {
        var rng = TestRNG(seed: seed)
        return (0..<n).map { _ in UInt8.random(in: 0...3, using: &rng) }
    }

    /// Batch-norm statistics moved off their defaults so that they matter.
    private func perturbed(_ model: Model) -> Model {
        for layer in model.layers {
            guard let bn = layer as? BatchNorm else { continue }
            for i in 0..<bn.gamma.count {
                bn.runningMean.values[i] = 0.05 * Float(i % 5) - 0.1
                bn.runningVar.values[i] = 0.7 + 0.1 * Float(i % 4)
            }
        }
        return model
    }

    /// The contributions against each reference add up to f(x) - f(reference) (DeepLIFT's
    /// summation-to-delta), with max pools, exponential and ReLU activations, RC layers and
    /// strand averaging.
    func testDeepLiftIsCompleteOnEveryPresetAndStrand() throws {
        for preset in Architecture.classifierPresetNames {
            for strand in StrandMode.allCases {
                let arch = try Architecture.preset(preset, outputs: 2, strand: strand, firstActivation: .exponential)
                let model = perturbed(try Model(arch, seed: 3))
                for average in strand == .standard ? [false, true] : [false] {
                    let a = Attributor(model: model, task: 1, strandAverage: average)
                    let seq = randomCodes(arch.inputLength, seed: 9)
                    let refs = ReferenceKind.shuffles(3).references(for: seq[...], row: 0, seed: 5)
                    let c = a.deepLiftShap(codes: seq[...], references: refs)
                    let scale = max(1, c.hypothetical.map { abs($0) }.max() ?? 0)
                    XCTAssertLessThan(c.delta, 1e-4 * scale, "\(preset) \(strand) average \(average)")
                    // Contributions are the hypothetical ones at the base present.
                    for p in 0..<arch.inputLength {
                        for b in 0..<4 {
                            XCTAssertEqual(c.map[p * 4 + b], Int(seq[p]) == b ? c.hypothetical[p * 4 + b] : 0)
                        }
                    }
                }
            }
        }
    }

    /// An rc model's contributions on rc(x) against the mirrored references are those on x
    /// mirrored (to 1e-4 of the largest: float sums in another order), for DeepLIFT/SHAP and
    /// integrated gradients. (References constant along the
    /// sequence, such as gc or zeros, tie in every max-pool window, and DeepLIFT's max rule then
    /// routes to the first position of each window on either strand: no mirror there.)
    func testRCModelsGiveMirroredContributions() throws {
        for preset in ["koo-cnn2", "chip"] {
            let arch = try Architecture.preset(preset, outputs: 1, strand: .rc, firstActivation: .exponential)
            let model = perturbed(try Model(arch, seed: 4))
            let a = Attributor(model: model, task: 0, strandAverage: false)
            let l = arch.inputLength
            let seq = randomCodes(l, seed: 2)
            let rc = seq.reversed().map { 3 - $0 }
            let refs = ReferenceKind.shuffles(3).references(for: seq[...], row: 0, seed: 1)
            let rcRefs = refs.map { mirrored($0, length: l) }
            let f = a.deepLiftShap(codes: seq[...], references: refs)
            let r = a.deepLiftShap(codes: rc[...], references: rcRefs)
            let back = mirrored(r.hypothetical, length: l)
            let scale = f.hypothetical.map { abs($0) }.max() ?? 1
            for e in back.indices { XCTAssertEqual(back[e], f.hypothetical[e], accuracy: 1e-4 * scale, "\(preset) element \(e)") }
            let fi = a.integratedGradients(codes: seq[...], baseline: refs[0], steps: 8)
            let ri = a.integratedGradients(codes: rc[...], baseline: rcRefs[0], steps: 8)
            let backIG = mirrored(ri.map, length: l)
            let scaleIG = fi.map.map { abs($0) }.max() ?? 1
            for e in backIG.indices { XCTAssertEqual(backIG[e], fi.map[e], accuracy: 1e-4 * scaleIG, "IG \(preset) element \(e)") }
        }
    }

    /// Integrated gradients approach completeness as the steps grow, on a smooth model.
    func testIntegratedGradientsConvergeToCompleteness() throws {
        let arch = Architecture(name: "smooth", inputLength: 40, outputs: 1, strand: .standard, layers: [
            .conv(6, 5, .valid, bias: true), .bn, .act(.softplus), .conv(6, 3, .valid, bias: true), .bn, .act(.tanh),
            .flatten, .dense(1)])
        let model = perturbed(try Model(arch, seed: 8))
        let a = Attributor(model: model, task: 0, strandAverage: false)
        let seq = randomCodes(40, seed: 4)
        let baseline = ReferenceKind.zeros.references(for: seq[...], row: 0, seed: 1)[0]
        let coarse = a.integratedGradients(codes: seq[...], baseline: baseline, steps: 2).delta
        let fine = a.integratedGradients(codes: seq[...], baseline: baseline, steps: 200).delta
        XCTAssertLessThan(fine, 1e-4)
        XCTAssertLessThan(fine, coarse)
    }

    /// Shuffled references keep each sequence's dinucleotide counts, depend only on the seed
    /// and the row, and gc references hold the sequence's composition.
    func testReferencesArePerSequenceAndSeeded() throws {
        let seq = randomCodes(300, seed: 6)
        let a = ReferenceKind.shuffles(4).references(for: seq[...], row: 7, seed: 3)
        let b = ReferenceKind.shuffles(4).references(for: seq[...], row: 7, seed: 3)
        let c = ReferenceKind.shuffles(4).references(for: seq[...], row: 8, seed: 3)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertNotEqual(a[0], a[1])
        func dinucleotides(_ oneHot: [Float]) -> [Int] {
            let codes = (0..<(oneHot.count / 4)).map { p in (0..<4).first { oneHot[p * 4 + $0] == 1 } ?? 4 }
            var counts = [Int](repeating: 0, count: 25)
            for i in 0..<(codes.count - 1) { counts[codes[i] * 5 + codes[i + 1]] += 1 }
            return counts
        }
        for r in a { XCTAssertEqual(dinucleotides(r), dinucleotides(ReferenceKind.oneHot(seq))) }
        let gc = ReferenceKind.gc.references(for: seq[...], row: 0, seed: 0)[0]
        let strong = Float(seq.filter { $0 == 1 || $0 == 2 }.count) / Float(seq.count)
        XCTAssertEqual(gc[1], strong / 2, accuracy: 1e-6)
        XCTAssertEqual(gc[0], (1 - strong) / 2, accuracy: 1e-6)
        let given = ReferenceKind.given(codes: [0, 1, 2, 3, 3, 2, 1, 0], perSequence: 2).references(for: [0, 0, 0, 0][...], row: 0, seed: 0)
        XCTAssertEqual(given[1], ReferenceKind.oneHot([3, 2, 1, 0]))
    }
}
