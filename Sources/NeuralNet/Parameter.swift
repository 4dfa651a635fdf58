/// Contiguous storage of parameters: one buffer of values and one of gradients, in which each
/// parameter owns the range `offset..<offset + count`. A model binds all its parameters into
/// one arena (`ParameterArena.bind`), so that zeroing the gradients is one fill and a copy of
/// the weights is one copy.
public final class ParameterArena {
    /// Every value, parameter after parameter.
    public let values: UnsafeMutableBufferPointer<Float>
    /// Every gradient, at the offsets of `values` (running statistics' ranges stay 0).
    public let gradients: UnsafeMutableBufferPointer<Float>

    /// `count` values and gradients, all 0.
    init(count: Int) {
        values = .allocate(capacity: count)
        values.initialize(repeating: 0)
        gradients = .allocate(capacity: count)
        gradients.initialize(repeating: 0)
    }

    deinit {
        values.deallocate()
        gradients.deallocate()
    }

    /// Number of values.
    public var count: Int { values.count }

    /// Moves `parameters` (each in its own storage or another arena) into one new arena, in
    /// the order given, values and gradients copied.
    @discardableResult
    public static func bind(_ parameters: [Parameter]) -> ParameterArena {
        let arena = ParameterArena(count: parameters.reduce(0) { $0 + $1.count })
        var at = 0
        for p in parameters {
            for i in 0..<p.count { arena.values[at + i] = p.values[i] }
            if p.trainable { for i in 0..<p.count { arena.gradients[at + i] = p.gradient[i] } }
            p.arena = arena
            p.offset = at
            at += p.count
        }
        return arena
    }
}

/// A trainable (or running-statistic) array with its gradient, a range of a `ParameterArena`.
///
/// `values` are stored in the layer's internal layout; `exportShape` and the layer's
/// export function give the PyTorch layout written to model files. `values` and `gradient`
/// are views of the arena: valid while the parameter (which keeps its arena) is alive.
public final class Parameter {
    /// Name in model files, as PyTorch would name it (`conv1.weight`).
    public var name: String
    /// Internal shape.
    public let shape: [Int]
    /// Number of values.
    public let count: Int
    /// False for running statistics, which the optimiser leaves alone.
    public let trainable: Bool
    /// How the internal layout maps to the PyTorch layout of model files.
    public var layout: Layout = .plain
    /// The storage and this parameter's first element in it.
    public fileprivate(set) var arena: ParameterArena
    public fileprivate(set) var offset = 0

    /// The values (a view of the arena).
    public var values: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: arena.values[offset..<(offset + count)])
    }

    /// The gradient (a view of the arena; empty for running statistics).
    public var gradient: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: arena.gradients[offset..<(offset + (trainable ? count : 0))])
    }

    /// Sets the values (as many as both hold).
    public func assign(_ data: [Float]) {
        let v = values
        for i in 0..<min(count, data.count) { v[i] = data[i] }
    }

    /// Internal layout -> file layout.
    public enum Layout: Sendable {
        /// Same order.
        case plain
        /// (k, Cin, Cout) -> (Cout, Cin, k), as torch.nn.Conv1d.weight.
        case convKernel
        /// (In, Out) -> (Out, In), as torch.nn.Linear.weight.
        case denseKernel
        /// (L, F, Out) -> (Out, L, F): a DenseAfterRevcompConv1D kernel.
        case headKernel
    }

    /// The shape in model files.
    public var exportShape: [Int] {
        switch layout {
        case .plain: return shape
        case .convKernel: return [shape[2], shape[1], shape[0]]
        case .denseKernel: return [shape[1], shape[0]]
        case .headKernel: return [shape[2], shape[0], shape[1]]
        }
    }

    /// The values in the file layout.
    public func exported() -> [Float] {
        let values = self.values
        var out = [Float](repeating: 0, count: count)
        switch layout {
        case .plain: return Array(values)
        case .convKernel:
            let (k, cin, cout) = (shape[0], shape[1], shape[2])
            for j in 0..<k { for c in 0..<cin { for o in 0..<cout { out[(o * cin + c) * k + j] = values[(j * cin + c) * cout + o] } } }
        case .denseKernel:
            let (i, o) = (shape[0], shape[1])
            for a in 0..<i { for b in 0..<o { out[b * i + a] = values[a * o + b] } }
        case .headKernel:
            let (l, f, o) = (shape[0], shape[1], shape[2])
            for t in 0..<l { for k in 0..<f { for j in 0..<o { out[(j * l + t) * f + k] = values[(t * f + k) * o + j] } } }
        }
        return out
    }

    /// Sets the values from the file layout (data of another count is ignored: readers check
    /// the shape first).
    public func load(exported data: [Float]) {
        let values = self.values
        guard data.count == count else { return }
        switch layout {
        case .plain: assign(data)
        case .convKernel:
            let (k, cin, cout) = (shape[0], shape[1], shape[2])
            for j in 0..<k { for c in 0..<cin { for o in 0..<cout { values[(j * cin + c) * cout + o] = data[(o * cin + c) * k + j] } } }
        case .denseKernel:
            let (i, o) = (shape[0], shape[1])
            for a in 0..<i { for b in 0..<o { values[a * o + b] = data[b * i + a] } }
        case .headKernel:
            let (l, f, o) = (shape[0], shape[1], shape[2])
            for t in 0..<l { for k in 0..<f { for j in 0..<o { values[(t * f + k) * o + j] = data[(j * l + t) * f + k] } } }
        }
    }

    /// A parameter in an arena of its own, every value `value` (a model later binds it into
    /// the model's arena).
    public init(name: String, shape: [Int], trainable: Bool = true, value: Float = 0) {
        self.name = name
        self.shape = shape
        self.trainable = trainable
        count = shape.reduce(1, *)
        arena = ParameterArena(count: count)
        arena.values.update(repeating: value)
    }

    /// Sets the gradient to zero.
    public func zeroGradient() { gradient.update(repeating: 0) }
}

/// A seedable generator for initialisation, dropout and shuffling (SplitMix64): the same
/// seed gives the same numbers on every machine.
public struct NetRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 0x1234_5678 }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Float { Float(next() >> 40) * 0x1.0p-24 }

    /// Uniform in [-limit, limit).
    public mutating func uniform(_ limit: Float) -> Float { (unit() * 2 - 1) * limit }
}

/// Glorot (Xavier) uniform initialisation: U(-a, a) with a = sqrt(6 / (fanIn + fanOut)),
/// Keras' default for convolution and dense kernels.
func glorotUniform(_ p: Parameter, fanIn: Int, fanOut: Int, rng: inout NetRandom) {
    let limit = (6 / Float(fanIn + fanOut)).squareRoot()
    let values = p.values
    for i in values.indices { values[i] = rng.uniform(limit) }
}
