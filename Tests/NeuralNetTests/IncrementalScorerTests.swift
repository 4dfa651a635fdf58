import Dispatch
import Foundation
@testable import NeuralNet
import TestSupport
import XCTest

/// The incremental scorer against full recomputation: every preset, custom architectures
/// (overlapping and same-padded pools, global pooling, weighted sums, batch norm after a pool,
/// dense heads with batch norm) and every strand mode.
final class IncrementalScorerTests: XCTestCase {
    /// Architectures beyond the presets.
    static func customArchitectures(_ strand: StrandMode) -> [Architecture] {
        [
            Architecture(name: "overlapping-pools", inputLength: 101, outputs: 2, strand: strand, layers: [
                .conv(8, 7, .valid, bias: true), .bn, .act(.relu), .pool(5, 2), .conv(6, 4, .same, bias: true), .act(.elu),
                .pool(3, 3, .same), .drop(0.3), .flatten, .dense(8), .bn, .act(.relu), .drop(0.5), .dense(2)]),
            Architecture(name: "global-max", inputLength: 64, outputs: 1, strand: strand, layers: [
                .conv(8, 9, .valid, bias: true), .bn, .act(.exponential), .conv(6, 5, .same, bias: false), .bn, .act(.relu),
                LayerSpec(type: .globalmaxpool), .dense(1)]),
            Architecture(name: "weighted-sum", inputLength: 50, outputs: 3, strand: strand, layers: [
                .conv(6, 5, .same, bias: true), .act(.softplus), .pool(4, 3), LayerSpec(type: .weightedsum), .dense(3)]),
            Architecture(name: "bn-after-pool", inputLength: 70, outputs: 1, strand: strand, layers: [
                .conv(6, 5, .valid, bias: false), .pool(2), .bn, .act(.tanh), .conv(6, 3, .valid, bias: true), .bn, .act(.sigmoid),
                LayerSpec(type: .globalavgpool), .dense(4), .act(.relu), .dense(1)]),
        ]
    }

    /// A model whose batch norms are not the identity.
    static func model(_ arch: Architecture, seed: UInt64) throws -> Model {
        let m = try Model(arch, seed: seed)
        var rng = TestRNG(seed: seed)
        for layer in m.layers {
            guard let bn = layer as? BatchNorm else { continue }
            for i in 0..<bn.gamma.count {
                bn.runningMean.values[i] = Float.random(in: -0.3...0.3, using: &rng)
                bn.runningVar.values[i] = Float.random(in: 0.5...2, using: &rng)
                bn.gamma.values[i] = Float.random(in: 0.7...1.3, using: &rng)
                bn.beta.values[i] = Float.random(in: -0.2...0.2, using: &rng)
            }
        }
        for layer in m.layers { if let w = layer as? WeightedSum1D { for i in w.weight.values.indices { w.weight.values[i] = Float.random(in: -0.1...0.1, using: &rng) } } }
        return m
    }

    static func codes(_ n: Int, rng: inout TestRNG) -> [UInt8] {
        (0..<n).map { _ in Int.random(in: 0..<50, using: &rng) == 0 ? 4 : UInt8.random(in: 0...3, using: &rng) }
    }

    /// The oracle: the model's own full forward pass on each strand, combined by `policy`.
    static func fullLogits(_ model: Model, _ windows: [UInt8], count: Int, policy: StrandPolicy) -> [Float] {
        let l = model.architecture.inputLength
        let x = windows.withUnsafeBufferPointer { oneHot(codes: $0, batch: count, length: l) }
        let f = model.inference(x)
        guard policy.needsReverse else { return f.data }
        let r = model.inference(x.reverseComplemented())
        return zip(f.data, r.data).map { policy.combine(forward: $0, reverse: $1) }
    }

    /// Random SNVs, MNPs at both edges and in the middle, an MNP spanning the window, an N, a
    /// substitution by the base already there and an empty mutant.
    static func mutants(_ ref: [UInt8], rng: inout TestRNG, snvs: Int) -> [[Substitution]] {
        let l = ref.count
        func s(_ p: Int, _ b: UInt8) -> Substitution { Substitution(position: p, base: b) }
        func other(_ p: Int) -> UInt8 { UInt8((Int(ref[p] % 4) + Int.random(in: 1...3, using: &rng)) % 4) }
        var m: [[Substitution]] = (0..<snvs).map { _ in let p = Int.random(in: 0..<l, using: &rng); return [s(p, other(p))] }
        m += [[s(0, other(0))], [s(l - 1, other(l - 1))], [s(0, other(0)), s(1, other(1)), s(2, other(2))],
              [s(l - 3, other(l - 3)), s(l - 1, other(l - 1))], [s(l / 2 - 1, other(l / 2 - 1)), s(l / 2, other(l / 2)), s(l / 2 + 2, other(l / 2 + 2))],
              [s(3, other(3)), s(l - 4, other(l - 4))], [s(l / 3, 4)], [s(l / 2, ref[l / 2])], []]
        return m
    }

    static func apply(_ subs: [Substitution], to ref: [UInt8]) -> [UInt8] {
        var w = ref
        for x in subs { w[x.position] = x.base }
        return w
    }

    /// Checks scorer logits against the oracle, relative to the logit's size where it is large.
    func assertClose(_ got: [Float], _ want: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        IncrementalScorerTests.assertClose(got, want, what, file: file, line: line)
    }

    static func assertClose(_ got: [Float], _ want: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, want.count, what, file: file, line: line)
        let worst = zip(got, want).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
        XCTAssertLessThanOrEqual(worst, 1e-5, "\(what): worst relative difference \(worst)", file: file, line: line)
    }

    static let policies: [(StrandMode, StrandPolicy.Combination?)] =
        [(.standard, .forward), (.standard, .average), (.standard, .max), (.rc, nil), (.conjoined, nil)]

    func check(_ arch: Architecture, combination: StrandPolicy.Combination?, seed: UInt64, snvs: Int) throws {
        var rng = TestRNG(seed: seed)
        let model = try IncrementalScorerTests.model(arch, seed: seed)
        let scorer = try IncrementalScorer(model: model, strands: combination)
        let policy = scorer.policy
        let ws = scorer.makeWorkspace()
        let l = arch.inputLength
        let what = "\(arch.name) \(arch.strand) \(policy.combination)"
        for _ in 0..<2 {
            let ref = IncrementalScorerTests.codes(l, rng: &rng)
            let refLogits = try ws.prepare(reference: ref)
            assertClose(refLogits, IncrementalScorerTests.fullLogits(model, ref, count: 1, policy: policy), "\(what) reference")
            let mutants = IncrementalScorerTests.mutants(ref, rng: &rng, snvs: snvs)
            let got = try ws.logits(mutants: mutants)
            let windows = mutants.flatMap { IncrementalScorerTests.apply($0, to: ref) }
            let want = IncrementalScorerTests.fullLogits(model, windows, count: mutants.count, policy: policy)
            assertClose(got, want, "\(what) mutants")
            // The mutants move the logits (the comparison is not of constants).
            var moved: Float = 0
            for (i, v) in want.enumerated() { moved = max(moved, abs(v - refLogits[i % scorer.outputs])) }
            XCTAssertGreaterThan(moved, 1e-4, "\(what): no mutant changes the logits")
            if ProcessInfo.processInfo.environment["CRICK_ENGINE_REPORT"] != nil {
                var worst: Float = 0
                for (g, w) in zip(got, want) { worst = max(worst, abs(g - w) / max(1, abs(w))) }
                print("engine \(what): worst \(worst), largest effect \(moved)")
            }
            // One at a time equals the batch.
            let single = try ws.logits(substitutions: mutants[0])
            assertClose(single, Array(want[0..<scorer.outputs]), "\(what) single")
            // Whole windows (the indel path).
            assertClose(try ws.logits(windows: windows, count: mutants.count), want, "\(what) full windows")
        }
    }

    func testPresetsMatchFullRecomputation() throws {
        for preset in Architecture.classifierPresetNames {
            for (strand, combination) in IncrementalScorerTests.policies {
                let arch = try Architecture.preset(preset, outputs: 2, strand: strand, firstActivation: .exponential)
                try check(arch, combination: combination, seed: 3, snvs: preset == "chip" ? 6 : 20)
            }
        }
    }

    func testCustomArchitecturesMatchFullRecomputation() throws {
        for (strand, combination) in IncrementalScorerTests.policies {
            for (i, arch) in IncrementalScorerTests.customArchitectures(strand).enumerated() {
                try check(arch, combination: combination, seed: UInt64(10 + i), snvs: 40)
            }
        }
    }

    func testBothConvolutionPathsMatchFullRecomputation() throws {
        // The direct kernel and the im2col + GEMM path (CPUs without AVX2+FMA).
        let saved = Conv1D.useDirectKernel
        defer { Conv1D.useDirectKernel = saved }
        for direct in [false, true] {
            Conv1D.useDirectKernel = direct
            try check(try Architecture.preset("koo-deep", outputs: 2, strand: .rc), combination: nil, seed: 5, snvs: 20)
            try check(IncrementalScorerTests.customArchitectures(.standard)[0], combination: .max, seed: 6, snvs: 20)
        }
    }

    func testVariantScoringMixesSubstitutionsAndWholeWindows() throws {
        var rng = TestRNG(seed: 9)
        let model = try IncrementalScorerTests.model(try Architecture.preset("koo-cnn2", outputs: 3, strand: .standard), seed: 9)
        let scorer = try IncrementalScorer(model: model, strands: .average)
        let ws = scorer.makeWorkspace()
        let ref = IncrementalScorerTests.codes(200, rng: &rng)
        // A deletion of base 100 (the window shifts by one, a base appended) and an insertion.
        let deletion = Array(ref[0..<100] + ref[101...]) + [2]
        let insertion = Array(ref[0..<50] + [1, 3] + ref[50..<198])
        let snv = [Substitution(position: 7, base: (ref[7] + 1) % 4)]
        let mnp = [Substitution(position: 120, base: 0), Substitution(position: 121, base: 1)]
        let (r, alts) = try ws.score(reference: ref, alternatives: [.window(deletion), .substitutions(snv), .window(insertion), .substitutions(mnp)])
        let want = IncrementalScorerTests.fullLogits(model, deletion + IncrementalScorerTests.apply(snv, to: ref) + insertion + IncrementalScorerTests.apply(mnp, to: ref),
                                                     count: 4, policy: scorer.policy)
        assertClose(alts, want, "alternatives")
        assertClose(r, IncrementalScorerTests.fullLogits(model, ref, count: 1, policy: scorer.policy), "reference")
        XCTAssertThrowsError(try ws.logits(substitutions: [Substitution(position: 200, base: 0)]))
        XCTAssertThrowsError(try ws.logits(substitutions: [Substitution(position: 3, base: 5)]))
        XCTAssertThrowsError(try ws.score(reference: ref, alternatives: [.window([0, 1])]))
        XCTAssertThrowsError(try scorer.makeWorkspace().logits(substitutions: snv), "no reference prepared")
    }

    func testResultsDoNotDependOnTheThreadCount() throws {
        var rng = TestRNG(seed: 4)
        let model = try IncrementalScorerTests.model(try Architecture.preset("chip", outputs: 1, strand: .rc), seed: 4)
        let scorer = try IncrementalScorer(model: model)
        let refs = (0..<4).map { _ in IncrementalScorerTests.codes(1000, rng: &rng) }
        let mutants = refs.map { IncrementalScorerTests.mutants($0, rng: &rng, snvs: 150) }
        func run(threads: Int) -> [[Float]] {
            setBLASThreads(threads)
            defer { setBLASThreads(1) }
            let results = IndexedResults<[Float]>(count: refs.count)
            // One shared scorer, a workspace per worker thread.
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                let ws = scorer.makeWorkspace()
                for i in stride(from: worker, to: refs.count, by: threads) {
                    let r = (try? ws.prepare(reference: refs[i])) ?? []
                    results.set(i, r + ((try? ws.logits(mutants: mutants[i])) ?? []))
                }
            }
            return results.values.map { $0 ?? [] }
        }
        let one = run(threads: 1), two = run(threads: 2)
        XCTAssertEqual(one, two)
        XCTAssertFalse(one.contains { $0.isEmpty })
    }

    func testReceptiveFieldsMatchBruteForce() {
        for k in [1, 2, 5, 14] {
            for pad in Set([0, (k - 1) / 2]) {
                let lin = 30, lout = pad == 0 ? lin - k + 1 : lin
                for a in 0..<lin {
                    for b in [a, a + 1, min(lin, a + 4)] {
                        let brute = (0..<lout).filter { t in (t - pad..<t - pad + k).overlaps(a..<b) }
                        let got = ReceptiveField.conv(a..<b, kernel: k, padLeft: pad, outputLength: lout)
                        XCTAssertEqual(Array(got), brute, "conv k \(k) pad \(pad) [\(a), \(b))")
                    }
                }
            }
        }
        for (p, s) in [(2, 2), (5, 2), (3, 3), (40, 20), (4, 1)] {
            for same in [false, true] {
                let pool = MaxPool1D(pool: p, stride: s, padding: same ? .same : .valid)
                let lin = 61
                let (lout, pad) = pool.geometry(lin)
                for a in 0..<lin {
                    for b in [a, a + 1, min(lin, a + 3)] {
                        let brute = (0..<lout).filter { t in (max(0, t * s - pad)..<min(lin, t * s - pad + p)).overlaps(a..<b) }
                        let got = ReceptiveField.pool(a..<b, pool: p, stride: s, padLeft: pad, outputLength: lout)
                        XCTAssertEqual(Array(got), brute, "pool \(p)/\(s) same \(same) [\(a), \(b))")
                    }
                }
            }
        }
    }
}
