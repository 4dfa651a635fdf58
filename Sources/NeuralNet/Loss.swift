import Foundation

/// Binary cross-entropy on logits, averaged over batch and tasks (optionally weighted per
/// task), in the numerically stable form max(z, 0) - z * y + log(1 + exp(-|z|)).
public struct BinaryCrossEntropy: Sendable {
    /// Per-task weights (nil: all 1).
    public var taskWeights: [Float]?

    public init(taskWeights: [Float]? = nil) { self.taskWeights = taskWeights }

    /// The loss and its gradient with respect to the logits (B, T); labels (B, T) in {0, 1}.
    public func callAsFunction(logits: Tensor, labels: [Float]) -> (loss: Float, gradient: Tensor) {
        let t = logits.shape.last ?? 1
        let n = Float(logits.count)
        var loss: Double = 0
        var grad = Tensor(shape: logits.shape)
        for i in 0..<logits.count {
            let z = logits.data[i], y = labels[i]
            let w = taskWeights?[i % t] ?? 1
            loss += Double(w * (max(z, 0) - z * y + Foundation.log1p(Foundation.exp(-abs(z)))))
            grad.data[i] = w * (1 / (1 + Foundation.exp(-z)) - y) / n
        }
        return (Float(loss / Double(n)), grad)
    }
}

/// Adam (Kingma & Ba) with optional L2 regularisation (added to the gradient, as Keras'
/// kernel regularizers do), decoupled weight decay (AdamW), and gradient-norm clipping.
public final class Adam {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// L2 coefficient: gradient += 2 * l2 * w (Keras' l2 regularizer).
    public var l2: Float
    /// Decoupled weight decay: w -= lr * decay * w.
    public var weightDecay: Float
    /// Clip the global gradient norm to this value (nil: no clipping).
    public var clipNorm: Float?
    /// Steps taken.
    public private(set) var step = 0
    /// First and second moments of every trainable value, one contiguous array each: the
    /// trainable parameters of `update` one after another, in its order.
    public private(set) var m: [Float] = []
    public private(set) var v: [Float] = []

    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-7,
                l2: Float = 0, weightDecay: Float = 0, clipNorm: Float? = nil) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.l2 = l2
        self.weightDecay = weightDecay
        self.clipNorm = clipNorm
    }

    /// Restores the optimiser state (for resuming); empty moments start from 0 at the next update.
    public func restore(step: Int, m: [Float], v: [Float]) {
        self.step = step
        self.m = m
        self.v = v
    }

    /// One update of every trainable parameter from its gradient.
    public func update(_ parameters: [Parameter]) {
        let trainable = parameters.filter(\.trainable)
        let total = trainable.reduce(0) { $0 + $1.count }
        if m.count != total {
            m = [Float](repeating: 0, count: total)
            v = m
        }
        step += 1
        var scale: Float = 1
        if let clipNorm {
            var sq: Double = 0
            for p in trainable { for g in p.gradient { sq += Double(g * g) } }
            let norm = Float(sq.squareRoot())
            if norm > clipNorm { scale = clipNorm / norm }
        }
        let c1 = 1 - Foundation.pow(beta1, Float(step)), c2 = 1 - Foundation.pow(beta2, Float(step))
        var at = 0
        for p in trainable {
            let w = p.values, dw = p.gradient
            for i in 0..<p.count {
                let g = dw[i] * scale + 2 * l2 * w[i]
                let j = at + i
                m[j] = beta1 * m[j] + (1 - beta1) * g
                v[j] = beta2 * v[j] + (1 - beta2) * g * g
                let mh = m[j] / c1, vh = v[j] / c2
                w[i] -= learningRate * (mh / (vh.squareRoot() + epsilon) + weightDecay * w[i])
            }
            at += p.count
        }
    }
}
