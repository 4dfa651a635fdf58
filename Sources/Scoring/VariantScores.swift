import Foundation

/// A score of a variant allele for one task, from the model's logits of the reference and
/// alternative windows (`crick variants --scores`).
public enum VariantScoreKind: String, Sendable, CaseIterable {
    /// sigmoid(reference logit).
    case refProb = "ref_prob"
    /// sigmoid(alternative logit).
    case altProb = "alt_prob"
    /// alt_prob - ref_prob.
    case diff
    /// alternative logit - reference logit.
    case logitDiff = "logit_diff"
    /// log2(alt_prob / ref_prob).
    case log2fc

    /// The columns written by default: every score.
    public static let defaults: [VariantScoreKind] = allCases

    /// The value from the two logits (computed in double precision).
    public func value(ref: Float, alt: Float) -> Double {
        let r = Double(ref), a = Double(alt)
        switch self {
        case .refProb: return sigmoid(r)
        case .altProb: return sigmoid(a)
        case .diff: return sigmoid(a) - sigmoid(r)
        case .logitDiff: return a - r
        // log2 sigmoid(x) = -log2(1 + e^-x), computed without underflow for very negative x.
        case .log2fc: return (logSigmoid(a) - logSigmoid(r)) / M_LN2
        }
    }

    /// A one-line description, for headers.
    public var meaning: String {
        switch self {
        case .refProb: return "probability of the reference window"
        case .altProb: return "probability of the alternative window"
        case .diff: return "alternative minus reference probability"
        case .logitDiff: return "alternative minus reference logit"
        case .log2fc: return "log2 of the alternative over the reference probability"
        }
    }

    private func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    private func logSigmoid(_ x: Double) -> Double { x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x)) }
}

/// Combines the logits of several models of one variant: their mean (a logit ensemble).
public func meanLogits(_ perModel: [[Float]]) -> [Float] {
    guard let first = perModel.first else { return [] }
    if perModel.count == 1 { return first }
    var out = [Float](repeating: 0, count: first.count)
    for m in perModel { for i in out.indices { out[i] += m[i] } }
    let n = Float(perModel.count)
    return out.map { $0 / n }
}
