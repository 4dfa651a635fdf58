/// A layer: a forward/backward pair over channels-last tensors.
///
/// `forward` keeps what `backward` needs; `backward` takes the gradient of the loss with
/// respect to the output, adds the parameter gradients, and returns the gradient with respect
/// to the input. Shapes exclude the batch dimension.
public protocol Layer: AnyObject {
    /// Keras-style class name for summaries.
    var kind: String { get }
    /// The output shape for an input shape (both without the batch).
    func outputShape(_ input: [Int]) throws -> [Int]
    /// y = f(x); `training` selects batch statistics and dropout.
    func forward(_ x: Tensor, training: Bool) -> Tensor
    /// dx from dy, accumulating parameter gradients.
    func backward(_ dy: Tensor) -> Tensor
    /// Trainable parameters and running statistics.
    var parameters: [Parameter] { get }
}

/// Shape errors found when a model is assembled.
public enum NetworkError: Error, CustomStringConvertible, Sendable {
    case shape(String)
    case architecture(String)
    case file(path: String, detail: String)

    public var description: String {
        switch self {
        case .shape(let s): return "shape mismatch: \(s)"
        case .architecture(let s): return "invalid architecture: \(s)"
        case .file(let path, let detail): return "\(detail): \(path)"
        }
    }
}
