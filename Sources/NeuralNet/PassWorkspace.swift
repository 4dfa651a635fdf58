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
    private var caches: [ObjectIdentifier: AnyObject] = [:]

    /// `parameterGradients`: whether backward passes add to the parameters' gradients.
    public init(parameterGradients: Bool = true) {
        accumulatesParameterGradients = parameterGradients
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

/// The input shape a layer's forward pass saw, for the layers that keep nothing else.
final class ShapeCache {
    var inputShape: [Int] = []
}

/// The input a layer's forward pass saw (dense layers and weighted sums).
final class InputCache {
    var input = Tensor(shape: [0])
}
