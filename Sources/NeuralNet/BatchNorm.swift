/// Batch normalisation over the channels of (B, L, C) or (B, C) tensors, with running
/// statistics for inference (Keras defaults: momentum 0.99, epsilon 1e-3).
///
/// With `reverseComplement`, channel c and channel C-1-c (a filter and its reverse
/// complement in the RC layout) share gamma, beta and statistics computed over both
/// strands: C/2 sets of parameters (RevCompConv1DBatchNorm of Shrikumar et al.).
public final class BatchNorm: Layer {
    public let channels: Int
    public let reverseComplement: Bool
    public let momentum: Float
    public let epsilon: Float
    /// (groups): gamma, beta, running mean and variance; groups = C, or C/2 when RC.
    public let gamma: Parameter
    public let beta: Parameter
    public let runningMean: Parameter
    public let runningVar: Parameter

    private var xhat: [Float] = []
    private var invStd: [Float] = []
    private var shape: [Int] = []
    private var lastTraining = false

    public var kind: String { reverseComplement ? "RevCompConv1DBatchNorm" : "BatchNormalization" }

    public init(name: String, channels: Int, reverseComplement: Bool = false, momentum: Float = 0.99, epsilon: Float = 1e-3) {
        self.channels = channels
        self.reverseComplement = reverseComplement
        self.momentum = momentum
        self.epsilon = epsilon
        let groups = reverseComplement ? channels / 2 : channels
        gamma = Parameter(name: name + ".weight", shape: [groups], value: 1)
        beta = Parameter(name: name + ".bias", shape: [groups])
        runningMean = Parameter(name: name + ".running_mean", shape: [groups], trainable: false)
        runningVar = Parameter(name: name + ".running_var", shape: [groups], trainable: false, value: 1)
    }

    public var parameters: [Parameter] { [gamma, beta, runningMean, runningVar] }

    var groups: Int { reverseComplement ? channels / 2 : channels }

    /// The parameter group of channel c.
    @inline(__always) func group(_ c: Int) -> Int { reverseComplement ? min(c, channels - 1 - c) : c }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard input.last == channels else { throw NetworkError.shape("\(kind) expects \(channels) channels, got \(input)") }
        if reverseComplement && channels % 2 != 0 { throw NetworkError.shape("\(kind) needs an even channel count") }
        return input
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        // x (N, C) viewed as rows of C channels, N = B * L
        let c = channels, n = x.count / c, g = groups
        shape = x.shape
        lastTraining = training
        var mean = [Float](repeating: 0, count: g), variance = [Float](repeating: 0, count: g)
        if training {
            let perGroup = Float(n * (reverseComplement ? 2 : 1))
            var sum = [Double](repeating: 0, count: g), sq = [Double](repeating: 0, count: g)
            x.data.withUnsafeBufferPointer { xs in
                for r in 0..<n { for k in 0..<c { let v = Double(xs[r * c + k]); sum[group(k)] += v; sq[group(k)] += v * v } }
            }
            for j in 0..<g {
                let m = sum[j] / Double(perGroup)
                mean[j] = Float(m)
                variance[j] = Float(max(sq[j] / Double(perGroup) - m * m, 0))
                runningMean.values[j] = momentum * runningMean.values[j] + (1 - momentum) * mean[j]
                runningVar.values[j] = momentum * runningVar.values[j] + (1 - momentum) * variance[j]
            }
        } else {
            mean = runningMean.values
            variance = runningVar.values
        }
        invStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        var y = Tensor(shape: x.shape)
        xhat = [Float](repeating: 0, count: x.count)
        x.data.withUnsafeBufferPointer { xs in
            y.data.withUnsafeMutableBufferPointer { ys in
                for r in 0..<n {
                    for k in 0..<c {
                        let j = group(k)
                        let h = (xs[r * c + k] - mean[j]) * invStd[j]
                        xhat[r * c + k] = h
                        ys[r * c + k] = gamma.values[j] * h + beta.values[j]
                    }
                }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        let c = channels, n = dy.count / c, g = groups
        var dGamma = [Float](repeating: 0, count: g), dBeta = [Float](repeating: 0, count: g)
        var dx = Tensor(shape: shape)
        dy.data.withUnsafeBufferPointer { ds in
            for r in 0..<n {
                for k in 0..<c {
                    dGamma[group(k)] += ds[r * c + k] * xhat[r * c + k]
                    dBeta[group(k)] += ds[r * c + k]
                }
            }
            for j in 0..<g {
                gamma.gradient[j] += dGamma[j]
                beta.gradient[j] += dBeta[j]
            }
            dx.data.withUnsafeMutableBufferPointer { xs in
                if !lastTraining {
                    for r in 0..<n { for k in 0..<c { xs[r * c + k] = ds[r * c + k] * gamma.values[group(k)] * invStd[group(k)] } }
                    return
                }
                // dx = gamma * invStd / N * (N * dy - sum(dy) - xhat * sum(dy * xhat)), per group.
                let m = Float(n * (reverseComplement ? 2 : 1))
                for r in 0..<n {
                    for k in 0..<c {
                        let j = group(k)
                        xs[r * c + k] = gamma.values[j] * invStd[j] / m * (m * ds[r * c + k] - dBeta[j] - xhat[r * c + k] * dGamma[j])
                    }
                }
            }
        }
        return dx
    }
}
