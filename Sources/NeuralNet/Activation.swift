import Foundation

/// Element-wise activations. `exponential` is the first-layer activation of Koo & Ploenzke
/// (2021); the others reproduce their comparison.
public enum ActivationFunction: String, Codable, Sendable, CaseIterable {
    case relu, exponential, sigmoid, tanh, softplus, elu, linear
}

/// An activation layer.
public final class Activation: Layer {
    public let function: ActivationFunction
    private var input: [Float] = []
    private var output: [Float] = []

    public var kind: String { "Activation(\(function.rawValue))" }
    public var parameters: [Parameter] { [] }

    public init(_ function: ActivationFunction) { self.function = function }

    public func outputShape(_ input: [Int]) throws -> [Int] { input }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        input = x.data
        var y = x
        switch function {
        case .relu: for i in y.data.indices { y.data[i] = max(0, y.data[i]) }
        case .exponential: for i in y.data.indices { y.data[i] = Foundation.exp(y.data[i]) }
        case .sigmoid: for i in y.data.indices { y.data[i] = 1 / (1 + Foundation.exp(-y.data[i])) }
        case .tanh: for i in y.data.indices { y.data[i] = Foundation.tanh(y.data[i]) }
        case .softplus: for i in y.data.indices { let v = y.data[i]; y.data[i] = max(v, 0) + Foundation.log1p(Foundation.exp(-abs(v))) }
        case .elu: for i in y.data.indices { let v = y.data[i]; y.data[i] = v > 0 ? v : Foundation.expm1(v) }
        case .linear: break
        }
        output = y.data
        return y
    }

    public func backward(_ dy: Tensor) -> Tensor {
        var dx = dy
        switch function {
        case .relu: for i in dx.data.indices where input[i] <= 0 { dx.data[i] = 0 }
        case .exponential: for i in dx.data.indices { dx.data[i] *= output[i] }
        case .sigmoid: for i in dx.data.indices { dx.data[i] *= output[i] * (1 - output[i]) }
        case .tanh: for i in dx.data.indices { dx.data[i] *= 1 - output[i] * output[i] }
        case .softplus: for i in dx.data.indices { dx.data[i] *= 1 / (1 + Foundation.exp(-input[i])) }
        case .elu: for i in dx.data.indices where input[i] <= 0 { dx.data[i] *= output[i] + 1 }
        case .linear: break
        }
        return dx
    }
}
