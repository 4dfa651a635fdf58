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
    /// Scores per window: one per task, or a profile model's P x T predicted counts per
    /// position and T total counts (`ProfileOutputs`).
    public var tasks: Int { model.architecture.outputWidth }

    /// The profile layout of a profile model (nil for other models).
    public var profile: ProfileOutputs? { ProfileOutputs(model.architecture) }

    /// Scores of `count` windows given as base codes (count x length, row-major):
    /// (count, tasks), row-major.
    public func score(codes: UnsafeBufferPointer<UInt8>, count: Int) -> [Float] {
        let l = length, t = tasks
        var forward = [Float](repeating: 0, count: count * t), reverse: [Float] = []
        var done = 0
        while done < count {
            let n = min(WindowScorer.batch, count - done)
            let slice = UnsafeBufferPointer(rebasing: codes[(done * l)..<((done + n) * l)])
            let x = oneHot(codes: slice, batch: n, length: l)          // (n, L, 4)
            let f = model.inference(x)                                   // (n, T)
            for i in 0..<(n * t) { forward[done * t + i] = f.data[i] }
            if settings.needsReverse {
                if reverse.isEmpty { reverse = [Float](repeating: 0, count: count * t) }
                let r = model.inference(x.reverseComplemented())
                for i in 0..<(n * t) { reverse[done * t + i] = r.data[i] }
            }
            done += n
        }
        return combine(forward: forward, reverse: reverse)
    }

    /// The scores of windows from their logits on both strands (`reverse` empty: the forward
    /// strand only): the strand combination and output type, elementwise; for profile models
    /// the reverse profiles lined up first and the predicted counts computed after.
    func combine(forward: [Float], reverse: [Float]) -> [Float] {
        var r = reverse
        if let profile, !r.isEmpty { profile.reverseProfiles(&r) }
        var out = forward
        for i in out.indices { out[i] = r.isEmpty ? settings.score(forward: out[i], reverse: out[i]) : settings.score(forward: out[i], reverse: r[i]) }
        if let profile { profile.toCounts(&out) }
        return out
    }
}
