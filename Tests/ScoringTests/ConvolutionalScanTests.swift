import XCTest
import TestSupport
@testable import NeuralNet
@testable import Scoring

final class ConvolutionalScanTests: XCTestCase {
    /// Architectures covering the scan's cases: a final pool (chip-like), inner pools (grid
    /// phases) with a deeper head, a global-pooling head, and same padding (no scan plan).
    func architectures(_ strand: StrandMode) -> [Architecture] {
        [
            Architecture(name: "final-pool", inputLength: 60, outputs: 2, strand: strand, layers: [
                .conv(8, 5, .valid, bias: true), .bn, .act(.exponential), .conv(8, 4, .valid, bias: true), .bn, .act(.relu),
                .pool(6, 3), .drop(0.2), .flatten, .dense(2)]),
            Architecture(name: "inner-pools", inputLength: 64, outputs: 1, strand: strand, layers: [
                .conv(6, 5, .valid, bias: false), .bn, .act(.relu), .pool(2, 2), .conv(6, 3, .valid, bias: true), .bn, .act(.relu),
                .pool(3, 2), .flatten, .dense(4), .act(.relu), .dense(1)]),
            Architecture(name: "global", inputLength: 40, outputs: 1, strand: strand, layers: [
                .conv(6, 7, .valid, bias: true), .bn, .act(.relu), LayerSpec(type: .globalmaxpool), .dense(1)]),
            Architecture(name: "same", inputLength: 50, outputs: 1, strand: strand, layers: [
                .conv(6, 7, .same, bias: true), .bn, .act(.relu), .pool(5, 5, .same), .flatten, .dense(1)]),
        ]
    }

    /// A model with batch norms that are not the identity.
    func model(_ arch: Architecture, seed: UInt64) throws -> Model {
        let m = try Model(arch, seed: seed)
        var rng = TestRNG(seed: seed)
        for p in m.parameters where p.name.contains("running") || p.name.contains("weight") && p.shape.count == 1 || p.name.contains("bias") {
            for i in p.values.indices {
                p.values[i] = p.name.contains("running_var") ? Float.random(in: 0.5...2, using: &rng) : Float.random(in: -0.5...0.5, using: &rng) + (p.name.contains("weight") ? 1 : 0)
            }
        }
        return m
    }

    func codes(_ n: Int, rng: inout TestRNG) -> [UInt8] {
        (0..<n).map { _ in Int.random(in: 0..<50, using: &rng) == 0 ? 4 : UInt8.random(in: 0...3, using: &rng) }
    }

    func testSharedTrunkScoresEqualWindowsScoredOneByOne() throws {
        var rng = TestRNG(seed: 5)
        let cases: [(StrandMode, StrandCombination?)] = [(.rc, nil), (.conjoined, nil), (.standard, .forward), (.standard, .average), (.standard, .max)]
        var planned = 0
        for (strand, combination) in cases {
            for (a, arch) in architectures(strand).enumerated() {
                let m = try model(arch, seed: UInt64(a + 1))
                if m.scanPlan != nil { planned += 1 }
                XCTAssertEqual(m.scanPlan == nil, arch.name == "same", arch.name)
                for type in ScoreType.allCases {
                    let scorer = WindowScorer(model: m, settings: ScoreSettings(modelStrand: strand, requested: combination, type: type))
                    let scan = ConvolutionalScan(scorer: scorer)
                    let l = arch.inputLength
                    let seq = codes(l + 301, rng: &rng)
                    for stride in [1, 3, 7, 20] {
                        // Every window at the stride, and an irregular subset (mixed phases).
                        let all = Array(Swift.stride(from: 0, through: seq.count - l, by: stride))
                        for starts in [all, all.filter { _ in Bool.random(using: &rng) }] {
                            let got = scan.score(codes: seq, starts: starts)
                            var cut: [UInt8] = []
                            for s in starts { cut += seq[s..<(s + l)] }
                            let want = cut.withUnsafeBufferPointer { scorer.score(codes: $0, count: starts.count) }
                            XCTAssertEqual(got.count, want.count)
                            let worst = zip(got, want).map { abs($0 - $1) }.max() ?? 0
                            XCTAssertLessThanOrEqual(worst, 1e-5, "\(arch.name) \(strand) \(String(describing: combination)) \(type) stride \(stride)")
                        }
                    }
                }
            }
        }
        XCTAssertEqual(planned, 15)
    }

    func testScanPlanOfTheChipPresetPoolsPerWindow() throws {
        let m = try Model(try Architecture.preset("chip", outputs: 1, strand: .rc))
        let plan = try XCTUnwrap(m.scanPlan)
        XCTAssertEqual(plan.gridStride, 1)
        XCTAssertEqual(plan.pool, 40)
        XCTAssertEqual(plan.poolStride, 20)
        XCTAssertEqual(plan.headRows, 47)
        XCTAssertEqual(plan.channels, 32)
        XCTAssertEqual(plan.gridLength(1000), 960)
        XCTAssertNil(try Model(try Architecture.preset("koo-cnn2", outputs: 1, strand: .rc)).scanPlan)
    }
}

final class RunningMaxTests: XCTestCase {
    func testRunningMaximumMatchesNaiveWindows() throws {
        var rng = TestRNG(seed: 12)
        let m = try Model(try Architecture.preset("chip", outputs: 1, strand: .rc))
        let scan = ConvolutionalScan(scorer: WindowScorer(model: m, settings: ScoreSettings(modelStrand: .rc, requested: nil, type: .logit)))
        for (g, c, k) in [(100, 3, 40), (97, 5, 7), (40, 2, 40), (13, 4, 1), (64, 1, 16)] {
            let x = (0..<(g * c)).map { _ in Float.random(in: -3...3, using: &rng) }
            let out = scan.runningMax(x, length: g, channels: c, pool: k)
            for q in 0...(g - k) {
                for ch in 0..<c {
                    let want = (q..<(q + k)).map { x[$0 * c + ch] }.max() ?? .nan
                    XCTAssertEqual(out[q * c + ch], want, "g \(g) k \(k) row \(q)")
                }
            }
        }
    }
}
