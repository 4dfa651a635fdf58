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
        for method in AttributionMethod.allCases {
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
