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
    /// DeepLIFT's rescale rule (Shrikumar et al. 2017), for a batch of n inputs followed by
    /// their n references (row i paired with row i + n): an activation passes the upstream
    /// gradient times (f(x) - f(r)) / (x - r) on both rows of a pair (its own derivative where
    /// |x - r| < 1e-6); a max pool routes each output's change in the pair (max(y, y_r) - y_r on
    /// the input row, y - max(y, y_r) on the reference row, times the upstream gradient) to the
    /// winning input position of each row, sums the two at every input position and divides by
    /// x - r there (its ordinary gradient of the input row where x = r), the same multiplier on
    /// both rows. Linear layers (convolutions, dense layers, inference batch norms, sums) keep
    /// their gradient. The input gradient of the first n rows is then the multipliers m with
    /// sum((x - r) * m) = f(x) - f(r) for each pair.
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
