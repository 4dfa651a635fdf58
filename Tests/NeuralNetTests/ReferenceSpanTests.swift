@testable import NeuralNet
import TestSupport
import XCTest

/// Reference windows prepared from a shared span (`MutationWorkspace.prepare(span:)`) against
/// the model's own full forward pass on each window, and mutants of them against full
/// recomputation: every preset, the custom architectures and every strand mode.
final class ReferenceSpanTests: XCTestCase {
    func check(_ arch: Architecture, combination: StrandPolicy.Combination?, seed: UInt64, expectShared: Bool? = nil) throws {
        var rng = TestRNG(seed: seed)
        let model = try IncrementalScorerTests.model(arch, seed: seed)
        let scorer = try IncrementalScorer(model: model, strands: combination)
        if let expectShared { XCTAssertEqual(scorer.sharesSpans, expectShared, arch.name) }
        guard scorer.sharesSpans else {
            XCTAssertThrowsError(try scorer.makeWorkspace().prepare(spanOffset: 0), "no span prepared")
            return
        }
        let l = arch.inputLength, policy = scorer.policy
        let what = "\(arch.name) \(arch.strand) \(policy.combination)"
        let ws = scorer.makeWorkspace()
        let span = IncrementalScorerTests.codes(3 * l + 7, rng: &rng)
        try ws.prepare(span: span)
        // The first and last windows, and some between (also the same one twice).
        var offsets = [0, span.count - l, l / 3, l / 3, l + 5]
        for _ in 0..<3 { offsets.append(Int.random(in: 0...(span.count - l), using: &rng)) }
        for o in offsets {
            let window = Array(span[o..<(o + l)])
            let got = try ws.prepare(spanOffset: o)
            IncrementalScorerTests.assertClose(got, IncrementalScorerTests.fullLogits(model, window, count: 1, policy: policy), "\(what) window at \(o)")
            // Mutants of the span-prepared reference.
            let mutants = IncrementalScorerTests.mutants(window, rng: &rng, snvs: 4)
            let want = IncrementalScorerTests.fullLogits(model, mutants.flatMap { IncrementalScorerTests.apply($0, to: window) },
                                                         count: mutants.count, policy: policy)
            IncrementalScorerTests.assertClose(try ws.logits(mutants: mutants), want, "\(what) mutants at \(o)")
            // Preparing the window directly gives the same cache: the same mutant logits.
            let direct = scorer.makeWorkspace()
            try direct.prepare(reference: window)
            XCTAssertEqual(try direct.logits(mutants: mutants), try ws.logits(mutants: mutants), "\(what) at \(o): span and window caches differ")
        }
        XCTAssertThrowsError(try ws.prepare(spanOffset: span.count - l + 1))
        XCTAssertThrowsError(try ws.prepare(spanOffset: -1))
        XCTAssertThrowsError(try ws.prepare(span: Array(span[0..<(l - 1)])))
    }

    func testPresetsMatchFullRecomputation() throws {
        for preset in Architecture.classifierPresetNames {
            for (strand, combination) in IncrementalScorerTests.policies {
                let arch = try Architecture.preset(preset, outputs: 2, strand: strand, firstActivation: .exponential)
                // Only chip and zhou-sim start with valid convolutions (the Koo models' first is same-padded).
                try check(arch, combination: combination, seed: 21, expectShared: preset == "chip" || preset == "zhou-sim")
            }
        }
    }

    func testCustomArchitecturesMatchFullRecomputation() throws {
        for (strand, combination) in IncrementalScorerTests.policies {
            for (i, arch) in IncrementalScorerTests.customArchitectures(strand).enumerated() {
                try check(arch, combination: combination, seed: UInt64(30 + i))
            }
            // Two valid convolutions then a same one: the span stops before the same one.
            let mixed = Architecture(name: "valid-then-same", inputLength: 40, outputs: 1, strand: strand, layers: [
                .conv(6, 5, .valid, bias: true), .bn, .act(.relu), .conv(4, 3, .valid, bias: false), .act(.elu),
                .conv(4, 2, .same, bias: true), .flatten, .dense(1)])
            try check(mixed, combination: combination, seed: 40, expectShared: true)
        }
    }

    func testSpanStagesStopAtPaddingAndPooling() throws {
        let chip = try IncrementalScorer(model: try Model(try Architecture.preset("chip", outputs: 1, strand: .rc)))
        XCTAssertEqual(chip.plan.spanEnd, 3, "chip: three valid convolutions (batch norms and activations folded)")
        let deep = try IncrementalScorer(model: try Model(try Architecture.preset("koo-deep", outputs: 1, strand: .rc)))
        XCTAssertEqual(deep.plan.spanEnd, 0)
        XCTAssertFalse(deep.sharesSpans)
        XCTAssertEqual(chip.spanLimit, 32_000, "32 windows of 1,000 bases (the maps stay under 16 M floats)")
    }
}
