import Foundation

/// What a model's outputs are trained to predict, and with which loss.
public enum Objective: String, Codable, Sendable, CaseIterable {
    /// Binary labels: one logit per task, binary cross-entropy.
    case binary = "bce"
    /// Counts per window: one value per task, mean squared error against the dataset's
    /// targets (log1p of the counts unless the dataset says otherwise).
    case mse
    /// Counts per window: one log rate per task, Poisson negative log-likelihood against the
    /// raw counts (PyTorch's PoissonNLLLoss with log_input=True, full=False).
    case poisson
    /// Profiles (a `profilehead`): BPNet's multinomial negative log-likelihood of each task's
    /// profile, plus `countWeight` times the mean squared error of the log total count
    /// (log(1 + total)).
    case profile

    /// True for the regression objectives.
    public var isRegression: Bool { self != .binary }
}

/// The loss of an objective over a batch, with its gradient with respect to the outputs.
///
/// Targets per item: T labels (binary), T targets (mse, poisson), or a profile model's P * T
/// observed counts laid out (P, T) followed by T log(1 + total) (profile). Every loss is a mean
/// over items and tasks; task weights multiply each task's term.
public struct ObjectiveLoss: Sendable {
    public var objective: Objective
    /// Per-task weights (nil: all 1).
    public var taskWeights: [Float]?
    /// Weight of the log-count term of the profile loss.
    public var countWeight: Float
    /// Profile positions (profile objective).
    public var profileLength: Int

    public init(objective: Objective, taskWeights: [Float]? = nil, countWeight: Float = 1, profileLength: Int = 0) {
        self.objective = objective
        self.taskWeights = taskWeights
        self.countWeight = countWeight
        self.profileLength = profileLength
    }

    /// The loss and its gradient with respect to `outputs` (B, width).
    public func callAsFunction(outputs: Tensor, targets: [Float]) -> (loss: Float, gradient: Tensor) {
        switch objective {
        case .binary: return BinaryCrossEntropy(taskWeights: taskWeights)(logits: outputs, labels: targets)
        case .mse, .poisson: return counts(outputs, targets)
        case .profile: return profile(outputs, targets)
        }
    }

    /// Mean squared error, or Poisson NLL on log rates, over (B, T).
    private func counts(_ z: Tensor, _ y: [Float]) -> (Float, Tensor) {
        let t = z.shape.last ?? 1
        let n = Float(z.count)
        var loss = 0.0
        var grad = Tensor(shape: z.shape)
        for i in 0..<z.count {
            let w = taskWeights?[i % t] ?? 1
            if objective == .poisson {
                let rate = Foundation.exp(z.data[i])
                loss += Double(w * (rate - y[i] * z.data[i]))
                grad.data[i] = w * (rate - y[i]) / n
            } else {
                let d = z.data[i] - y[i]
                loss += Double(w * d * d)
                grad.data[i] = w * 2 * d / n
            }
        }
        return (Float(loss / Double(n)), grad)
    }

    /// Multinomial NLL of every task's profile (softmax over P) plus the weighted MSE of the
    /// log counts, each a mean over (B, T).
    private func profile(_ z: Tensor, _ y: [Float]) -> (Float, Tensor) {
        let P = profileLength, b = z.batch
        let width = z.itemSize, t = width / (P + 1)
        let n = Float(b * t)
        var nll = 0.0, mse = 0.0
        var grad = Tensor(shape: z.shape)
        var logp = [Double](repeating: 0, count: P)
        for i in 0..<b {
            let base = i * width
            for k in 0..<t {
                let w = taskWeights?[k] ?? 1
                // Log-softmax over the P positions of task k.
                var top = -Double.infinity
                for q in 0..<P { top = max(top, Double(z.data[base + q * t + k])) }
                var sum = 0.0
                for q in 0..<P { sum += Foundation.exp(Double(z.data[base + q * t + k]) - top) }
                let lse = top + Foundation.log(sum)
                var total = 0.0, ll = 0.0
                for q in 0..<P {
                    let obs = Double(y[base + q * t + k])
                    logp[q] = Double(z.data[base + q * t + k]) - lse
                    total += obs
                    ll += obs * logp[q] - Foundation.lgamma(obs + 1)
                }
                ll += Foundation.lgamma(total + 1)
                nll -= Double(w) * ll
                for q in 0..<P {
                    let obs = Double(y[base + q * t + k])
                    grad.data[base + q * t + k] = w * Float(total * Foundation.exp(logp[q]) - obs) / n
                }
                let d = z.data[base + P * t + k] - y[base + P * t + k]
                mse += Double(w * d * d)
                grad.data[base + P * t + k] = countWeight * w * 2 * d / n
            }
        }
        return (Float((nll + Double(countWeight) * mse) / Double(n)), grad)
    }
}
