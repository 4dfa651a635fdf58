/// Shrikumar et al.'s WeightedSum1D: a learned weight per position and channel, summed over
/// length, (B, L, C) -> (B, C). With `tiedRC` (input in the RC layout, C = 2F) channel
/// 2F-1-c at position L-1-l uses the weight of channel c at position l: (L, F) parameters,
/// and the output of rc(x) is the output of x with its channels reversed.
public final class WeightedSum1D: Layer {
    public let length: Int
    public let channels: Int
    public let tiedRC: Bool
    /// (L, F) when tied, else (L, C).
    public let weight: Parameter

    public var kind: String { tiedRC ? "WeightedSum1D(revcomp)" : "WeightedSum1D" }
    public var parameters: [Parameter] { [weight] }

    public init(name: String, length: Int, channels: Int, tiedRC: Bool) {
        self.length = length
        self.channels = channels
        self.tiedRC = tiedRC
        weight = Parameter(name: name + ".weight", shape: [length, tiedRC ? channels / 2 : channels])
    }

    /// Uniform weights 1/L (a mean over length to start with).
    public func initialise() {
        weight.values.update(repeating: 1 / Float(length))
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard input == [length, channels] else { throw NetworkError.shape("\(kind) expects (\(length), \(channels)), got \(input)") }
        return [channels]
    }

    /// Index of the weight used by position l, channel c.
    @inline(__always) private func index(_ l: Int, _ c: Int) -> Int {
        guard tiedRC else { return l * channels + c }
        let f = channels / 2
        return c < f ? l * f + c : (length - 1 - l) * f + (channels - 1 - c)
    }

    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        workspace.cache(self, InputCache.init).input = x
        return infer(x)
    }

    public func infer(_ x: Tensor) -> Tensor {
        // (B, L, C) . w (L, C) summed over L -> (B, C)
        let (b, l, c) = (x.shape[0], x.shape[1], x.shape[2])
        var y = Tensor(shape: [b, c])
        let w = weight.values
        for i in 0..<b { for t in 0..<l { for k in 0..<c { y.data[i * c + k] += x.data[(i * l + t) * c + k] * w[index(t, k)] } } }
        return y
    }

    public func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        let input = workspace.cache(self, InputCache.init).input
        precondition(input.shape.count == 3, "\(kind).backward needs a forward into the workspace first")
        let (b, l, c) = (dy.shape[0], input.shape[1], input.shape[2])
        var dx = Tensor(shape: [b, l, c])
        let w = weight.values, gw = weight.gradient, parameters = workspace.accumulatesParameterGradients
        precondition(!parameters || b == input.shape[0], "a weight gradient needs dy for every item of the forward")
        for i in 0..<b {
            for t in 0..<l {
                for k in 0..<c {
                    let g = dy.data[i * c + k]
                    dx.data[(i * l + t) * c + k] = g * w[index(t, k)]
                    if parameters { gw[index(t, k)] += g * input.data[(i * l + t) * c + k] }
                }
            }
        }
        return dx
    }
}

/// Shrikumar et al.'s DenseAfterRevcompWeightedSum: a dense layer on the 2F features of an RC
/// weighted sum whose weights for feature 2F-1-c equal those of feature c, so that the output
/// is the same for a sequence and its reverse complement. Learns (F, Out).
public final class DenseAfterRevcompWeightedSum: Dense {
    public override var kind: String { "DenseAfterRevcompWeightedSum" }

    public init(name: String, channels: Int, outFeatures: Int, useBias: Bool = true) {
        super.init(name: name, inFeatures: channels, outFeatures: outFeatures, useBias: useBias, weightShape: [channels / 2, outFeatures])
        weight.layout = .denseKernel
    }

    public override func initialise(_ rng: inout NetRandom) {
        glorotUniform(weight, fanIn: inFeatures / 2, fanOut: outFeatures, rng: &rng)
    }

    override func effectiveWeight() -> [Float] {
        let f = inFeatures / 2, o = outFeatures
        var w = [Float](repeating: 0, count: inFeatures * o)
        let weights = weight.values
        for k in 0..<f {
            for j in 0..<o {
                w[k * o + j] = weights[k * o + j]
                w[(inFeatures - 1 - k) * o + j] = weights[k * o + j]
            }
        }
        return w
    }

    override func accumulate(dW: [Float]) {
        let f = inFeatures / 2, o = outFeatures
        for k in 0..<f { for j in 0..<o { weight.gradient[k * o + j] += dW[k * o + j] + dW[(inFeatures - 1 - k) * o + j] } }
    }
}
