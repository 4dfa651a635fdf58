import Foundation

/// Element-wise activations. `exponential` is the first-layer activation of Koo & Ploenzke
/// (2021); the others reproduce their comparison.
public enum ActivationFunction: String, Codable, Sendable, CaseIterable {
    case relu, exponential, sigmoid, tanh, softplus, elu, linear
}

/// An activation layer.
public final class Activation: Layer {
    public let function: ActivationFunction

    public var kind: String { "Activation(\(function.rawValue))" }
    public var parameters: [Parameter] { [] }

    public init(_ function: ActivationFunction) { self.function = function }

    /// f(v) for one value.
    static func value(_ f: ActivationFunction, _ v: Float) -> Float {
        switch f {
        case .relu: return max(0, v)
        case .exponential: return Foundation.exp(v)
        case .sigmoid: return 1 / (1 + Foundation.exp(-v))
        case .tanh: return Foundation.tanh(v)
        case .softplus: return max(v, 0) + Foundation.log1p(Foundation.exp(-abs(v)))
        case .elu: return v > 0 ? v : Foundation.expm1(v)
        case .linear: return v
        }
    }

    public func outputShape(_ input: [Int]) throws -> [Int] { input }

    /// Applies `f` to every element on the worker threads.
    private func map(_ x: [Float], into y: inout [Float], _ f: @escaping (Float) -> Float) {
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                let xb = UnsafeSendable(xs.start), yb = UnsafeSendable(ys.start)
                parallelChunks(xs.count, grain: 1 << 16) { r in for i in r { yb.value[i] = f(xb.value[i]) } }
            }
        }
    }

    /// The input and output of the last forward pass.
    private final class Cache {
        var input: [Float] = []
        var output: [Float] = []
    }

    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        let y = infer(x)
        // Kept in inference too: an inference-mode backward (attribution) needs them.
        let cache = workspace.cache(self, Cache.init)
        cache.input = x.data
        cache.output = y.data
        return y
    }

    public func infer(_ x: Tensor) -> Tensor {
        var y = Tensor(uninitializedShape: x.shape)
        switch function {
        case .relu:
            // A loop of its own (not through `map`'s closure), so that it vectorises.
            x.data.withUnsafeBufferPointer { xs in
                y.data.withUnsafeMutableBufferPointer { ys in
                    let xb = UnsafeSendable(xs.start), yb = UnsafeSendable(ys.start)
                    parallelChunks(xs.count, grain: 1 << 16) { r in
                        let src = xb.value, dst = yb.value
                        for i in r { dst[i] = max(0, src[i]) }
                    }
                }
            }
        case .exponential: map(x.data, into: &y.data) { Foundation.exp($0) }
        case .sigmoid: map(x.data, into: &y.data) { 1 / (1 + Foundation.exp(-$0)) }
        case .tanh: map(x.data, into: &y.data) { Foundation.tanh($0) }
        case .softplus: map(x.data, into: &y.data) { max($0, 0) + Foundation.log1p(Foundation.exp(-abs($0))) }
        case .elu: map(x.data, into: &y.data) { $0 > 0 ? $0 : Foundation.expm1($0) }
        case .linear: y = x
        }
        return y
    }

    /// f'(x) for one value, from its input x and output y = f(x).
    @inline(__always) static func derivative(_ f: ActivationFunction, x: Float, y: Float) -> Float {
        switch f {
        case .relu: return x > 0 ? 1 : 0
        case .exponential: return y
        case .sigmoid: return y * (1 - y)
        case .tanh: return 1 - y * y
        case .softplus: return 1 / (1 + Foundation.exp(-x))
        case .elu: return x > 0 ? 1 : y + 1
        case .linear: return 1
        }
    }

    public func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        let cache = workspace.cache(self, Cache.init)
        let input = cache.input, output = cache.output
        let rescale = workspace.rule == .deepLiftRescale
        // DeepLIFT: the forward saw [x; r_1..r_n] (n + 1 rows), dy has one row per pair.
        let row = rescale ? input.count - dy.count : 0
        precondition(rescale ? row > 0 && dy.count % row == 0 : input.count == dy.count,
                     "\(kind).backward needs a forward of the matching shape into the workspace first")
        var dx = Tensor(uninitializedShape: dy.shape)
        let f = function
        let n = dy.data.count
        withPointers(dy.data, input, output, writing: &dx.data) { ds, xs, ys, out in
            let d = UnsafeSendable(ds), x = UnsafeSendable(xs), y = UnsafeSendable(ys)
            let o = UnsafeSendable(out)
            if rescale {
                // Element e of pair p: x's value at e % row, the reference's at row + e.
                parallelChunks(n, grain: 1 << 15) { r in
                    for e in r {
                        let i = e % row, j = row + e
                        let dIn = x.value[i] - x.value[j]
                        let m = abs(dIn) < 1e-6 ? Activation.derivative(f, x: x.value[i], y: y.value[i]) : (y.value[i] - y.value[j]) / dIn
                        o.value[e] = d.value[e] * m
                    }
                }
                return
            }
            parallelChunks(n, grain: 1 << 16) { r in
                for i in r {
                    let g = d.value[i]
                    switch f {
                    case .relu: o.value[i] = x.value[i] > 0 ? g : 0
                    case .exponential: o.value[i] = g * y.value[i]
                    case .sigmoid: o.value[i] = g * y.value[i] * (1 - y.value[i])
                    case .tanh: o.value[i] = g * (1 - y.value[i] * y.value[i])
                    case .softplus: o.value[i] = g / (1 + Foundation.exp(-x.value[i]))
                    case .elu: o.value[i] = x.value[i] > 0 ? g : g * (y.value[i] + 1)
                    case .linear: o.value[i] = g
                    }
                }
            }
        }
        return dx
    }
}
