/// Shrikumar et al.'s reverse-complement convolution: F learned filters applied as 2F
/// channels `[W, W reversed on k, Cin and F]` with bias `[b, b reversed]`, so that channel
/// 2F-1-f of the output is the reverse complement of channel f.
public final class RCConv1D: Conv1D {
    public override var kind: String { "RevCompConv1D" }

    /// `filters` learned filters (F); the output has 2F channels.
    public init(name: String, kernelSize: Int, inChannels: Int, filters: Int, padding: Padding = .valid, useBias: Bool = true) {
        super.init(name: name, kernelSize: kernelSize, inChannels: inChannels, outChannels: filters, padding: padding, useBias: useBias)
    }

    override var effectiveOut: Int { 2 * outChannels }

    /// Many-channel passes fold the strands (RCConv1DFold.swift: half the multiply-adds) on the
    /// direct kernel; tests switch it off to compare with the 2F-channel passes.
    nonisolated(unsafe) static var useFold = true

    /// Whether this layer's many-channel passes are folded.
    var folds: Bool { RCConv1D.useFold && Conv1D.useDirectKernel && inChannels % 2 == 0 }

    override func manyChannelForward(_ x: Tensor, keep: Bool, epilogue: Epilogue?) -> (y: Tensor, padded: [Float]) {
        folds ? foldedForward(x, keep: keep, epilogue: epilogue) : super.manyChannelForward(x, keep: keep, epilogue: epilogue)
    }

    override func manyChannelBackward(_ dy: Tensor, _ cache: Cache, parameterGradients: Bool) -> Tensor {
        folds ? foldedBackward(dy, cache, parameterGradients: parameterGradients)
            : super.manyChannelBackward(dy, cache, parameterGradients: parameterGradients)
    }

    public override func outputShape(_ input: [Int]) throws -> [Int] {
        let s = try super.outputShape(input)
        return [s[0], 2 * outChannels]
    }

    /// Glorot-uniform with the fan-out of the F learned filters.
    public override func initialise(_ rng: inout NetRandom) {
        glorotUniform(weight, fanIn: kernelSize * inChannels, fanOut: kernelSize * outChannels, rng: &rng)
    }

    override func effectiveWeights() -> (w: [Float], b: [Float]?) {
        let (k, cin, f) = (kernelSize, inChannels, outChannels)
        var w = [Float](repeating: 0, count: k * cin * 2 * f)
        let weights = weight.values
        for j in 0..<k {
            for c in 0..<cin {
                for o in 0..<f {
                    let v = weights[(j * cin + c) * f + o]
                    w[(j * cin + c) * 2 * f + o] = v
                    w[((k - 1 - j) * cin + (cin - 1 - c)) * 2 * f + (2 * f - 1 - o)] = v
                }
            }
        }
        let b = bias.map { Array($0.values) + $0.values.reversed() }   // (2F): b, then b reversed
        return (w, b)
    }

    override func accumulate(dW: [Float], db: [Float]?) {
        let (k, cin, f) = (kernelSize, inChannels, outChannels)
        let g = weight.gradient
        for j in 0..<k {
            for c in 0..<cin {
                for o in 0..<f {
                    g[(j * cin + c) * f + o] += dW[(j * cin + c) * 2 * f + o]
                        + dW[((k - 1 - j) * cin + (cin - 1 - c)) * 2 * f + (2 * f - 1 - o)]
                }
            }
        }
        if let db, let gb = bias?.gradient { for o in 0..<f { gb[o] += db[o] + db[2 * f - 1 - o] } }
    }
}
