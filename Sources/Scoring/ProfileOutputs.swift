import Foundation
import NeuralNet

/// The outputs of a profile model per window, (P, T) profile logits then T log counts
/// (log(1 + total)), and what scoring makes of them.
public struct ProfileOutputs: Sendable, Equatable {
    /// Where the outputs are (positions, tasks, bin, stranded pairs).
    public let layout: ProfileLayout
    /// Profile positions and tasks.
    public var length: Int { layout.length }
    public var tasks: Int { layout.tasks }
    /// Bases per profile position.
    public var bin: Int { layout.bin }

    /// The layout of `architecture`'s outputs, or nil for a model that predicts no profile.
    public init?(_ architecture: Architecture) {
        guard let layout = ProfileLayout(architecture) else { return nil }
        self.layout = layout
    }

    /// Values per window: P * T + T.
    public var width: Int { (length + 1) * tasks }

    /// Lines up the outputs of rc(x) of every window of `values` (windows x width) with those
    /// of x, in place: positions reversed, stranded pairs swapped.
    public func reverseProfiles(_ values: inout [Float]) {
        values.withUnsafeMutableBufferPointer { layout.alignReverse($0) }
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
