/// The receptive-field bookkeeping of incremental scoring: which output rows of a sliding layer
/// can change when a range of its input rows changes, and which input rows recomputing them
/// reads. Ranges are half-open row ranges of one feature map; an empty range means "nothing
/// changed" and maps to an empty range.
enum ReceptiveField {
    /// Floor division (rounds towards minus infinity, also for negative numerators).
    @inline(__always)
    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Convolution (stride 1): output row t reads input rows t - pad ..< t - pad + k, so a change
    /// in input rows [a, b) reaches output rows [a - k + 1 + pad, b + pad), clipped to the output.
    static func conv(_ changed: Range<Int>, kernel k: Int, padLeft pad: Int, outputLength: Int) -> Range<Int> {
        guard !changed.isEmpty else { return 0..<0 }
        return clip((changed.lowerBound - k + 1 + pad)..<(changed.upperBound + pad), outputLength)
    }

    /// The input rows output rows `rows` of a convolution read (may reach past the input on
    /// either side: those rows are the zero padding of `same`).
    static func convInput(_ rows: Range<Int>, kernel k: Int, padLeft pad: Int) -> Range<Int> {
        (rows.lowerBound - pad)..<(rows.upperBound - pad + k - 1)
    }

    /// Max pooling: output row t is the maximum of input rows [t * s - pad, t * s - pad + pool)
    /// within the input, so a change in [a, b) reaches the rows t with t * s - pad < b and
    /// t * s - pad + pool > a: t in [floor((a + pad - pool) / s) + 1, floor((b + pad - 1) / s)].
    static func pool(_ changed: Range<Int>, pool p: Int, stride s: Int, padLeft pad: Int, outputLength: Int) -> Range<Int> {
        guard !changed.isEmpty else { return 0..<0 }
        let lo = floorDiv(changed.lowerBound + pad - p, s) + 1
        let hi = floorDiv(changed.upperBound + pad - 1, s) + 1
        return clip(lo..<max(lo, hi), outputLength)
    }

    /// The input rows pooled output rows `rows` read, within the input of `inputLength` rows.
    static func poolInput(_ rows: Range<Int>, pool p: Int, stride s: Int, padLeft pad: Int, inputLength: Int) -> Range<Int> {
        guard !rows.isEmpty else { return 0..<0 }
        let lo = max(0, rows.lowerBound * s - pad)
        let hi = min(inputLength, (rows.upperBound - 1) * s - pad + p)
        return lo..<max(lo + 1, hi)
    }

    /// `r` clipped to 0..<length (empty when it lies outside).
    static func clip(_ r: Range<Int>, _ length: Int) -> Range<Int> {
        let lo = max(0, r.lowerBound), hi = min(length, r.upperBound)
        return lo < hi ? lo..<hi : 0..<0
    }

    /// The smallest range holding `a` and `b` (either may be empty).
    static func hull(_ a: Range<Int>, _ b: Range<Int>) -> Range<Int> {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        return min(a.lowerBound, b.lowerBound)..<max(a.upperBound, b.upperBound)
    }
}
