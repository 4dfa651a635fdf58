/// A layer: a forward/backward pair over channels-last tensors. A layer holds its parameters
/// and settings only; what a pass keeps lives in the caller's `PassWorkspace`.
///
/// `forward` keeps what `backward` needs in the workspace; `infer` keeps nothing (so one layer
/// serves every inference thread); `backward` reads the workspace of its forward pass, takes the
/// gradient of the loss with respect to the output, adds the parameter gradients (when the
/// workspace asks for them), and returns the gradient with respect to the input. Shapes exclude
/// the batch dimension.
public protocol Layer: AnyObject {
    /// Keras-style class name for summaries.
    var kind: String { get }
    /// The output shape for an input shape (both without the batch).
    func outputShape(_ input: [Int]) throws -> [Int]
    /// y = f(x); `training` selects batch statistics and dropout. Keeps what `backward` needs
    /// (in inference mode too) in `workspace`.
    func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor
    /// y = f(x) at inference, the values of `forward(x, training: false)` to the bit, keeping
    /// nothing for a backward pass: any number of threads may call it at once on one layer.
    func infer(_ x: Tensor) -> Tensor
    /// dx from dy after a `forward` into `workspace`, accumulating parameter gradients when
    /// `workspace.accumulatesParameterGradients`.
    func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor
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
