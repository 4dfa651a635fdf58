/// A model's layer list as built from its architecture: the layers, their output shapes
/// (without the batch) and their summary names (conv1, bn1, ...).
struct LayerList {
    var layers: [Layer] = []
    var shapes: [[Int]] = []
    var names: [String] = []

    /// Builds one layer per spec of `arch`, initialised (Glorot uniform) from `seed`, with the
    /// strand bookkeeping of `RCMapping`: in `rc` mode an absorbed flatten adds no layer and a
    /// global pooling of an RC map is preceded by an RC sum pool.
    static func build(_ arch: Architecture, seed: UInt64) throws -> LayerList {
        let lastDense = arch.layers.lastIndex(where: { $0.type == .dense }) ?? -1
        guard lastDense >= 0 || arch.profileLength != nil else {
            throw NetworkError.architecture("the last layer must be a dense layer or a profilehead giving the outputs")
        }
        var list = LayerList()
        var shape = [arch.inputLength, 4]
        var rng = NetRandom(seed: seed)
        var strands = RCMapping(strand: arch.strand)
        var counters: [String: Int] = [:]
        func name(_ base: String) -> String {
            let n = counters[base, default: 0] + 1
            counters[base] = n
            return "\(base)\(n)"
        }
        for (i, spec) in arch.layers.enumerated() {
            var layer: Layer
            var layerName: String
            switch spec.type {
            case .conv:
                guard let f = spec.filters, let k = spec.kernel, f > 0, k > 0 else { throw NetworkError.architecture("conv needs filters and kernel") }
                layerName = name("conv")
                if try strands.convolutionIsRC() {
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
                layer = BatchNorm(name: layerName, channels: shape.last ?? 0, reverseComplement: strands.isRCMap(shape))
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
                if strands.absorbsFlatten(shape) { continue }
                layerName = name("flatten")
                layer = Flatten()
            case .globalmaxpool, .globalavgpool:
                if strands.needsSumPoolBeforeGlobalPool(shape) {
                    let sum = RCSumPool()
                    shape = try sum.outputShape(shape)
                    list.append(sum, shape: shape, name: name("rcsumpool"))
                }
                layerName = name("globalpool")
                layer = GlobalPool(spec.type == .globalmaxpool ? .max : .average)
            case .weightedsum:
                guard shape.count == 2 else { throw NetworkError.architecture("weightedsum needs an (L, C) map") }
                layerName = name("weightedsum")
                let w = WeightedSum1D(name: layerName, length: shape[0], channels: shape[1], tiedRC: strands.weightedSumIsTied())
                w.initialise()
                layer = w
            case .rcsumpool:
                layerName = name("rcsumpool")
                layer = RCSumPool()
                strands.rcSumPool()
            case .profilehead:
                guard shape.count == 2, let p = spec.profile, let k = spec.kernel else {
                    throw NetworkError.architecture("profilehead needs an (L, C) map, a profile length and a kernel")
                }
                layerName = name("head")
                let tied = strands.isRCMap(shape)
                if strands.sharesStrands && !tied { throw NetworkError.architecture("an RC profile head needs an RC feature map") }
                let h = try ProfileHead(name: layerName, length: shape[0], channels: shape[1], tasks: arch.outputs, profileLength: p, kernel: k, tiedRC: tied,
                                        bin: spec.bin ?? 1, pairs: spec.pairs ?? [])
                h.initialise(&rng)
                layer = h
            case .dense:
                let units = i == lastDense ? arch.outputs : (spec.units ?? 0)
                guard units > 0 else { throw NetworkError.architecture("dense needs units") }
                layerName = name("dense")
                switch strands.denseHead() {
                case .afterWeightedSum:
                    let d = DenseAfterRevcompWeightedSum(name: layerName, channels: shape[0], outFeatures: units, useBias: spec.bias ?? true)
                    d.initialise(&rng)
                    layer = d
                case .afterFlatten:
                    let d = DenseAfterRevcompConv1D(name: layerName, length: shape[0], channels: shape[1], outFeatures: units, useBias: spec.bias ?? true)
                    d.initialise(&rng)
                    layer = d
                case .plain:
                    guard shape.count == 1 else { throw NetworkError.architecture("dense after a (L, C) map needs a flatten or global pooling first") }
                    let d = Dense(name: layerName, inFeatures: shape[0], outFeatures: units, useBias: spec.bias ?? true)
                    d.initialise(&rng)
                    layer = d
                }
            }
            shape = try layer.outputShape(shape)
            list.append(layer, shape: shape, name: layerName)
        }
        guard shape == [arch.outputWidth] else { throw NetworkError.architecture("the model ends in \(shape), not (\(arch.outputWidth))") }
        return list
    }

    private mutating func append(_ layer: Layer, shape: [Int], name: String) {
        layers.append(layer)
        shapes.append(shape)
        names.append(name)
    }
}
