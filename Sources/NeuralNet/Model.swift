import Foundation

/// A sequential model built from an `Architecture`: one-hot (B, L, 4) in, outputs (B, T) out
/// (logits of classifiers, values of count models), or (B, P * T + T) for a profile model (the
/// (P, T) profile logits, then T log counts).
///
/// In `rc` mode convolutions become RC convolutions, the batch norms after them RC batch
/// norms, the first flatten + dense a DenseAfterRevcompConv1D, and a global pooling is
/// preceded by RC sum pooling, so that the output is RC-invariant (`RCMapping` keeps track
/// of the strands while `LayerList` builds the layers). `conjoined` models average
/// their logits on x and rc(x) in `predict`.
public final class Model {
    public let architecture: Architecture
    public let layers: [Layer]
    /// Layer output shapes (without the batch), for summaries.
    public let shapes: [[Int]]
    /// The layer names of the summary (conv1, bn1, ...).
    public let names: [String]
    /// Every parameter's values and gradients, contiguous, in `parameters` order.
    public let arena: ParameterArena

    /// Builds the layers (`LayerList.build`) and initialises them (Glorot uniform) from `seed`.
    public init(_ arch: Architecture, seed: UInt64 = 1) throws {
        try arch.validate()
        architecture = arch
        let list = try LayerList.build(arch, seed: seed)
        layers = list.layers
        shapes = list.shapes
        names = list.names
        arena = ParameterArena.bind(layers.flatMap(\.parameters))
    }

    /// Every parameter (trainable and running statistics), in layer order.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    /// Logits (B, T) of one-hot input (B, L, 4), layer by layer, keeping in `workspace` what
    /// `backward` needs: a training pass, or an inference-mode pass to differentiate
    /// (attribution). Inference alone is `inference(_:)`.
    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        layers.reduce(x) { $1.forward($0, training: training, workspace: workspace) }
    }

    /// Inference logits (B, T) of one-hot input (B, L, 4), keeping nothing. A convolution
    /// followed by a batch norm (and an activation) runs as one pass: the batch norm's running
    /// statistics and the activation are applied as the convolution writes its output.
    public func inference(_ x: Tensor) -> Tensor { inference(x, layers: 0..<layers.count) }

    /// Inference through `layers[range]` only, fused as in `forward`: the pieces of a
    /// fully-convolutional scan (a trunk run along a whole sequence, then the head per window).
    /// Keeps no state in the layers (`Layer.infer`): any number of threads may run inference on
    /// one model at once, as long as none trains it or runs a layer-by-layer pass meanwhile.
    public func inference(_ x: Tensor, layers range: Range<Int>) -> Tensor {
        var y = x
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            if let conv = layers[i] as? Conv1D, i + 1 < end, let bn = layers[i + 1] as? BatchNorm {
                let act = i + 2 < end ? layers[i + 2] as? Activation : nil
                let (scale, shift) = bn.inferenceAffine()
                y = conv.inferFused(y, epilogue: .init(scale: scale, shift: shift, activation: act?.function ?? .linear))
                i += act == nil ? 2 : 3
                continue
            }
            y = layers[i].infer(y)
            i += 1
        }
        return y
    }

    /// Back-propagates the gradient of the loss with respect to the logits through the pass
    /// `workspace` holds; returns the gradient with respect to the input.
    @discardableResult
    public func backward(_ dLogits: Tensor, workspace: PassWorkspace) -> Tensor {
        layers.reversed().reduce(dLogits) { $1.backward($0, workspace: workspace) }
    }

    /// The backward pass of a training step: the parameter gradients `backward` adds, without
    /// the input gradient of a first convolution (nobody reads it).
    public func trainingBackward(_ dLogits: Tensor, workspace: PassWorkspace) {
        guard let first = layers.first as? Conv1D else { backward(dLogits, workspace: workspace); return }
        let dy = layers.dropFirst().reversed().reduce(dLogits) { $1.backward($0, workspace: workspace) }
        _ = first.parameterBackward(dy, workspace: workspace)
    }

    /// Inference logits under the model's `StrandPolicy`: conjoined models average x and rc(x);
    /// a standard model combines the two strands as `requested` (nil: the forward strand). A
    /// profile model's rc(x) profile is reversed back before it is combined. With
    /// `alignReverse`, the profile of an input that is itself a reverse complement is reversed
    /// back too (so that it lines up with the profile of the forward input).
    public func predict(_ x: Tensor, strands requested: StrandPolicy.Combination? = nil, alignReverse: Bool = false) -> Tensor {
        let policy = StrandPolicy(modelStrand: architecture.strand, requested: requested)
        var y = inference(x)
        if alignReverse { reverseProfiles(&y) }
        if policy.needsReverse {
            var r = inference(x.reverseComplemented())
            if !alignReverse { reverseProfiles(&r) }
            for i in y.data.indices { y.data[i] = policy.combine(forward: y.data[i], reverse: r.data[i]) }
        }
        return y
    }

    /// Lines up a profile model's outputs of rc(x) (B, P * T + T) with those of x, in place:
    /// profile positions reversed, the strands of stranded pairs swapped; nothing for other models.
    public func reverseProfiles(_ y: inout Tensor) {
        guard let layout = ProfileLayout(architecture) else { return }
        y.data.withUnsafeMutableBufferPointer { layout.alignReverse($0) }
    }

    /// Sets the biases of the outputs that predict counts: a count model's last dense layer,
    /// or a profile model's count layer (one value per task). Training starts regression from
    /// the mean target this way, as classifiers may start from the base rate, instead of
    /// spending its first thousands of steps moving a bias from 0. Returns false when the
    /// model has no such bias.
    @discardableResult
    public func setCountBias(_ values: [Float]) -> Bool {
        if let head = layers.last as? ProfileHead { return head.setCountBias(values) }
        let bias = (layers.last as? Dense)?.bias
        guard let bias, bias.count == values.count else { return false }
        for i in values.indices { bias.values[i] = values[i] }
        return true
    }

    /// Sets every parameter gradient to zero (one fill of the arena).
    public func zeroGradients() { arena.gradients.update(repeating: 0) }

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
