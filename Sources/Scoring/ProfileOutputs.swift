import Foundation
import NeuralNet

/// The outputs of a profile model per window, (P, T) profile logits then T log counts
/// (log(1 + total)), and what scoring makes of them.
public struct ProfileOutputs: Sendable, Equatable {
    /// Profile positions and tasks.
    public let length: Int
    public let tasks: Int

    /// The layout of `architecture`'s outputs, or nil for a model that predicts no profile.
    public init?(_ architecture: Architecture) {
        guard let p = architecture.profileLength else { return nil }
        length = p
        tasks = architecture.outputs
    }

    /// Values per window: P * T + T.
    public var width: Int { (length + 1) * tasks }

    /// Reverses the profile positions of every window of `values` (windows x width), in place,
    /// counts untouched: the outputs of rc(x) lined up with those of x.
    public func reverseProfiles(_ values: inout [Float]) {
        let w = width, t = tasks, p = length
        for base in stride(from: 0, to: values.count, by: w) {
            for q in 0..<(p / 2) {
                for k in 0..<t { values.swapAt(base + q * t + k, base + (p - 1 - q) * t + k) }
            }
        }
    }

    /// Turns every window's logits into predicted counts, in place: the total count
    /// exp(c) - 1 (at least 0) in place of the log count c, and at each position the total
    /// times the softmax of the profile logits.
    public func toCounts(_ values: inout [Float]) {
        let w = width, t = tasks, p = length
        for base in stride(from: 0, to: values.count, by: w) {
            for k in 0..<t {
                let total = Swift.max(Foundation.expm1(Double(values[base + p * t + k])), 0)
                var top = -Double.infinity
                for q in 0..<p { top = Swift.max(top, Double(values[base + q * t + k])) }
                var sum = 0.0
                for q in 0..<p { sum += Foundation.exp(Double(values[base + q * t + k]) - top) }
                for q in 0..<p {
                    values[base + q * t + k] = Float(total * Foundation.exp(Double(values[base + q * t + k]) - top) / sum)
                }
                values[base + p * t + k] = Float(total)
            }
        }
    }
}
