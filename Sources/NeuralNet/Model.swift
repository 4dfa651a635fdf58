import Foundation

/// A sequential model built from an `Architecture`: one-hot (B, L, 4) in, logits (B, T) out.
///
/// In `rc` mode convolutions become RC convolutions, the batch norms after them RC batch
/// norms, the first flatten + dense a DenseAfterRevcompConv1D, and a global pooling is
/// preceded by RC sum pooling, so that the output is RC-invariant. `conjoined` models average
/// their logits on x and rc(x) in `predict`.
public final class Model {
    public let architecture: Architecture
    public let layers: [Layer]
    /// Layer output shapes (without the batch), for summaries.
    public let shapes: [[Int]]
    /// The layer names of the summary (conv1, bn1, ...).
    public let names: [String]

    /// Builds the layers and initialises them (Glorot uniform) from `seed`.
    public init(_ arch: Architecture, seed: UInt64 = 1) throws {
        try arch.validate()
        architecture = arch
        var layers: [Layer] = []
        var shapes: [[Int]] = []
        var names: [String] = []
        var shape = [arch.inputLength, 4]
        var rng = NetRandom(seed: seed)
        var counters: [String: Int] = [:]
        func name(_ base: String) -> String {
            let n = counters[base, default: 0] + 1
            counters[base] = n
            return "\(base)\(n)"
        }
        let rc = arch.strand == .rc
        var rcMap = rc          // the current feature map is in the RC layout
        var pendingFlatten = false
        var afterRCWeightedSum = false
        guard let lastDense = arch.layers.lastIndex(where: { $0.type == .dense }) else {
            throw NetworkError.architecture("the last layer must be a dense layer giving the outputs")
        }
        for (i, spec) in arch.layers.enumerated() {
            var layer: Layer
            var layerName: String
            switch spec.type {
            case .conv:
                guard let f = spec.filters, let k = spec.kernel, f > 0, k > 0 else { throw NetworkError.architecture("conv needs filters and kernel") }
                layerName = name("conv")
                if rc {
                    guard rcMap else { throw NetworkError.architecture("an RC convolution needs an RC feature map") }
                    let c = RCConv1D(name: layerName, kernelSize: k, inChannels: shape.last ?? 4, filters: f, padding: spec.padding ?? .valid, useBias: spec.bias ?? true)
                    c.initialise(&rng)
                    layer = c
                } else {
                    let c = Conv1D(name: layerName, kernelSize: k, inChannels: shape.last ?? 4, outChannels: f, padding: spec.padding ?? .valid, useBias: spec.bias ?? true)
                    c.initialise(&rng)
                    layer = c
                }
            case .batchnorm:
                layerName = name("bn")
                layer = BatchNorm(name: layerName, channels: shape.last ?? 0, reverseComplement: rcMap && shape.count == 2)
            case .activation:
                layerName = name("act")
                layer = Activation(spec.function ?? .relu)
            case .maxpool:
                layerName = name("pool")
                layer = MaxPool1D(pool: spec.pool ?? 2, stride: spec.stride, padding: spec.padding ?? .valid)
            case .dropout:
                layerName = name("dropout")
                layer = Dropout(rate: spec.rate ?? 0.5, seed: seed &+ UInt64(i) &* 7919)
            case .flatten:
                if rcMap && shape.count == 2 {
                    pendingFlatten = true   // absorbed by the DenseAfterRevcompConv1D that follows
                    continue
                }
                layerName = name("flatten")
                layer = Flatten()
            case .globalmaxpool, .globalavgpool:
                if rcMap && shape.count == 2 {
                    let sum = RCSumPool()
                    shape = try sum.outputShape(shape)
                    layers.append(sum); shapes.append(shape); names.append(name("rcsumpool"))
                    rcMap = false
                }
                layerName = name("globalpool")
                layer = GlobalPool(spec.type == .globalmaxpool ? .max : .average)
            case .weightedsum:
                guard shape.count == 2 else { throw NetworkError.architecture("weightedsum needs an (L, C) map") }
                layerName = name("weightedsum")
                let w = WeightedSum1D(name: layerName, length: shape[0], channels: shape[1], tiedRC: rcMap)
                w.initialise()
                layer = w
                afterRCWeightedSum = rcMap
                rcMap = false
            case .rcsumpool:
                layerName = name("rcsumpool")
                layer = RCSumPool()
                rcMap = false
            case .dense:
                let units = i == lastDense ? arch.outputs : (spec.units ?? 0)
                guard units > 0 else { throw NetworkError.architecture("dense needs units") }
                layerName = name("dense")
                if afterRCWeightedSum {
                    let d = DenseAfterRevcompWeightedSum(name: layerName, channels: shape[0], outFeatures: units, useBias: spec.bias ?? true)
                    d.initialise(&rng)
                    layer = d
                    afterRCWeightedSum = false
                } else if pendingFlatten {
                    let d = DenseAfterRevcompConv1D(name: layerName, length: shape[0], channels: shape[1], outFeatures: units, useBias: spec.bias ?? true)
                    d.initialise(&rng)
                    layer = d
                    pendingFlatten = false
                    rcMap = false
                } else {
                    guard shape.count == 1 else { throw NetworkError.architecture("dense after a (L, C) map needs a flatten or global pooling first") }
                    let d = Dense(name: layerName, inFeatures: shape[0], outFeatures: units, useBias: spec.bias ?? true)
                    d.initialise(&rng)
                    layer = d
                }
            }
            shape = try layer.outputShape(shape)
            layers.append(layer)
            shapes.append(shape)
            names.append(layerName)
        }
        guard shape == [arch.outputs] else { throw NetworkError.architecture("the model ends in \(shape), not (\(arch.outputs))") }
        self.layers = layers
        self.shapes = shapes
        self.names = names
    }

    /// Every parameter (trainable and running statistics), in layer order.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    /// Logits (B, T) of one-hot input (B, L, 4). At inference a convolution followed by a
    /// batch norm (and an activation) runs as one pass: the batch norm's running statistics and
    /// the activation are applied as the convolution writes its output; `fuse: false` runs
    /// every layer on its own, keeping what an inference-mode `backward` (attribution) needs.
    public func forward(_ x: Tensor, training: Bool, fuse: Bool = true) -> Tensor {
        if training || !fuse { return layers.reduce(x) { $1.forward($0, training: training) } }
        return inference(x, layers: 0..<layers.count)
    }

    /// Inference through `layers[range]` only, fused as in `forward`: the pieces of a
    /// fully-convolutional scan (a trunk run along a whole sequence, then the head per window).
    public func inference(_ x: Tensor, layers range: Range<Int>) -> Tensor {
        var y = x
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            if let conv = layers[i] as? Conv1D, i + 1 < end, let bn = layers[i + 1] as? BatchNorm {
                let act = i + 2 < end ? layers[i + 2] as? Activation : nil
                let (scale, shift) = bn.inferenceAffine()
                y = conv.forwardFused(y, epilogue: .init(scale: scale, shift: shift, activation: act?.function ?? .linear))
                i += act == nil ? 2 : 3
                continue
            }
            if let pool = layers[i] as? MaxPool1D {
                pool.keepIndices = false
                y = pool.forward(y, training: false)
                pool.keepIndices = true
            } else {
                y = layers[i].forward(y, training: false)
            }
            i += 1
        }
        return y
    }

    /// Back-propagates the gradient of the loss with respect to the logits; returns the
    /// gradient with respect to the input.
    @discardableResult
    public func backward(_ dLogits: Tensor) -> Tensor {
        layers.reversed().reduce(dLogits) { $1.backward($0) }
    }

    /// Inference logits under the model's own `StrandPolicy`: conjoined models average x and rc(x).
    public func predict(_ x: Tensor) -> Tensor {
        let policy = StrandPolicy(modelStrand: architecture.strand)
        var y = forward(x, training: false)
        if policy.needsReverse {
            let r = forward(x.reverseComplemented(), training: false)
            for i in y.data.indices { y.data[i] = policy.combine(forward: y.data[i], reverse: r.data[i]) }
        }
        return y
    }

    /// Sets every parameter gradient to zero.
    public func zeroGradients() { for p in parameters where p.trainable { p.zeroGradient() } }

    /// Reseeds the dropout layers (each epoch, so that a resumed run repeats the masks).
    public func reseedDropout(_ seed: UInt64) {
        for (i, l) in layers.enumerated() { (l as? Dropout)?.rng = NetRandom(seed: seed &+ UInt64(i) &* 104_729) }
    }

    /// A Keras-style summary: layer, output shape, parameter count; trainable and
    /// non-trainable totals.
    public func summary() -> String {
        var s = "Model: \(architecture.name) (strand \(architecture.strand.rawValue), input (\(architecture.inputLength), 4), \(architecture.outputs) output\(architecture.outputs == 1 ? "" : "s"))\n"
        let rule = String(repeating: "_", count: 78) + "\n"
        s += rule + pad("Layer (type)", 40) + pad("Output Shape", 22) + "Param #\n" + String(repeating: "=", count: 78) + "\n"
        var trainable = 0, fixed = 0
        for (i, l) in layers.enumerated() {
            let t = l.parameters.filter(\.trainable).map(\.count).reduce(0, +)
            let f = l.parameters.filter { !$0.trainable }.map(\.count).reduce(0, +)
            trainable += t
            fixed += f
            let shape = "(None, " + shapes[i].map(String.init).joined(separator: ", ") + ")"
            s += pad("\(names[i]) (\(l.kind))", 40) + pad(shape, 22) + "\(t + f)\n"
        }
        s += String(repeating: "=", count: 78) + "\n"
        s += "Total params: \(trainable + fixed)\nTrainable params: \(trainable)\nNon-trainable params: \(fixed)\n" + rule
        return s
    }

    private func pad(_ s: String, _ w: Int) -> String { s.count >= w ? s + " " : s + String(repeating: " ", count: w - s.count) }
}
