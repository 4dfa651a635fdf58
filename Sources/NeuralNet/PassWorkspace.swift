/// What a forward pass keeps for its backward pass, per layer (inputs, im2col columns or the
/// padded input, argmax indices, x-hat and inverse deviations, dropout masks), held apart from
/// the layers as llm.c holds activations apart from parameters: the layers keep parameters and
/// settings only, so one model can serve several workers, each with a workspace of its own.
///
/// A backward pass reads the workspace its forward pass wrote. Not thread-safe: one per worker.
public final class PassWorkspace {
    /// False for passes that want the input gradient only (attribution): the layers then leave
    /// the parameter gradients alone, so that workers sharing one model never write to it.
    public let accumulatesParameterGradients: Bool
    /// How backward passes treat the nonlinear layers.
    public let rule: BackwardRule
    private var caches: [ObjectIdentifier: AnyObject] = [:]

    /// `parameterGradients`: whether backward passes add to the parameters' gradients.
    public init(parameterGradients: Bool = true, rule: BackwardRule = .gradient) {
        accumulatesParameterGradients = parameterGradients
        self.rule = rule
    }

    /// The cache of `layer`, made by `make` the first time (or when the layer's cache type
    /// changed). The workspace does not keep the layer alive.
    func cache<C: AnyObject>(_ layer: AnyObject, _ make: () -> C) -> C {
        let id = ObjectIdentifier(layer)
        if let c = caches[id] as? C { return c }
        let c = make()
        caches[id] = c
        return c
    }

    /// Drops every cache (the memory of the last pass).
    public func clear() { caches = [:] }
}

/// How a backward pass goes through the nonlinear layers (activations and max pools).
public enum BackwardRule: Sendable, Equatable {
    /// The chain rule: each layer's local derivative.
    case gradient
    /// DeepLIFT's rescale rule (Shrikumar et al. 2017) for one input x against n references:
    /// the forward batch is [x; r_1, ..., r_n] (n + 1 rows) and the backward pass takes n rows,
    /// the upstream gradient of each pair (x, r_p), and returns n rows of multipliers m_p with
    /// sum((x - r_p) * m_p) = f(x) - f(r_p). An activation passes the upstream gradient times
    /// (f(x) - f(r)) / (x - r) (its derivative at x where |x - r| < 1e-6); a max pool routes the
    /// pair's change of each output (max(y, y_r) - y_r at x's winning position, y - max(y, y_r)
    /// at r's) times the upstream gradient, sums them at every input position and divides by
    /// x - r there (the plain gradient at x's winning position where x = r). Linear layers
    /// (convolutions, dense layers, inference batch norms, sums) keep their gradient. As in
    /// DeepLIFT with the pair batched together, x's and r's rows of a pair carry the same
    /// upstream gradient, so one row per pair is enough (and x's forward pass is shared).
    case deepLiftRescale
}

/// The input shape a layer's forward pass saw, for the layers that keep nothing else.
final class ShapeCache {
    var inputShape: [Int] = []
}

/// The input a layer's forward pass saw (dense layers and weighted sums).
final class InputCache {
    var input = Tensor(shape: [0])
}
