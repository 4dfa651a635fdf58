import XCTest
import TestSupport
@testable import NeuralNet
@testable import Interpret

final class AttributionTests: XCTestCase {
    func model(_ strand: StrandMode) throws -> Model {
        let arch = Architecture(name: "small", inputLength: 40, outputs: 2, strand: strand, layers: [
            .conv(6, 5, .valid, bias: true), .bn, .act(.softplus), .conv(6, 3, .valid, bias: true), .bn, .act(.elu),
            .flatten, .dense(2)])   // smooth everywhere (no max-pool kinks) for finite differences
        let m = try Model(arch, seed: 7)
        var rng = TestRNG(seed: 7)
        for p in m.parameters where p.name.contains("running") {
            for i in p.values.indices { p.values[i] = p.name.contains("var") ? Float.random(in: 0.5...2, using: &rng) : Float.random(in: -0.3...0.3, using: &rng) }
        }
        return m
    }

    func codes(_ n: Int, rng: inout TestRNG) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...4, using: &rng) } }

    func testSaliencyGradientMatchesFiniteDifferences() throws {
        var rng = TestRNG(seed: 1)
        for strand in [StrandMode.standard, .rc, .conjoined] {
            let m = try model(strand)
            let a = Attributor(model: m, task: 1, strandAverage: true)
            let seq = codes(40, rng: &rng)
            var x = seq.withUnsafeBufferPointer { oneHot(codes: $0, batch: 1, length: 40) }
            let map = a.saliency(codes: seq, count: 1, length: 40)
            // Gradient x input is the gradient at each present base: check it there.
            for p in stride(from: 0, to: 40, by: 3) where seq[p] < 4 {
                let i = p * 4 + Int(seq[p])
                let h: Float = 1e-2
                x.data[i] += h
                let up = a.logits(x)[0]
                x.data[i] -= 2 * h
                let down = a.logits(x)[0]
                x.data[i] += h
                let numeric = (up - down) / (2 * h)
                XCTAssertEqual(map[i], numeric, accuracy: 2e-3 + 1e-2 * abs(numeric), "\(strand) position \(p)")
            }
            XCTAssertTrue(map.enumerated().allSatisfy { seq[$0.offset / 4] == $0.offset % 4 || $0.element == 0 }, "zero off the present bases")
        }
    }

    func testISMIsTheDifferenceOfTwoPredictions() throws {
        var rng = TestRNG(seed: 2)
        for strand in [StrandMode.standard, .conjoined] {
            let m = try model(strand)
            let a = Attributor(model: m, task: 0, strandAverage: false)
            let seq = codes(80, rng: &rng)
            let map = a.ism(codes: seq, count: 2, length: 40)
            for item in 0..<2 {
                let ref = Array(seq[(item * 40)..<(item * 40 + 40)])
                let base = a.logits(ref.withUnsafeBufferPointer { oneHot(codes: $0, batch: 1, length: 40) })[0]
                for _ in 0..<10 {
                    let p = Int.random(in: 0..<40, using: &rng), b = Int.random(in: 0..<4, using: &rng)
                    var mutant = ref
                    mutant[p] = UInt8(b)
                    let v = a.logits(mutant.withUnsafeBufferPointer { oneHot(codes: $0, batch: 1, length: 40) })[0]
                    let want: Float = b == Int(ref[p]) ? 0 : v - base
                    XCTAssertEqual(map[(item * 40 + p) * 4 + b], want, accuracy: 1e-5)
                }
            }
        }
    }

    func testRCModelAttributionsMirrorOnTheReverseComplement() throws {
        var rng = TestRNG(seed: 3)
        let m = try model(.rc)
        let a = Attributor(model: m, task: 0, strandAverage: false)
        let seq = codes(40, rng: &rng)
        let rc = seq.reversed().map { $0 < 4 ? 3 - $0 : 4 }
        // The contribution scores need mirrored references for this (ContributionTests).
        for method in [AttributionMethod.saliency, .ism] {
            let forward = a.attribute(method, codes: seq, count: 1, length: 40)
            let reverse = a.attribute(method, codes: Array(rc), count: 1, length: 40)
            var worst: Float = 0
            for p in 0..<40 {
                for c in 0..<4 { worst = max(worst, abs(forward[p * 4 + c] - reverse[(39 - p) * 4 + (3 - c)])) }
            }
            XCTAssertLessThanOrEqual(worst, 1e-5, "\(method)")
            XCTAssertGreaterThan(forward.map(abs).max() ?? 0, 1e-3, "not all zero")
        }
    }
}

/// ISM through the incremental scorer against a naive oracle: every mutant a full forward pass
/// of the model itself.
final class IncrementalISMTests: XCTestCase {
    /// The naive ISM map (L, 4) of one window: logit of each mutant minus the window's logit,
    /// both strands combined as the attributor explains them.
    func naiveISM(_ model: Model, _ ref: [UInt8], task: Int, strands: StrandPolicy) -> [Float] {
        let l = ref.count, t = model.architecture.outputs
        var windows = ref
        var cells: [Int] = []
        for p in 0..<l {
            for b in 0..<4 where b != Int(ref[p]) {
                var w = ref
                w[p] = UInt8(b)
                windows += w
                cells.append(p * 4 + b)
            }
        }
        var logits: [Float] = []
        let n = cells.count + 1
        for lo in stride(from: 0, to: n, by: 64) {
            let hi = min(n, lo + 64)
            let x = Array(windows[(lo * l)..<(hi * l)]).withUnsafeBufferPointer { oneHot(codes: $0, batch: hi - lo, length: l) }
            let f = model.inference(x)
            let r = strands.needsReverse ? model.inference(x.reverseComplemented()) : f
            for i in 0..<(hi - lo) { logits.append(strands.combine(forward: f.data[i * t + task], reverse: r.data[i * t + task])) }
        }
        var map = [Float](repeating: 0, count: l * 4)
        for (k, cell) in cells.enumerated() { map[cell] = logits[k + 1] - logits[0] }
        return map
    }

    func model(_ arch: Architecture, seed: UInt64) throws -> Model {
        let m = try Model(arch, seed: seed)
        var rng = TestRNG(seed: seed)
        for p in m.parameters where p.name.contains("running") {
            for i in p.values.indices { p.values[i] = p.name.contains("var") ? Float.random(in: 0.5...2, using: &rng) : Float.random(in: -0.3...0.3, using: &rng) }
        }
        return m
    }

    func testISMMapsEqualNaiveISM() throws {
        var rng = TestRNG(seed: 21)
        var chip = try Architecture.preset("chip", outputs: 2, strand: .rc)
        chip.inputLength = 240
        for strand in StrandMode.allCases {
            chip.strand = strand
            let archs = [chip, try Architecture.preset("koo-cnn2", outputs: 2, strand: strand, firstActivation: .exponential),
                         try Architecture.preset("koo-deep", outputs: 2, strand: strand)]
            for arch in archs {
                let m = try model(arch, seed: 4)
                for average in strand == .standard ? [false, true] : [false] {
                    let a = Attributor(model: m, task: 1, strandAverage: average)
                    XCTAssertEqual(a.ismEngine, .incremental)
                    let l = arch.inputLength
                    let items = strand == .standard ? 2 : 1
                    let seq = (0..<(items * l)).map { _ in Int.random(in: 0..<40, using: &rng) == 0 ? UInt8(4) : UInt8.random(in: 0...3, using: &rng) }
                    let map = a.ism(codes: seq, count: items, length: l)
                    // The library's full-forward ISM (ism-engine full), on standard models.
                    let full = strand == .standard ? Attributor(model: m, task: 1, strandAverage: average, ismEngine: .full).ism(codes: seq, count: items, length: l) : map
                    for item in 0..<items {
                        let naive = naiveISM(m, Array(seq[(item * l)..<((item + 1) * l)]), task: 1, strands: a.strands)
                        let got = Array(map[(item * l * 4)..<((item + 1) * l * 4)])
                        let library = Array(full[(item * l * 4)..<((item + 1) * l * 4)])
                        let worst = zip(got, naive).map { abs($0 - $1) }.max() ?? 1
                        XCTAssertLessThanOrEqual(worst, 1e-5, "\(arch.name) \(strand) average \(average): incremental against naive")
                        XCTAssertLessThanOrEqual(zip(library, naive).map { abs($0 - $1) }.max() ?? 1, 1e-5, "\(arch.name) \(strand): full-forward ISM against naive")
                        XCTAssertGreaterThan(naive.map(abs).max() ?? 0, 1e-4, "\(arch.name) \(strand): a map that is not all zero")
                        XCTAssertTrue(zip(got, Array(seq[(item * l)..<((item + 1) * l)]).flatMap { c in (0..<4).map { $0 == Int(c) } }).allSatisfy { !$0.1 || $0.0 == 0 },
                                      "0 at the base present")
                    }
                }
            }
        }
    }

    func testISMIsTheSameWithOneOrTwoWorkerThreads() throws {
        var rng = TestRNG(seed: 22)
        let m = try model(try Architecture.preset("chip", outputs: 1, strand: .rc), seed: 5)
        let scorer = try IncrementalScorer(model: m)
        let windows = (0..<4).map { _ in (0..<1000).map { _ in UInt8.random(in: 0...3, using: &rng) } }
        func maps(threads: Int) -> [[Float]] {
            let box = IndexedResults<[Float]>(count: windows.count), shared = SharedModel(m)
            // Incremental ISM reads the shared model's weights only (through the scorer).
            DispatchQueue.concurrentPerform(iterations: threads) { worker in
                let a = Attributor(model: shared.model, task: 0, strandAverage: false, scorer: scorer)
                for i in stride(from: worker, to: windows.count, by: threads) { box.set(i, a.ism(codes: windows[i], count: 1, length: 1000)) }
            }
            return box.values.map { $0 ?? [] }
        }
        XCTAssertEqual(maps(threads: 1), maps(threads: 2))
    }
}

/// A model handed to worker threads that only read it.
private final class SharedModel: @unchecked Sendable {
    let model: Model
    init(_ model: Model) { self.model = model }
}
