import NeuralNet

/// How the two strands of a window combine into one score (standard models only: rc and
/// conjoined models are RC-invariant by construction).
public enum StrandCombination: String, Sendable, CaseIterable {
    /// The forward strand only.
    case forward
    /// The mean of the logits of x and rc(x).
    case average
    /// The larger of the logits of x and rc(x).
    case max
}

/// What a score is.
public enum ScoreType: String, Sendable, CaseIterable {
    /// sigmoid(logit), in [0, 1].
    case prob
    /// The model's logit.
    case logit
}

/// The scoring choices of a run, resolved for the model's strand mode.
public struct ScoreSettings: Sendable, Equatable {
    /// The combination actually applied: rc models score the forward strand (both strands give
    /// the same logits), conjoined models average the strands (their definition).
    public let strands: StrandCombination
    public let type: ScoreType
    /// The model's strand mode.
    public let modelStrand: StrandMode

    /// Resolves `requested` (nil: forward) for a model of `modelStrand`.
    public init(modelStrand: StrandMode, requested: StrandCombination?, type: ScoreType) {
        self.modelStrand = modelStrand
        self.type = type
        switch modelStrand {
        case .rc: strands = .forward
        case .conjoined: strands = .average
        case .standard: strands = requested ?? .forward
        }
    }

    /// True when the reverse strand has to be scored.
    public var needsReverse: Bool { strands != .forward }

    /// The strand choice as written in track lines.
    public var strandLabel: String {
        switch modelStrand {
        case .rc: return "invariant-rc"
        case .conjoined: return "conjoined-average"
        case .standard: return strands.rawValue
        }
    }

    /// Combines forward and reverse logits and applies the output type.
    @inline(__always)
    public func score(forward f: Float, reverse r: Float) -> Float {
        let logit: Float
        switch strands {
        case .forward: logit = f
        case .average: logit = (f + r) / 2
        case .max: logit = Swift.max(f, r)
        }
        return type == .prob ? 1 / (1 + expf(-logit)) : logit
    }
}

#if canImport(Glibc)
import Glibc
#endif
