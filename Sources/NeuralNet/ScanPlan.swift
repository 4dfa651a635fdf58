/// How a model splits for a fully-convolutional scan along a long sequence.
///
/// The trunk is the longest prefix of layers that slide along the sequence: valid
/// convolutions, batch norms, activations, dropout and valid max-pools. Run once over a whole
/// chunk of sequence, the trunk before its final max-pool ("pre-trunk", layers
/// `0..<preEnd`) gives a feature map on a grid of stride `gridStride`: grid row q sees the
/// input from offset q * gridStride. A window starting at input offset w (w a multiple of
/// `gridStride` from the start of the run) reads grid rows from w / gridStride on; the final
/// max-pool (when the trunk ends in one) and the head (layers `headStart...`) are then applied
/// per window to `headRows` rows, each the maximum of `pool` grid rows, `poolStride` apart.
public struct ScanPlan: Sendable, Equatable {
    /// Layers `0..<preEnd` run along the sequence.
    public let preEnd: Int
    /// The first layer of the per-window head.
    public let headStart: Int
    /// Input bases per grid row of the pre-trunk output (product of its pooling strides).
    public let gridStride: Int
    /// The final max-pool, in grid rows (pool 1, stride 1 when the trunk has none).
    public let pool: Int
    public let poolStride: Int
    /// Rows the head reads per window.
    public let headRows: Int
    /// Channels of the pre-trunk output.
    public let channels: Int
    /// The model's input length.
    public let inputLength: Int

    /// Pre-trunk output rows for `n` input bases (0 when too short).
    public func gridLength(_ n: Int) -> Int {
        var l = n
        for step in steps {
            guard l >= step.size else { return 0 }
            l = (l - step.size) / step.stride + 1
        }
        return l
    }

    /// Grid geometry of the pre-trunk layers: (window size, stride) each.
    let steps: [Step]
    struct Step: Sendable, Equatable {
        let size: Int
        let stride: Int
    }
}

extension Model {
    /// The plan of a fully-convolutional scan, or nil when the model's layers cannot slide
    /// (a `same`-padded convolution or pool sees the window's edges, so windows must then be
    /// scored one by one).
    public var scanPlan: ScanPlan? {
        var steps: [ScanPlan.Step] = []
        var end = 0
        for layer in layers {
            if let c = layer as? Conv1D {
                guard c.padding == .valid else { return nil }
                steps.append(.init(size: c.kernelSize, stride: 1))
            } else if let p = layer as? MaxPool1D {
                guard p.padding == .valid else { return nil }
                steps.append(.init(size: p.pool, stride: p.stride))
            } else if !(layer is BatchNorm || layer is Activation || layer is Dropout) {
                break
            }
            end += 1
        }
        guard end > 0, end < layers.count, !steps.isEmpty else { return nil }
        // The trunk's final max-pool (ignoring layers that act row by row after it) is applied
        // per window, so that windows at any stride share one pre-trunk pass.
        var preEnd = end
        var pool = 1, poolStride = 1
        if let last = layers[..<end].lastIndex(where: { $0 is MaxPool1D }),
           layers[(last + 1)..<end].allSatisfy({ $0 is Dropout }),
           let p = layers[last] as? MaxPool1D {
            preEnd = last
            pool = p.pool
            poolStride = p.stride
            steps.removeLast()
        }
        let grid = steps.reduce(1) { $0 * $1.stride }
        let preShape = preEnd > 0 ? shapes[preEnd - 1] : [architecture.inputLength, 4]
        guard preShape.count == 2 else { return nil }
        let rows = (preShape[0] - pool) / poolStride + 1
        guard rows > 0 else { return nil }
        return ScanPlan(preEnd: preEnd, headStart: end, gridStride: grid, pool: pool, poolStride: poolStride,
                        headRows: rows, channels: preShape[1], inputLength: architecture.inputLength, steps: steps)
    }
}
