/// Fully connected layer over (B, In) -> (B, Out). The kernel is stored (In, Out); model
/// files hold PyTorch's (Out, In).
public class Dense: Layer {
    public let inFeatures: Int
    public let outFeatures: Int
    /// (In, Out)
    public let weight: Parameter
    /// (Out)
    public let bias: Parameter?

    public var kind: String { "Dense" }

    public init(name: String, inFeatures: Int, outFeatures: Int, useBias: Bool = true, weightShape: [Int]? = nil) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(name: name + ".weight", shape: weightShape ?? [inFeatures, outFeatures])
        weight.layout = weightShape == nil ? .denseKernel : .headKernel
        bias = useBias ? Parameter(name: name + ".bias", shape: [outFeatures]) : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    public func initialise(_ rng: inout NetRandom) {
        glorotUniform(weight, fanIn: inFeatures, fanOut: outFeatures, rng: &rng)
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard input.reduce(1, *) == inFeatures else { throw NetworkError.shape("\(kind) expects \(inFeatures) inputs, got \(input)") }
        return [outFeatures]
    }

    /// The (In, Out) kernel the forward pass uses (tied heads override).
    func effectiveWeight() -> [Float] { Array(weight.values) }

    /// Adds the gradient of the effective kernel to the parameter.
    func accumulate(dW: [Float]) {
        let g = weight.gradient
        for i in dW.indices { g[i] += dW[i] }
    }

    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        workspace.cache(self, InputCache.init).input = x
        return infer(x)
    }

    public func infer(_ x: Tensor) -> Tensor {
        // x (B, In) . W (In, Out) + b -> (B, Out)
        let b = x.batch
        var y = Tensor(shape: [b, outFeatures])
        if let bias = bias?.values { for i in 0..<b { for o in 0..<outFeatures { y.data[i * outFeatures + o] = bias[o] } } }
        let w = effectiveWeight()
        withPointers(x.data, w, writing: &y.data) { xs, ws, ys in
            sgemm(m: b, n: outFeatures, k: inFeatures, xs, lda: inFeatures, ws, ldb: outFeatures,
                  beta: bias == nil ? 0 : 1, ys, ldc: outFeatures)
        }
        return y
    }

    public func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        let input = workspace.cache(self, InputCache.init).input
        precondition(input.shape != [0], "\(kind).backward needs a forward into the workspace first")
        let b = dy.shape[0]     // fewer items than the forward's for DeepLIFT's shared input
        let w = effectiveWeight()
        var dx = Tensor(shape: [b] + input.shape.dropFirst())
        withPointers(dy.data, w, writing: &dx.data) { ds, ws, dxs in
            sgemm(transB: true, m: b, n: inFeatures, k: outFeatures, ds, lda: outFeatures, ws, ldb: outFeatures,
                  beta: 0, dxs, ldc: inFeatures)
        }
        guard workspace.accumulatesParameterGradients else { return dx }
        precondition(b == input.batch, "a weight gradient needs dy for every item of the forward")
        var dW = [Float](repeating: 0, count: inFeatures * outFeatures)
        withPointers(dy.data, input.data, writing: &dW) { ds, xs, dws in
            sgemm(transA: true, m: inFeatures, n: outFeatures, k: b, xs, lda: inFeatures, ds, ldb: outFeatures,
                  beta: 0, dws, ldc: outFeatures)
        }
        if let gb = bias?.gradient {
            dy.data.withUnsafeBufferPointer { ds in
                for i in 0..<b { for o in 0..<outFeatures { gb[o] += ds[i * outFeatures + o] } }
            }
        }
        accumulate(dW: dW)
        return dx
    }
}

/// Shrikumar et al.'s DenseAfterRevcompConv1D: a dense layer on a flattened (L, 2F) RC
/// feature map whose weights for channel 2F-1-f at position L-1-l are those of channel f at
/// position l. Learns (L, F, Out); the output is the same for a sequence and its reverse
/// complement.
public final class DenseAfterRevcompConv1D: Dense {
    public let length: Int
    public let filters: Int

    public override var kind: String { "DenseAfterRevcompConv1D" }

    public init(name: String, length: Int, channels: Int, outFeatures: Int, useBias: Bool = true) {
        self.length = length
        filters = channels / 2
        super.init(name: name, inFeatures: length * channels, outFeatures: outFeatures, useBias: useBias,
                   weightShape: [length, channels / 2, outFeatures])
    }

    /// Glorot-uniform over the learned (L * F) inputs.
    public override func initialise(_ rng: inout NetRandom) {
        glorotUniform(weight, fanIn: length * filters, fanOut: outFeatures, rng: &rng)
    }

    public override func outputShape(_ input: [Int]) throws -> [Int] {
        guard input == [length, 2 * filters] else { throw NetworkError.shape("\(kind) expects (\(length), \(2 * filters)), got \(input)") }
        return [outFeatures]
    }

    override func effectiveWeight() -> [Float] {
        let (l, f, o) = (length, filters, outFeatures)
        var w = [Float](repeating: 0, count: l * 2 * f * o)
        let weights = weight.values
        for t in 0..<l {
            for k in 0..<f {
                for j in 0..<o {
                    let v = weights[(t * f + k) * o + j]
                    w[(t * 2 * f + k) * o + j] = v
                    w[((l - 1 - t) * 2 * f + (2 * f - 1 - k)) * o + j] = v
                }
            }
        }
        return w
    }

    override func accumulate(dW: [Float]) {
        let (l, f, o) = (length, filters, outFeatures)
        let g = weight.gradient
        for t in 0..<l {
            for k in 0..<f {
                for j in 0..<o {
                    g[(t * f + k) * o + j] += dW[(t * 2 * f + k) * o + j] + dW[((l - 1 - t) * 2 * f + (2 * f - 1 - k)) * o + j]
                }
            }
        }
    }
}

/// (B, L, C) -> (B, L * C), row-major.
public final class Flatten: Layer {
    public var kind: String { "Flatten" }
    public var parameters: [Parameter] { [] }
    public init() {}
    public func outputShape(_ input: [Int]) throws -> [Int] { [input.reduce(1, *)] }
    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        workspace.cache(self, ShapeCache.init).inputShape = x.shape
        return infer(x)
    }
    public func infer(_ x: Tensor) -> Tensor { x.reshaped([x.batch, x.itemSize]) }
    public func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        dy.reshaped([dy.shape[0]] + workspace.cache(self, ShapeCache.init).inputShape.dropFirst())
    }
}

/// Inverted dropout: in training, zeroes a share `rate` of the values and scales the rest by
/// 1 / (1 - rate); identity at inference. Masks come from the layer's seeded generator.
public final class Dropout: Layer {
    public let rate: Float
    /// The mask generator: training state (reseeded every epoch), not a pass's cache.
    var rng: NetRandom
    public var kind: String { "Dropout" }
    public var parameters: [Parameter] { [] }

    public init(rate: Float, seed: UInt64) {
        self.rate = rate
        rng = NetRandom(seed: seed)
    }

    public func outputShape(_ input: [Int]) throws -> [Int] { input }

    /// The mask of the last forward pass (empty: the identity).
    private final class Cache {
        var mask: [Float] = []
    }

    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        let cache = workspace.cache(self, Cache.init)
        guard training, rate > 0 else { cache.mask = []; return x }
        let keep = 1 - rate
        let mask = (0..<x.count).map { _ in rng.unit() < keep ? 1 / keep : 0 }
        cache.mask = mask
        var y = x
        for i in y.data.indices { y.data[i] *= mask[i] }
        return y
    }

    /// The identity.
    public func infer(_ x: Tensor) -> Tensor { x }

    public func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        let mask = workspace.cache(self, Cache.init).mask
        guard !mask.isEmpty else { return dy }
        var dx = dy
        for i in dx.data.indices { dx.data[i] *= mask[i] }
        return dx
    }
}
