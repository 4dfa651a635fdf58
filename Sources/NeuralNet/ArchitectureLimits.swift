import Pipeline

extension Architecture {
    /// Bounds on every count an architecture may give, far above any real model; what they
    /// multiply into is checked for overflow and against physical memory.
    public enum Limits {
        /// Layers in one architecture.
        public static let layers = 1000
        /// Input length in bp.
        public static let inputLength = 1 << 24
        /// Filters of a convolution, units of a dense layer, outputs.
        public static let width = 1 << 40
        /// Kernel and pool sizes.
        public static let kernel = 1 << 20
    }

    /// Checks every count, size and stride of the architecture and what it would allocate,
    /// without building it: strides and pools of at least 1, kernels and pools that fit the
    /// length they see (a `same` kernel at most 2L - 1), bounded counts, and the parameters
    /// (with gradients and Adam's two moments) plus the activations of a batch of `batch`
    /// (values and gradients) within physical memory. Throws `NetworkError.architecture`
    /// naming the layer.
    public func validate(batch: Int = 1) throws {
        func fail(_ what: String) -> NetworkError { .architecture(what) }
        guard !layers.isEmpty else { throw fail("no layers") }
        guard layers.count <= Limits.layers else { throw fail("\(layers.count) layers (at most \(Limits.layers))") }
        guard (1...Limits.inputLength).contains(inputLength) else {
            throw fail("input length \(inputLength) is not in 1...\(Limits.inputLength)")
        }
        guard (1...Limits.width).contains(outputs) else { throw fail("outputs \(outputs) is not in 1...\(Limits.width)") }
        let rc = strand == .rc
        // The objective must fit the last layer: profile exactly when it is a profilehead.
        let endsInProfile = layers.last?.type == .profilehead
        if let objective, (objective == .profile) != endsInProfile {
            throw fail(endsInProfile ? "a profilehead model needs the objective profile, not \(objective.rawValue)"
                                     : "the objective profile needs a profilehead as the last layer")
        }
        // The feature map: (length, channels), or (features) after flatten/global pooling.
        var length: Int? = inputLength
        var channels = 4
        var parameters = 0
        var activations = inputLength * 4
        let lastDense = layers.lastIndex { $0.type == .dense }
        for (i, spec) in layers.enumerated() {
            let at = "layer \(i + 1) (\(spec.type.rawValue))"
            func count(_ value: Int?, _ name: String, limit: Int) throws -> Int {
                guard let value else { throw fail("\(at) needs \(name)") }
                guard (1...limit).contains(value) else { throw fail("\(at): \(name) \(value) is not in 1...\(limit)") }
                return value
            }
            func mapLength() throws -> Int {
                guard let length else { throw fail("\(at) needs an (L, C) feature map, not a flat vector") }
                return length
            }
            var added = 0
            switch spec.type {
            case .conv:
                let f = try count(spec.filters, "filters", limit: Limits.width)
                let k = try count(spec.kernel, "kernel", limit: Limits.kernel)
                let l = try mapLength()
                // valid: the kernel must fit the input; same: taps beyond 2L - 1 would only
                // ever see padding (koo-cnn50 runs a kernel of 5 over 4 positions).
                if (spec.padding ?? .valid) == .valid {
                    guard k <= l else { throw fail("\(at): kernel \(k) is longer than its input of length \(l)") }
                } else {
                    guard k <= 2 * l - 1 else { throw fail("\(at): kernel \(k) is longer than twice its input of length \(l)") }
                }
                guard let weights = CheckedSize.product(k, channels, f) else { throw memoryRefusal(nil) }
                added = weights + f
                if (spec.padding ?? .valid) == .valid { length = l - k + 1 }
                channels = rc ? 2 * f : f
            case .maxpool:
                let p = try count(spec.pool ?? 2, "pool", limit: Limits.kernel)
                let s = try count(spec.stride ?? p, "stride", limit: Limits.kernel)
                let l = try mapLength()
                if (spec.padding ?? .valid) == .valid {
                    guard p <= l else { throw fail("\(at): pool \(p) is longer than its input of length \(l)") }
                    length = (l - p) / s + 1
                } else {
                    length = (l + s - 1) / s
                }
            case .batchnorm:
                added = 4 * channels
            case .activation:
                break
            case .dropout:
                let rate = spec.rate ?? 0.5
                guard rate >= 0, rate < 1 else { throw fail("\(at): rate \(rate) is not in [0, 1)") }
            case .flatten:
                let l = try mapLength()
                guard let flat = CheckedSize.product(l, channels) else { throw memoryRefusal(nil) }
                length = nil
                channels = flat
            case .globalmaxpool, .globalavgpool, .rcsumpool:
                _ = try mapLength()
                if spec.type != .rcsumpool { length = nil }
            case .weightedsum:
                let l = try mapLength()
                guard let weights = CheckedSize.product(l, channels) else { throw memoryRefusal(nil) }
                added = weights
                length = nil
            case .dense:
                let units = i == lastDense ? outputs : try count(spec.units, "units", limit: Limits.width)
                guard let weights = CheckedSize.product(length ?? 1, channels, units) else { throw memoryRefusal(nil) }
                added = weights + units
                length = nil
                channels = units
            case .profilehead:
                guard i == layers.count - 1 else { throw fail("\(at) must be the last layer") }
                let k = try count(spec.kernel, "kernel", limit: Limits.kernel)
                let p = try count(spec.profile, "profile", limit: Limits.inputLength)
                let bin = try count(spec.bin ?? 1, "bin", limit: Limits.inputLength)
                let l = try mapLength()
                guard let bases = CheckedSize.product(p, bin), bases + k - 1 <= l else {
                    throw fail("\(at): profile \(p) x bin \(bin) + kernel \(k) - 1 exceeds its input of length \(l)")
                }
                // A symmetric crop, so that the profile of rc(x) reversed lines up with that of x.
                guard (l - (bases + k - 1)) % 2 == 0 else {
                    throw fail("\(at): its input length \(l) minus profile \(p) x bin \(bin) + kernel \(k) - 1 must be even (a centred crop)")
                }
                guard ProfileLayout.validPairs(spec.pairs ?? [], tasks: outputs) else {
                    throw fail("\(at): pairs must be disjoint [plus, minus] pairs of output indices in 0..<\(outputs)")
                }
                guard let weights = CheckedSize.product(k, channels, outputs), let dense = CheckedSize.product(channels, outputs),
                      let out = CheckedSize.product(p + 1, outputs) else { throw memoryRefusal(nil) }
                added = weights + dense + 2 * outputs
                length = nil
                channels = out
            }
            guard let p = CheckedSize.sum(parameters, added),
                  let a = CheckedSize.sum(activations, CheckedSize.product(length ?? 1, channels)) else {
                throw memoryRefusal(nil)
            }
            (parameters, activations) = (p, a)
        }
        // Each parameter: value, gradient and two Adam moments; each activation: the value and
        // its gradient (one sample).
        let bytes = CheckedSize.sum(CheckedSize.product(parameters, 16), CheckedSize.product(activations, 8, max(batch, 1)))
        if MemoryBudget.refusal("", bytes: bytes) != nil { throw memoryRefusal(bytes, batch: batch) }
    }

    private func memoryRefusal(_ bytes: Int?, batch: Int = 1) -> NetworkError {
        let what = batch > 1 ? "the model with a batch of \(batch)" : "the model (parameters, gradients and optimiser state)"
        return .architecture(MemoryBudget.refusal(what, bytes: bytes) ?? "too large")
    }
}
