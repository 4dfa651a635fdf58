import CKernels
/// Padding of a convolution.
public enum Padding: String, Codable, Sendable {
    /// No padding: L - k + 1 outputs.
    case valid
    /// Zero padding to L outputs: (k-1)/2 on the left, k/2 on the right (Keras).
    case same
}

/// 1-D convolution over (B, L, Cin) -> (B, Lout, Cout), stride 1, by im2col and one sgemm.
///
/// The kernel is stored (k, Cin, Cout) so that an im2col row (k * Cin contiguous values)
/// multiplies it directly; model files hold it as PyTorch's (Cout, Cin, k).
public class Conv1D: Layer {
    public let kernelSize: Int
    public let inChannels: Int
    public let outChannels: Int
    public let padding: Padding
    public let useBias: Bool
    /// (k, Cin, Cout)
    public let weight: Parameter
    /// (Cout)
    public let bias: Parameter?

    /// What a layer-by-layer forward keeps for backward: the input shape, and the padded input
    /// (B * Lp, Cin) for the shifted GEMMs or the columns (B * Lout, k * Cin) for im2col.
    final class Cache {
        var inputShape: [Int] = []
        var padded: [Float] = []
        var paddedLength = 0
        var cols: [Float] = []
    }

    public var kind: String { "Conv1D" }

    public init(name: String, kernelSize: Int, inChannels: Int, outChannels: Int, padding: Padding = .valid, useBias: Bool = true) {
        self.kernelSize = kernelSize
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.padding = padding
        self.useBias = useBias
        weight = Parameter(name: name + ".weight", shape: [kernelSize, inChannels, outChannels])
        weight.layout = .convKernel
        bias = useBias ? Parameter(name: name + ".bias", shape: [outChannels]) : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    /// Glorot-uniform kernel (fan in k * Cin, fan out k * Cout), zero bias.
    public func initialise(_ rng: inout NetRandom) {
        glorotUniform(weight, fanIn: kernelSize * inChannels, fanOut: kernelSize * outChannels, rng: &rng)
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard input.count == 2, input[1] == inChannels else {
            throw NetworkError.shape("\(kind) expects (L, \(inChannels)), got \(input)")
        }
        let l = padding == .valid ? input[0] - kernelSize + 1 : input[0]
        guard l > 0 else { throw NetworkError.shape("\(kind) of width \(kernelSize) does not fit length \(input[0])") }
        return [l, outChannels]
    }

    var padLeft: Int { padding == .same ? (kernelSize - 1) / 2 : 0 }

    /// The kernel and bias the forward pass uses (RC convolution overrides).
    func effectiveWeights() -> (w: [Float], b: [Float]?) { (Array(weight.values), bias.map { Array($0.values) }) }

    /// Adds the gradient of the effective kernel and bias to the parameters.
    func accumulate(dW: [Float], db: [Float]?) {
        let gw = weight.gradient
        for i in dW.indices { gw[i] += dW[i] }
        if let db, let gb = bias?.gradient { for i in db.indices { gb[i] += db[i] } }
    }

    /// Effective output channels.
    var effectiveOut: Int { outChannels }

    /// Rows per block of the shifted GEMMs: a block's output and input stay in cache.
    static let rowBlock = 1024
    /// Rows per block of the forward im2col: the block's columns fit in L2.
    static let im2colBlock = 512

    /// Forward passes of many-channel convolutions use crick's direct kernel (AVX2+FMA, chosen at
    /// run time) instead of im2col + sgemm. Tests switch it off to check both paths.
    nonisolated(unsafe) static var useDirectKernel = crick_has_avx2_fma() != 0

    /// The kernel (K x Cout) as the direct kernel's zero-padded 16-channel panels.
    func packPanels(_ w: [Float], k: Int, cout: Int) -> [Float] {
        let panels = (cout + Int(CRICK_PANEL) - 1) / Int(CRICK_PANEL)
        var packed = uninitializedFloats(panels * k * Int(CRICK_PANEL))
        w.withUnsafeBufferPointer { ws in packed.withUnsafeMutableBufferPointer { crick_pack_panels(ws.start, k, cout, $0.start) } }
        return packed
    }

    /// Shifted GEMMs (one per kernel offset, over the whole batch as one long sequence) when
    /// the input has many channels; im2col + one GEMM when it has few (the first layer).
    var useShifted: Bool { inChannels >= 8 }

    /// A per-channel affine map and activation applied to the output in the same pass
    /// (inference: a following batch norm and activation folded in).
    struct Epilogue {
        var scale: [Float]
        var shift: [Float]
        var activation: ActivationFunction
    }

    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        // Layer-by-layer passes keep what backward needs, in inference too (attribution).
        let cache = workspace.cache(self, Cache.init)
        cache.inputShape = x.shape
        if useShifted {
            let (y, xp) = manyChannelForward(x, keep: true, epilogue: nil)
            cache.padded = xp
            cache.paddedLength = padding == .same ? x.shape[1] + kernelSize - 1 : x.shape[1]
            cache.cols = []
            return y
        }
        let (y, columns) = im2colForward(x, keep: true, epilogue: nil)
        cache.cols = columns
        cache.padded = []
        return y
    }

    /// The convolution alone at inference, keeping nothing.
    public func infer(_ x: Tensor) -> Tensor {
        useShifted ? manyChannelForward(x, keep: false, epilogue: nil).y : im2colForward(x, keep: false, epilogue: nil).y
    }

    /// Inference with a batch norm and activation folded into the output pass, keeping nothing
    /// (any number of threads may run it at once).
    func inferFused(_ x: Tensor, epilogue: Epilogue) -> Tensor {
        if inChannels == 4, let codes = Conv1D.oneHotCodes(x) {
            return lookupForward(codes, batch: x.shape[0], length: x.shape[1], epilogue: epilogue)
        }
        return useShifted ? manyChannelForward(x, keep: false, epilogue: epilogue).y : im2colForward(x, keep: false, epilogue: epilogue).y
    }

    public func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        let cache = workspace.cache(self, Cache.init)
        precondition(cache.inputShape.count == 3 && !(useShifted ? cache.padded.isEmpty : cache.cols.isEmpty),
                     "\(kind).backward needs a layer-by-layer forward into the workspace first")
        let parameters = workspace.accumulatesParameterGradients
        return useShifted ? manyChannelBackward(dy, cache, parameterGradients: parameters) : im2colBackward(dy, cache, parameterGradients: parameters)
    }

    /// The parameter gradients of a backward pass whose input gradient nobody reads (the first
    /// layer in training): the few-channel path skips its column gradients; the result is the
    /// input gradient where the pass computes it anyway, else empty.
    func parameterBackward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        let cache = workspace.cache(self, Cache.init)
        guard !useShifted, !cache.cols.isEmpty, workspace.accumulatesParameterGradients else { return backward(dy, workspace: workspace) }
        return im2colBackward(dy, cache, parameterGradients: true, inputGradient: false)
    }

    /// The input zero-padded for the shifted and folded passes: x itself for `valid`, for `same`
    /// each item's rows at padLeft in Lp = L + k - 1 rows. (B * Lp, Cin) and Lp.
    func paddedInput(_ x: Tensor) -> (xp: [Float], lp: Int) {
        let (b, l, cin) = (x.shape[0], x.shape[1], x.shape[2])
        guard padding == .same else { return (x.data, l) }
        let lp = l + kernelSize - 1, pad = padLeft
        var xp = [Float](repeating: 0, count: b * lp * cin)
        x.data.withUnsafeBufferPointer { xs in
            xp.withUnsafeMutableBufferPointer { ps in
                for i in 0..<b { (ps.start + (i * lp + pad) * cin).update(from: xs.start + i * l * cin, count: l * cin) }
            }
        }
        return (xp, lp)
    }

    /// The input gradient (B, L, Cin) from the padded input's (B * Lp, Cin): the inverse of
    /// `paddedInput`.
    func unpadded(_ dxp: [Float], batch b: Int, length l: Int, paddedLength lp: Int) -> Tensor {
        let cin = inChannels
        if padding == .valid { return Tensor(shape: [b, l, cin], data: dxp) }
        var dx = Tensor(uninitializedShape: [b, l, cin])
        let pad = padLeft
        dxp.withUnsafeBufferPointer { dps in
            dx.data.withUnsafeMutableBufferPointer { xs in
                for i in 0..<b { (xs.start + i * l * cin).update(from: dps.start + (i * lp + pad) * cin, count: l * cin) }
            }
        }
        return dx
    }

    /// The forward pass of a many-channel input: shifted GEMMs or the direct kernel (the RC
    /// convolution overrides it with its folded pass).
    func manyChannelForward(_ x: Tensor, keep: Bool, epilogue: Epilogue?) -> (y: Tensor, padded: [Float]) {
        shiftedForward(x, keep: keep, epilogue: epilogue)
    }

    /// The backward pass of a many-channel input (the RC convolution overrides it).
    func manyChannelBackward(_ dy: Tensor, _ cache: Cache, parameterGradients: Bool) -> Tensor {
        shiftedBackward(dy, cache, parameterGradients: parameterGradients)
    }
}

/// The naive convolution, a direct triple loop: the reference the tests compare `Conv1D`
/// with. `w` is (k, Cin, Cout).
public func naiveConv1D(_ x: Tensor, w: [Float], b: [Float]?, k: Int, cout: Int, padding: Padding) -> Tensor {
    let (bs, l, cin) = (x.shape[0], x.shape[1], x.shape[2])
    let lout = padding == .valid ? l - k + 1 : l
    let pad = padding == .same ? (k - 1) / 2 : 0
    var y = Tensor(shape: [bs, lout, cout])
    for i in 0..<bs {
        for t in 0..<lout {
            for o in 0..<cout {
                var s = b?[o] ?? 0
                for j in 0..<k {
                    let p = t - pad + j
                    guard p >= 0 && p < l else { continue }
                    for c in 0..<cin { s += x.data[(i * l + p) * cin + c] * w[(j * cin + c) * cout + o] }
                }
                y.data[(i * lout + t) * cout + o] = s
            }
        }
    }
    return y
}
