/// Where a profile model's outputs are: per item (P, T) profile logits, then T log counts;
/// each position covers `bin` bases; `pairs` are the [plus, minus] tasks of stranded signals.
public struct ProfileLayout: Sendable, Equatable {
    /// Profile positions and tasks.
    public let length: Int
    public let tasks: Int
    /// Bases per profile position.
    public let bin: Int
    /// The [plus, minus] task pairs.
    public let pairs: [[Int]]

    /// The layout of `architecture`'s outputs, or nil for a model that predicts no profile.
    public init?(_ architecture: Architecture) {
        guard let last = architecture.layers.last, last.type == .profilehead, let p = last.profile else { return nil }
        length = p
        tasks = architecture.outputs
        bin = last.bin ?? 1
        pairs = last.pairs ?? []
    }

    /// Values per item: P * T + T.
    public var width: Int { (length + 1) * tasks }

    /// Bases a window's profile covers: P * bin.
    public var bases: Int { length * bin }

    /// The task whose track is `t`'s other strand (t itself when unstranded).
    public func partner(_ t: Int) -> Int {
        for p in pairs { if p[0] == t { return p[1] }; if p[1] == t { return p[0] } }
        return t
    }

    /// Turns the outputs of rc(x) into the layout of x's, in place, for every item of `values`
    /// (items x width): the profile positions reversed and, for stranded pairs, the two strands
    /// (profiles and counts) swapped.
    public func alignReverse(_ values: UnsafeMutableBufferPointer<Float>) {
        let w = width, t = tasks, p = length
        let swapped = (0..<t).map(partner)
        var item = [Float](repeating: 0, count: w)
        for base in stride(from: 0, to: values.count - w + 1, by: w) {
            for j in 0..<w { item[j] = values[base + j] }
            for q in 0..<p {
                for k in 0..<t { values[base + q * t + k] = item[(p - 1 - q) * t + swapped[k]] }
            }
            for k in 0..<t { values[base + p * t + k] = item[p * t + swapped[k]] }
        }
    }
}
