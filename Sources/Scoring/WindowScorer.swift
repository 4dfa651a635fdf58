import NeuralNet

/// Scores windows cut out of a genome, one batch at a time: one-hot encoding, the model's
/// inference pass on both strands as `settings` asks, strand combination and output type.
/// Thread-safe: the model's inference pass keeps no state, so one scorer serves every worker.
public final class WindowScorer {
    public let model: Model
    public let settings: ScoreSettings
    /// Windows per model call.
    public static let batch = 128

    public init(model: Model, settings: ScoreSettings) {
        self.model = model
        self.settings = settings
    }

    /// The model's input length.
    public var length: Int { model.architecture.inputLength }
    /// Scores per window.
    public var tasks: Int { model.architecture.outputs }

    /// Scores of `count` windows given as base codes (count x length, row-major):
    /// (count, tasks), row-major.
    public func score(codes: UnsafeBufferPointer<UInt8>, count: Int) -> [Float] {
        let l = length, t = tasks
        var out = [Float](repeating: 0, count: count * t)
        var done = 0
        while done < count {
            let n = min(WindowScorer.batch, count - done)
            let slice = UnsafeBufferPointer(rebasing: codes[(done * l)..<((done + n) * l)])
            let x = oneHot(codes: slice, batch: n, length: l)          // (n, L, 4)
            let f = model.inference(x)                                   // (n, T)
            let r = settings.needsReverse ? model.inference(x.reverseComplemented()) : f
            for i in 0..<(n * t) { out[done * t + i] = settings.score(forward: f.data[i], reverse: r.data[i]) }
            done += n
        }
        return out
    }
}
