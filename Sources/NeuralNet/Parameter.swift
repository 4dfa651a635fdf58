/// A trainable (or running-statistic) array with its gradient.
///
/// `values` are stored in the layer's internal layout; `exportShape` and the layer's
/// export function give the PyTorch layout written to model files.
public final class Parameter {
    /// Name in model files, as PyTorch would name it (`conv1.weight`).
    public var name: String
    /// Internal shape.
    public let shape: [Int]
    public var values: [Float]
    public var gradient: [Float]
    /// False for running statistics, which the optimiser leaves alone.
    public let trainable: Bool
    /// How the internal layout maps to the PyTorch layout of model files.
    public var layout: Layout = .plain

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
        var out = [Float](repeating: 0, count: values.count)
        switch layout {
        case .plain: return values
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

    /// Sets the values from the file layout.
    public func load(exported data: [Float]) {
        switch layout {
        case .plain: values = data
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

    public init(name: String, shape: [Int], trainable: Bool = true, value: Float = 0) {
        self.name = name
        self.shape = shape
        self.trainable = trainable
        values = [Float](repeating: value, count: shape.reduce(1, *))
        gradient = [Float](repeating: 0, count: trainable ? shape.reduce(1, *) : 0)
    }

    /// Number of values.
    public var count: Int { values.count }

    /// Sets the gradient to zero.
    public func zeroGradient() {
        for i in gradient.indices { gradient[i] = 0 }
    }
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
    for i in p.values.indices { p.values[i] = rng.uniform(limit) }
}
