import NeuralNet

/// How the two strands of a window combine into one score (standard models only: rc and
/// conjoined models are RC-invariant by construction): NeuralNet's `StrandPolicy.Combination`,
/// so that scoring, attribution and variant scoring share one rule.
public typealias StrandCombination = StrandPolicy.Combination

/// What a score is.
public enum ScoreType: String, Sendable, CaseIterable {
    /// sigmoid(logit), in [0, 1].
    case prob
    /// The model's logit (of a count model: its raw output).
    case logit
    /// A count model's prediction of the count: exp of the log rate (poisson models); the
    /// output of an mse model, through expm1 when it was trained on log1p counts (the default).
    case count
}

/// The scoring choices of a run, resolved for the model's strand mode.
public struct ScoreSettings: Sendable, Equatable {
    /// The strand rule resolved for the model (`StrandPolicy`).
    public let policy: StrandPolicy
    public let type: ScoreType
    /// What the model was trained on (`count` scores exponentiate poisson log rates).
    public let objective: Objective
    /// An mse model trained on log1p counts (`count` scores apply expm1).
    public let log1pCounts: Bool

    /// The combination actually applied: rc models score the forward strand (both strands give
    /// the same logits), conjoined models average the strands (their definition).
    public var strands: StrandCombination { policy.combination }
    /// The model's strand mode.
    public var modelStrand: StrandMode { policy.modelStrand }

    /// Resolves `requested` (nil: forward) for a model of `modelStrand`.
    public init(modelStrand: StrandMode, requested: StrandCombination?, type: ScoreType, objective: Objective = .binary, log1pCounts: Bool = false) {
        policy = StrandPolicy(modelStrand: modelStrand, requested: requested)
        self.type = type
        self.objective = objective
        self.log1pCounts = log1pCounts
    }

    /// True when the reverse strand has to be scored.
    public var needsReverse: Bool { policy.needsReverse }

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
        let logit = policy.combine(forward: f, reverse: r)
        switch type {
        case .prob: return 1 / (1 + expf(-logit))
        case .logit: return logit
        case .count:
            switch objective {
            case .poisson: return expf(logit)
            case .mse: return log1pCounts ? Swift.max(expm1f(logit), 0) : logit
            case .binary, .profile: return logit
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
