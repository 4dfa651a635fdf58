import Foundation
@testable import NeuralNet
import XCTest

/// The regression losses against central finite differences and against their formulas
/// written out directly; the RC profile head's exact equivariance; the regression metrics on
/// hand-computed cases.
final class ObjectiveTests: XCTestCase {
    private func random(_ shape: [Int], _ rng: inout NetRandom, scale: Float = 1) -> Tensor {
        var t = Tensor(shape: shape)
        for i in t.data.indices { t.data[i] = rng.uniform(scale) }
        return t
    }

    /// Checks the gradient of `loss` at `z` by central differences in Float64 of the loss value.
    private func checkGradient(_ loss: ObjectiveLoss, _ z: Tensor, _ y: [Float], file: StaticString = #filePath, line: UInt = #line) {
        let (_, g) = loss(outputs: z, targets: y)
        var probe = z
        let eps: Float = 1e-2
        for i in z.data.indices {
            probe.data[i] = z.data[i] + eps
            let up = Double(loss(outputs: probe, targets: y).loss)
            probe.data[i] = z.data[i] - eps
            let down = Double(loss(outputs: probe, targets: y).loss)
            probe.data[i] = z.data[i]
            let numeric = (up - down) / Double(2 * eps)
            XCTAssertEqual(numeric, Double(g.data[i]), accuracy: 2e-3 * max(1, abs(numeric)), "\(loss.objective) output \(i)", file: file, line: line)
        }
    }

    func testCountLossesMatchFormulasAndFiniteDifferences() {
        var rng = NetRandom(seed: 11)
        let z = random([4, 3], &rng)
        let y = (0..<12).map { Float($0 % 5) }
        let mse = ObjectiveLoss(objective: .mse, taskWeights: [1, 2, 0.5])
        let poisson = ObjectiveLoss(objective: .poisson)
        var expectMSE = 0.0, expectPoisson = 0.0
        for i in 0..<12 {
            let w = [1.0, 2.0, 0.5][i % 3]
            expectMSE += w * pow(Double(z.data[i]) - Double(y[i]), 2)
            expectPoisson += exp(Double(z.data[i])) - Double(y[i]) * Double(z.data[i])
        }
        XCTAssertEqual(Double(mse(outputs: z, targets: y).loss), expectMSE / 12, accuracy: 1e-5)
        XCTAssertEqual(Double(poisson(outputs: z, targets: y).loss), expectPoisson / 12, accuracy: 1e-5)
        checkGradient(mse, z, y)
        checkGradient(poisson, z, y)
    }

    func testProfileLossMatchesMultinomialAndFiniteDifferences() {
        var rng = NetRandom(seed: 12)
        let P = 6, T = 2, B = 3
        let z = random([B, P * T + T], &rng, scale: 2)
        var y = [Float](repeating: 0, count: B * (P * T + T))
        for i in 0..<B {
            for t in 0..<T {
                var total: Float = 0
                for q in 0..<P {
                    let v = Float((i + 2 * q + 3 * t) % 4)
                    y[i * (P * T + T) + q * T + t] = v
                    total += v
                }
                y[i * (P * T + T) + P * T + t] = log1p(total)
            }
        }
        let loss = ObjectiveLoss(objective: .profile, countWeight: 3, profileLength: P)
        // -log Multinomial(y; N, softmax(z)) + 3 (c - log(1 + N))^2, each a mean over (B, T).
        var nll = 0.0, mse = 0.0
        for i in 0..<B {
            for t in 0..<T {
                let logits = (0..<P).map { Double(z.data[i * (P * T + T) + $0 * T + t]) }
                let obs = (0..<P).map { Double(y[i * (P * T + T) + $0 * T + t]) }
                let lse = log(logits.map(exp).reduce(0, +))
                let n = obs.reduce(0, +)
                var ll: Double = Foundation.lgamma(n + 1)
                for q in 0..<P {
                    let term: Double = obs[q] * (logits[q] - lse)
                    ll += term - Foundation.lgamma(obs[q] + 1)
                }
                nll -= ll
                mse += pow(Double(z.data[i * (P * T + T) + P * T + t]) - log1p(n), 2)
            }
        }
        XCTAssertEqual(Double(loss(outputs: z, targets: y).loss), (nll + 3 * mse) / Double(B * T), accuracy: 1e-4)
        checkGradient(loss, z, y)
    }

    /// A small rc profile model: the profile of rc(x) is the profile of x reversed, and the
    /// counts are equal, to 1e-6 relative; a standard model's are not.
    func testRCProfileModelIsExactlyEquivariant() throws {
        let layers = [LayerSpec(type: .conv, filters: 6, kernel: 7, padding: .valid, bias: true), LayerSpec(type: .batchnorm),
                      LayerSpec(type: .activation, function: .relu), LayerSpec(type: .conv, filters: 5, kernel: 5, padding: .valid, bias: true),
                      LayerSpec(type: .activation, function: .relu), LayerSpec(type: .profilehead, kernel: 9, profile: 40)]
        var rng = NetRandom(seed: 3)
        let x = oneHotRandom(batch: 4, length: 100, &rng)
        for strand in [StrandMode.rc, .standard] {
            let arch = Architecture(name: "tiny", inputLength: 100, outputs: 2, strand: strand, layers: layers, objective: .profile)
            let model = try Model(arch, seed: 5)
            // Non-trivial batch-norm statistics.
            for p in model.parameters where !p.trainable { for i in p.values.indices { p.values[i] = p.name.hasSuffix("var") ? 0.5 + abs(rng.uniform(1)) : rng.uniform(1) } }
            XCTAssertEqual(arch.outputWidth, 40 * 2 + 2)
            let a = model.inference(x)
            var b = model.inference(x.reverseComplemented())
            model.reverseProfiles(&b)
            let worst = zip(a.data, b.data).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 1
            if strand == .rc {
                XCTAssertLessThanOrEqual(worst, 1e-6, "rc profile model is not equivariant")
            } else {
                XCTAssertGreaterThan(worst, 1e-3, "a standard model cannot be equivariant by chance")
            }
        }
    }

    /// Stranded pairs and bins: in an rc model the profile of rc(x) is that of x reversed with
    /// each pair's strands swapped (profiles and counts), to 1e-6; without the swap it is not.
    /// A binned head's logits are the log-sum-exp of the same weights' per-base logits.
    func testStrandedBinnedRCProfileHead() throws {
        func layers(profile: Int, bin: Int?, pairs: [[Int]]?) -> [LayerSpec] {
            [LayerSpec(type: .conv, filters: 6, kernel: 7, padding: .valid, bias: true), LayerSpec(type: .activation, function: .relu),
             LayerSpec(type: .conv, filters: 5, kernel: 5, padding: .valid, bias: true), LayerSpec(type: .activation, function: .relu),
             LayerSpec(type: .profilehead, kernel: 9, profile: profile, bin: bin, pairs: pairs)]
        }
        var rng = NetRandom(seed: 8)
        let x = oneHotRandom(batch: 3, length: 100, &rng)
        // Tasks: 0 unstranded, 2 the plus and 1 the minus strand of one signal.
        let pairs = [[2, 1]]
        for strand in [StrandMode.rc, .standard] {
            let arch = Architecture(name: "tiny", inputLength: 100, outputs: 3, strand: strand, layers: layers(profile: 10, bin: 4, pairs: pairs), objective: .profile)
            let model = try Model(arch, seed: 5)
            for p in model.parameters where p.name.hasSuffix("bias") { for i in p.values.indices { p.values[i] = rng.uniform(0.5) } }
            XCTAssertEqual(arch.outputWidth, 10 * 3 + 3)
            let a = model.inference(x)
            let r = model.inference(x.reverseComplemented())
            var b = r
            model.reverseProfiles(&b)
            let worst = zip(a.data, b.data).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 1
            // Reversed without swapping the strands: the pair's values differ.
            var unswapped = r
            for i in 0..<3 {
                for q in 0..<10 { for t in 0..<3 { unswapped.data[i * 33 + q * 3 + t] = r.data[i * 33 + (9 - q) * 3 + t] } }
            }
            let plainWorst = zip(a.data, unswapped.data).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 1
            if strand == .rc {
                XCTAssertLessThanOrEqual(worst, 1e-6, "stranded rc profile model is not equivariant")
                XCTAssertGreaterThan(plainWorst, 1e-3, "the strands of a pair must swap under rc")
            } else {
                XCTAssertGreaterThan(worst, 1e-3, "a standard model cannot be equivariant by chance")
            }
            // The same weights at base resolution: each bin's logit is the log-sum-exp of its 4 bases'.
            let base = try Model(Architecture(name: "tiny", inputLength: 100, outputs: 3, strand: strand, layers: layers(profile: 40, bin: nil, pairs: pairs), objective: .profile), seed: 5)
            for (p, q) in zip(base.parameters, model.parameters) { for i in p.values.indices { p.values[i] = q.values[i] } }
            let z = base.inference(x)
            var gap: Float = 0
            for i in 0..<3 {
                for q in 0..<10 {
                    for t in 0..<3 {
                        let logits = (0..<4).map { Double(z.data[i * 123 + (q * 4 + $0) * 3 + t]) }
                        let top = logits.max() ?? 0
                        let lse = top + log(logits.map { exp($0 - top) }.reduce(0, +))
                        gap = max(gap, abs(Float(lse) - a.data[i * 33 + q * 3 + t]))
                    }
                }
                for t in 0..<3 { gap = max(gap, abs(z.data[i * 123 + 120 + t] - a.data[i * 33 + 30 + t])) }
            }
            XCTAssertLessThanOrEqual(gap, 1e-5, "binned logits are not the log-sum-exp of the per-base logits")
        }
    }

    /// A reverse-complemented row of stranded tasks takes each strand's targets from its
    /// partner, reversed (profiles) or as they are (counts); unstranded tasks keep their own.
    func testFlippedRowsSwapTheStrandsOfPairs() {
        // One row of 4 bases; tasks 0 (unstranded), 1 plus and 2 minus; profiles (3, 4).
        let seq: [UInt8] = [0, 1, 2, 3]
        let profiles: [Float] = [1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400]
        let counts: [Float] = [7, 8, 9]
        let label: [UInt8] = [0]
        var rows = LabelledRows(length: 4, tasks: 3, rows: [0], sequence: { _ in seq.withUnsafeBufferPointer { $0 } },
                                labels: { _ in label.withUnsafeBufferPointer { $0 } })
        rows.objective = .profile
        rows.profileLength = 4
        rows.profiles = { _ in profiles.withUnsafeBufferPointer { $0 } }
        rows.partner = [0, 2, 1]
        let (_, y) = rows.batch([0], flip: [true])
        // (P, T) then log1p totals: task 0 reversed; task 1 = task 2's profile reversed; task 2 = task 1's.
        XCTAssertEqual(Array(y[0..<12]), [4, 400, 40, 3, 300, 30, 2, 200, 20, 1, 100, 10])
        XCTAssertEqual(y[13], log1p(1000), accuracy: 1e-4)
        let (_, straight) = rows.batch([0], flip: [false])
        XCTAssertEqual(Array(straight[0..<3]), [1, 10, 100])
        rows.objective = .mse
        rows.targets = { _ in counts.withUnsafeBufferPointer { $0 } }
        XCTAssertEqual(rows.batch([0], flip: [true]).1, [7, 9, 8])
        XCTAssertEqual(rows.batch([0], flip: [false]).1, [7, 8, 9])
    }

    private func oneHotRandom(batch: Int, length: Int, _ rng: inout NetRandom) -> Tensor {
        let codes = (0..<(batch * length)).map { _ in UInt8(rng.next() % 4) }
        return codes.withUnsafeBufferPointer { oneHot(codes: $0, batch: batch, length: length) }
    }

    func testRegressionMetricsOnHandComputedCases() throws {
        // numpy.corrcoef and scipy.stats.spearmanr give these values.
        XCTAssertEqual(try XCTUnwrap(pearson([1, 2, 3, 4], [2, 4, 6, 8.5])), 0.9983814394570298, accuracy: 1e-12)
        XCTAssertNil(pearson([1, 1, 1], [1, 2, 3]))
        // Ties take the mean rank: ranks (1.5, 1.5, 3, 4) against (1, 2, 3, 4).
        XCTAssertEqual(averageRanks([5, 5, 7, 9]), [1.5, 1.5, 3, 4])
        XCTAssertEqual(try XCTUnwrap(spearman([5, 5, 7, 9], [1, 2, 3, 4])), 0.9486832980505139, accuracy: 1e-12)
        // scipy.spatial.distance.jensenshannon([1, 0], [0, 1]) = sqrt(ln 2).
        XCTAssertEqual(try XCTUnwrap(jensenShannonDistance([1, 0], [0, 1])), log(2).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(jensenShannonDistance([2, 2], [5, 5])), 0, accuracy: 1e-12)
        XCTAssertNil(jensenShannonDistance([0, 0], [1, 1]))
        XCTAssertEqual(median([3, 1, 2]), 2)
        XCTAssertEqual(median([4, 1, 2, 3]), 2.5)
    }

    /// A profile batch: the stored (T, P + 2J) rows become (P, T) targets at the shifted window,
    /// reversed with the sequence when flipped, then log(1 + total) per task.
    func testProfileBatchShiftsAndFlipsWithTheSequence() {
        let P = 4, J = 2, T = 2, L = 6
        // One row: bases 0..9 (A C G T A C G T A C), profiles task0 = 1..8, task1 = 10..80.
        let seq = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: L + 2 * J)
        let prof = UnsafeMutableBufferPointer<Float>.allocate(capacity: T * (P + 2 * J))
        defer { seq.deallocate(); prof.deallocate() }
        for i in seq.indices { seq[i] = UInt8(i % 4) }
        for i in 0..<(P + 2 * J) { prof[i] = Float(i + 1); prof[P + 2 * J + i] = Float((i + 1) * 10) }
        var rows = LabelledRows(length: L, tasks: T, rows: [0], jitter: J,
                                sequence: { _ in UnsafeBufferPointer(seq) }, labels: { _ in UnsafeBufferPointer(start: nil, count: 0) })
        rows.objective = .profile
        rows.profileLength = P
        rows.profiles = { _ in UnsafeBufferPointer(prof) }
        // Shift +1: the window is stored bases 3..8, the profile stored positions 3..6.
        let (x, y) = rows.batch([0], shift: [1])
        XCTAssertEqual((0..<L).map { i in (0..<4).first { x.data[i * 4 + $0] == 1 } ?? -1 }, [3, 0, 1, 2, 3, 0])
        XCTAssertEqual(Array(y[0..<(P * T)]), [4, 40, 5, 50, 6, 60, 7, 70])
        XCTAssertEqual(y[P * T], log1p(22), accuracy: 1e-6)
        XCTAssertEqual(y[P * T + 1], log1p(220), accuracy: 1e-5)
        // Flipped at shift -2: stored positions 0..3 reversed.
        let (_, z) = rows.batch([0], flip: [true], shift: [-2])
        XCTAssertEqual(Array(z[0..<(P * T)]), [4, 40, 3, 30, 2, 20, 1, 10])
    }
}
