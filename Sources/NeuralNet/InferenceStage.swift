import CKernels

/// A per-channel map applied to rows of C values: y = act(x * scale + shift), with either part
/// absent (an inference batch norm, an activation, a convolution's bias, or all of them folded).
struct RowMap: Sendable {
    /// (C), or nil for 1.
    let scale: [Float]?
    /// (C), or nil for 0.
    let shift: [Float]?
    let activation: ActivationFunction

    static let identity = RowMap(scale: nil, shift: nil, activation: .linear)

    var isIdentity: Bool { scale == nil && shift == nil && activation == .linear }

    /// Applies the map in place to `rows` rows of `c` channels at `p`.
    func apply(_ p: UnsafeMutablePointer<Float>, rows: Int, channels c: Int) {
        guard !isIdentity, rows > 0 else { return }
        let ones = scale == nil ? [Float](repeating: 1, count: c) : [], zeros = shift == nil ? [Float](repeating: 0, count: c) : []
        (scale ?? ones).withUnsafeBufferPointer { sc in
            (shift ?? zeros).withUnsafeBufferPointer { sh in
                let a = sc.start, b = sh.start
                switch activation {
                case .relu, .linear:
                    // x * a + b, then max(0, v) for relu: the same bits as the loop below.
                    crick_affine_rows(p, rows, c, a, b, activation == .relu ? 1 : 0)
                default:
                    for t in 0..<rows {
                        let row = p + t * c
                        for o in 0..<c { row[o] = Activation.value(activation, row[o] * a[o] + b[o]) }
                    }
                }
            }
        }
    }

    /// This map after an affine y = x * s + t (s, t per channel): the composition as one map.
    func after(scale s: [Float], shift t: [Float]) -> RowMap {
        let a = scale ?? [Float](repeating: 1, count: s.count), b = shift ?? [Float](repeating: 0, count: s.count)
        return RowMap(scale: zip(s, a).map { $0 * $1 }, shift: (0..<s.count).map { t[$0] * a[$0] + b[$0] }, activation: activation)
    }
}

/// A convolution with its effective kernel copied out of the model (RC convolutions as their
/// 2F channels) and the batch norm and activation that follow it folded into `epilogue`.
struct ConvStage: Sendable {
    let kernel: Int
    let inChannels: Int
    let outChannels: Int
    /// Zero rows before the input (`same` padding), 0 for `valid`.
    let padLeft: Int
    /// (k * Cin, Cout): output row t is sum over j, c of input[t - pad + j, c] * W[j * Cin + c].
    let weights: [Float]
    /// The kernel as the direct kernel's 16-channel panels (empty when it is not used).
    let panels: [Float]
    /// Bias, batch norm and activation on each output row.
    let epilogue: RowMap
}

/// A max pooling along length (Keras geometry: `same` windows clipped to the input).
struct PoolStage: Sendable {
    let pool: Int
    let stride: Int
    let padLeft: Int
}

/// A dense layer with its effective (In, Out) kernel (tied RC heads expanded). On an (L, C)
/// map it reads the map flattened row-major (a flatten + dense, or DenseAfterRevcompConv1D).
struct DenseStage: Sendable {
    let inFeatures: Int
    let outFeatures: Int
    /// (In, Out)
    let weights: [Float]
    /// (Out)
    let bias: [Float]?
}

/// One step of the inference pass, with every weight it needs copied out of the model: a
/// compiled model can be shared read-only by any number of threads (the layers, which keep
/// per-call state, are never called).
enum InferenceStage: Sendable {
    /// Convolution (+ batch norm + activation): slides.
    case conv(ConvStage)
    /// Max pooling: slides.
    case pool(PoolStage)
    /// A batch norm or activation on its own, row by row: slides (on a map) or maps a vector.
    case rows(RowMap)
    /// RC sum pooling: y[l, f] = x[l, f] + x[L-1-l, 2F-1-f].
    case rcSumPool
    /// Global max or average pooling: (L, C) -> (C).
    case globalPool(GlobalPool.Mode)
    /// WeightedSum1D with its effective (L, C) weights: (L, C) -> (C).
    case weightedSum([Float])
    /// Flatten: (L, C) -> (L * C), the same row-major values.
    case flatten
    /// Dense: (In) or a flattened (L, C) map -> (Out).
    case dense(DenseStage)

    /// True for the layers an output row of which depends on a window of input rows only.
    var slides: Bool {
        switch self {
        case .conv, .pool, .rows: return true
        default: return false
        }
    }
}

/// A model compiled for inference: its stages and the shape of every feature map.
struct InferencePlan: Sendable {
    let stages: [InferenceStage]
    /// shapes[0] is the input (L, 4); shapes[s + 1] the output of stage s: (L, C) or (F).
    let shapes: [[Int]]
    /// Stages 0..<slidingEnd slide along the sequence (and are recomputed on changed rows only).
    let slidingEnd: Int

    /// Compiles `model`'s layers: a convolution absorbs the batch norm and activation after it
    /// (as `Model.inference` fuses them) and dropout is dropped (the identity at inference).
    init(_ model: Model) throws {
        var stages: [InferenceStage] = []
        var shapes: [[Int]] = [[model.architecture.inputLength, 4]]
        let layers = model.layers
        var i = 0
        while i < layers.count {
            let layer = layers[i]
            let shape = model.shapes[i]
            var next = i + 1
            switch layer {
            case let conv as Conv1D:
                let (w, b) = conv.effectiveWeights()
                let cout = conv.effectiveOut
                var epilogue = RowMap(scale: nil, shift: b, activation: .linear)
                // A batch norm and an activation after it, with dropout (the identity) between.
                var j = next
                while j < layers.count, layers[j] is Dropout { j += 1 }
                if j < layers.count, let bn = layers[j] as? BatchNorm {
                    let (s, t) = bn.inferenceAffine()
                    epilogue = RowMap(scale: s, shift: zip(b ?? [Float](repeating: 0, count: cout), zip(s, t)).map { $0 * $1.0 + $1.1 }, activation: .linear)
                    next = j + 1
                    j = next
                    while j < layers.count, layers[j] is Dropout { j += 1 }
                }
                if j < layers.count, let act = layers[j] as? Activation {
                    epilogue = RowMap(scale: epilogue.scale, shift: epilogue.shift, activation: act.function)
                    next = j + 1
                }
                let panels = Conv1D.useDirectKernel ? conv.packPanels(w, k: conv.kernelSize * conv.inChannels, cout: cout) : []
                stages.append(.conv(ConvStage(kernel: conv.kernelSize, inChannels: conv.inChannels, outChannels: cout,
                                              padLeft: conv.padLeft, weights: w, panels: panels, epilogue: epilogue)))
                shapes.append(model.shapes[next - 1])
            case let pool as MaxPool1D:
                let lin = shapes[shapes.count - 1][0]
                stages.append(.pool(PoolStage(pool: pool.pool, stride: pool.stride, padLeft: pool.geometry(lin).padLeft)))
                shapes.append(shape)
            case let bn as BatchNorm:
                let (s, t) = bn.inferenceAffine()
                stages.append(.rows(RowMap(scale: s, shift: t, activation: .linear)))
                shapes.append(shape)
            case let act as Activation:
                stages.append(.rows(RowMap(scale: nil, shift: nil, activation: act.function)))
                shapes.append(shape)
            case is Dropout:
                break   // the identity at inference
            case is Flatten:
                stages.append(.flatten)
                shapes.append(shape)
            case is RCSumPool:
                stages.append(.rcSumPool)
                shapes.append(shape)
            case let g as GlobalPool:
                stages.append(.globalPool(g.mode))
                shapes.append(shape)
            case let w as WeightedSum1D:
                var eff = [Float](repeating: 0, count: w.length * w.channels)   // (L, C)
                let weights = w.weight.values
                let f = w.channels / 2
                for t in 0..<w.length {
                    for c in 0..<w.channels {
                        let index = !w.tiedRC ? t * w.channels + c : (c < f ? t * f + c : (w.length - 1 - t) * f + (w.channels - 1 - c))
                        eff[t * w.channels + c] = weights[index]
                    }
                }
                stages.append(.weightedSum(eff))
                shapes.append(shape)
            case let d as Dense:
                stages.append(.dense(DenseStage(inFeatures: d.inFeatures, outFeatures: d.outFeatures, weights: d.effectiveWeight(), bias: d.bias.map { Array($0.values) })))
                shapes.append(shape)
            default:
                throw NetworkError.architecture("incremental scoring does not know the layer \(layer.kind)")
            }
            i = next
        }
        self.stages = stages
        self.shapes = shapes
        // Stages slide while they see (L, C) maps (a row map on a vector belongs to the head).
        var end = 0
        while end < stages.count, stages[end].slides, shapes[end].count == 2 { end += 1 }
        slidingEnd = end
        // A dense layer reading the last sliding map (flattened row-major, directly or after a
        // flatten) can be updated from a mutant's changed rows alone.
        var head = end
        if head < stages.count, case .flatten = stages[head] { head += 1 }
        if head < stages.count, case .dense = stages[head] { denseHead = head } else { denseHead = nil }
    }

    /// The index of the dense stage that reads the last sliding map, when there is one.
    let denseHead: Int?
}
