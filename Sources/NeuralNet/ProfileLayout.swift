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

    /// Whether `pairs` are disjoint [plus, minus] pairs of task indices in 0..<tasks.
    public static func validPairs(_ pairs: [[Int]], tasks: Int) -> Bool {
        let paired = pairs.flatMap { $0 }
        return pairs.allSatisfy { $0.count == 2 } && paired.allSatisfy { (0..<tasks).contains($0) } && Set(paired).count == paired.count
    }

    /// Each task's other strand under `pairs` (valid ones), itself when unstranded.
    public static func partners(_ pairs: [[Int]], tasks: Int) -> [Int] {
        var out = Array(0..<tasks)
        for p in pairs { out[p[0]] = p[1]; out[p[1]] = p[0] }
        return out
    }

    /// Turns the outputs of rc(x) into the layout of x's, in place, for every item of `values`
    /// (items x width): the profile positions reversed and, for stranded pairs, the two strands
    /// (profiles and counts) swapped.
    public func alignReverse(_ values: UnsafeMutableBufferPointer<Float>) {
        let w = width, t = tasks, p = length
        let swapped = ProfileLayout.partners(pairs, tasks: t)
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
