/// How the logits of a window's two strands become the model's logit: the one strand rule of
/// prediction, scoring, attribution and variant scoring.
///
/// rc models are RC-invariant by construction and score the forward strand; conjoined models
/// average the logits of x and rc(x) (their definition, Zhou et al. 2021); standard models
/// score the forward strand unless another combination is asked for.
public struct StrandPolicy: Sendable, Equatable {
    /// How the two strands of a window combine (a choice for standard models only).
    public enum Combination: String, Sendable, CaseIterable {
        /// The forward strand only.
        case forward
        /// The mean of the logits of x and rc(x).
        case average
        /// The larger of the logits of x and rc(x).
        case max
    }

    /// The model's strand mode.
    public let modelStrand: StrandMode
    /// The combination actually applied.
    public let combination: Combination

    /// Resolves `requested` (nil: forward) for a model of `modelStrand`: rc models always take
    /// the forward strand, conjoined models always average.
    public init(modelStrand: StrandMode, requested: Combination? = nil) {
        self.modelStrand = modelStrand
        switch modelStrand {
        case .rc: combination = .forward
        case .conjoined: combination = .average
        case .standard: combination = requested ?? .forward
        }
    }

    /// True when the reverse strand has to be scored.
    public var needsReverse: Bool { combination != .forward }

    /// The logit of a window from its forward and reverse-strand logits.
    @inline(__always)
    public func combine(forward f: Float, reverse r: Float) -> Float {
        switch combination {
        case .forward: return f
        case .average: return (f + r) / 2
        case .max: return Swift.max(f, r)
        }
    }
}
