import NeuralNet

/// Contribution scores of one sequence: what TF-MoDISco reads, and how well they add up.
public struct Contributions: Sendable {
    /// (L, 4): the contribution of the base present at each position (0 for the others).
    public var map: [Float]
    /// (L, 4): hypothetical contributions, the score each base would get at each position.
    public var hypothetical: [Float]
    /// The largest |sum of a reference's contributions - (f(x) - f(reference))| over the
    /// references (the completeness check; DeepLIFT's summation-to-delta).
    public var delta: Float
}

/// The settings of DeepLIFT/SHAP and integrated gradients.
public struct ContributionSettings: Sendable {
    /// DeepLIFT/SHAP's references; integrated gradients' baseline (its first reference).
    public var references: ReferenceKind = .shuffles(20)
    /// Seeds the shuffled references.
    public var seed: UInt64 = 1
    /// Integrated gradients: points of the path integral (midpoint rule).
    public var steps = 50

    public init() {}
}

extension Attributor {
    /// DeepLIFT with the rescale rule (Shrikumar et al. 2017) averaged over references, as
    /// DeepSHAP does: for each reference r the multipliers m_r of the explained logit (one
    /// forward pass of the batch [x; r_1, ..., r_R] and one backward pass of the R pairs under
    /// `BackwardRule.deepLiftRescale`), then hypothetical contributions
    /// h_r[l, b] = m_r[l, b] - sum_c r[l, c] m_r[l, c], averaged over the references, and the
    /// contributions h * x. When the explained logit averages both strands, the reverse
    /// strand's multipliers (of rc(x) against rc(r)) are mirrored back and averaged in.
    /// `codes`: one sequence (L); `references`: (L, 4) each.
    public func deepLiftShap(codes: ArraySlice<UInt8>, references: [[Float]]) -> Contributions {
        let l = codes.count, n = references.count
        let x = ReferenceKind.oneHot(Array(codes))
        let forward = deepLiftPass(x: x, references: references, length: l)
        var multipliers = forward.multipliers
        var fx = forward.fx, fr = forward.fr
        if averageStrands {
            let reverse = deepLiftPass(x: mirrored(x, length: l), references: references.map { mirrored($0, length: l) }, length: l)
            for r in 0..<n {
                let back = mirrored(reverse.multipliers[r], length: l)
                for e in back.indices { multipliers[r][e] = (multipliers[r][e] + back[e]) / 2 }
                fr[r] = (fr[r] + reverse.fr[r]) / 2
            }
            fx = (fx + reverse.fx) / 2
        }
        return combine(x: x, references: references, multipliers: multipliers, fx: fx, fr: fr, length: l)
    }

    /// Integrated gradients (Sundararajan et al. 2017) from `baseline` (L, 4) to the sequence:
    /// the mean gradient of the explained logit at the `steps` midpoints
    /// baseline + (k - 1/2) / steps * (x - baseline), k = 1...steps; hypothetical contributions
    /// g[l, b] - sum_c baseline[l, c] g[l, c] and contributions (x - baseline) . g at the base present.
    public func integratedGradients(codes: ArraySlice<UInt8>, baseline: [Float], steps: Int) -> Contributions {
        let l = codes.count, s = max(1, steps)
        let x = ReferenceKind.oneHot(Array(codes))
        var points = [Float](repeating: 0, count: s * l * 4)        // (S, L, 4)
        for k in 0..<s {
            let alpha = (Float(k) + 0.5) / Float(s)
            for e in 0..<(l * 4) { points[k * l * 4 + e] = baseline[e] + alpha * (x[e] - baseline[e]) }
        }
        var mean = meanGradient(Tensor(shape: [s, l, 4], data: points), length: l)
        if averageStrands {
            let back = mirrored(meanGradient(Tensor(shape: [s, l, 4], data: points).reverseComplemented(), length: l), length: l)
            for e in mean.indices { mean[e] = (mean[e] + back[e]) / 2 }
        }
        let ends = logits(Tensor(shape: [2, l, 4], data: x + baseline))   // the explained logits of x and the baseline
        return combine(x: x, references: [baseline], multipliers: [mean], fx: ends[0], fr: [ends[1]], length: l)
    }

    /// Hypothetical contributions averaged over the references, contributions, completeness.
    private func combine(x: [Float], references: [[Float]], multipliers: [[Float]], fx: Float, fr: [Float], length l: Int) -> Contributions {
        var hypothetical = [Float](repeating: 0, count: l * 4)
        var delta: Float = 0
        let share = 1 / Float(references.count)
        for (r, ref) in references.enumerated() {
            let m = multipliers[r]
            var total: Float = 0
            for p in 0..<l {
                var projected: Float = 0
                for c in 0..<4 { projected += ref[p * 4 + c] * m[p * 4 + c] }
                for b in 0..<4 {
                    hypothetical[p * 4 + b] += (m[p * 4 + b] - projected) * share
                    total += (x[p * 4 + b] - ref[p * 4 + b]) * m[p * 4 + b]
                }
            }
            delta = max(delta, abs(total - (fx - fr[r])))
        }
        var map = hypothetical
        for e in map.indices { map[e] *= x[e] }
        return Contributions(map: map, hypothetical: hypothetical, delta: delta)
    }

    /// One strand's DeepLIFT pass: the multipliers (L, 4) against each reference and the
    /// explained task's logits of x and of each reference.
    private func deepLiftPass(x: [Float], references: [[Float]], length l: Int) -> (multipliers: [[Float]], fx: Float, fr: [Float]) {
        let n = references.count, t = model.architecture.outputs
        var batch = x
        batch.reserveCapacity((n + 1) * l * 4)
        for r in references { batch += r }
        let passes = PassWorkspace(parameterGradients: false, rule: .deepLiftRescale)
        let y = model.forward(Tensor(shape: [n + 1, l, 4], data: batch), training: false, workspace: passes)   // (n + 1, T)
        var d = Tensor(shape: [n, t])                                                                        // (n pairs, T)
        for i in 0..<n { d.data[i * t + task] = 1 }
        let dx = model.backward(d, workspace: passes)                                                      // (n, L, 4)
        let multipliers = (0..<n).map { Array(dx.data[($0 * l * 4)..<(($0 + 1) * l * 4)]) }
        return (multipliers, y.data[task], (0..<n).map { y.data[(1 + $0) * t + task] })
    }

    /// The mean over the batch of the input gradient of the task's logit: (B, L, 4) -> (L, 4).
    private func meanGradient(_ x: Tensor, length l: Int) -> [Float] {
        let b = x.shape[0], t = model.architecture.outputs
        let passes = PassWorkspace(parameterGradients: false)
        let y = model.forward(x, training: false, workspace: passes)
        var d = Tensor(shape: y.shape)
        for i in 0..<b { d.data[i * t + task] = 1 }
        let g = model.backward(d, workspace: passes)
        var mean = [Float](repeating: 0, count: l * 4)
        for i in 0..<b { for e in 0..<(l * 4) { mean[e] += g.data[i * l * 4 + e] } }
        for e in mean.indices { mean[e] /= Float(b) }
        return mean
    }
}
