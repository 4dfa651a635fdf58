extension InferencePlan {
    /// Stages `range` over a batch of `batch` inputs of shapes[range.lowerBound] (row-major,
    /// item after item, from element `offset` of `x` on); returns (batch, shapes[range.upperBound]).
    /// `keep(s, y)` receives the output of every stage s (the reference's cached maps).
    func forward(_ range: Range<Int>, _ x: [Float], offset: Int = 0, batch: Int, scratch: inout SlidingScratch,
                 keep: ((Int, [Float]) -> Void)? = nil) -> [Float] {
        var y = x, at = offset
        for s in range {
            y = forward(stage: s, y, offset: at, batch: batch, scratch: &scratch)
            at = 0
            keep?(s, y)
        }
        return y
    }

    /// One stage over a batch: (B, shapes[s]) -> (B, shapes[s + 1]), the input from element
    /// `offset` of `input` on.
    func forward(stage s: Int, _ input: [Float], offset: Int = 0, batch b: Int, scratch: inout SlidingScratch) -> [Float] {
        let inShape = shapes[s], outShape = shapes[s + 1]
        let inSize = inShape.reduce(1, *), outSize = outShape.reduce(1, *)
        var y = uninitializedFloats(b * outSize)
        let slides: Bool
        switch stages[s] {
        case .conv, .pool: slides = true
        case .rows: slides = inShape.count != 1
        default: slides = false
        }
        // Sliding stages read `input` in place from the offset (a window of a span's map); the
        // others read `x`, the batch's own elements.
        let x = offset == 0 || slides ? input : Array(input[offset..<(offset + b * inSize)])
        switch stages[s] {
        case .rows(let map) where inShape.count == 1:
            y = x
            y.withUnsafeMutableBufferPointer { map.apply($0.start, rows: b, channels: inShape[0]) }
        case .conv, .pool, .rows:
            let lout = outShape[0]
            let jobs = (0..<b).map { RowJob(refOffset: offset + $0 * inSize, patched: 0..<0, patchOffset: 0, out: 0..<lout) }
            input.withUnsafeBufferPointer { xs in
                y.withUnsafeMutableBufferPointer { ys in
                    slide(s, jobs: jobs, ref: xs.start, patch: xs.start, dst: ys.start, scratch: &scratch)
                }
            }
        case .flatten:
            y = x
        case .rcSumPool:
            // (B, L, 2F) -> (B, L, F): y[l, f] = x[l, f] + x[L-1-l, 2F-1-f]
            let (l, c) = (inShape[0], inShape[1]), f = c / 2
            for i in 0..<b {
                for t in 0..<l {
                    for k in 0..<f { y[(i * l + t) * f + k] = x[(i * l + t) * c + k] + x[(i * l + l - 1 - t) * c + c - 1 - k] }
                }
            }
        case .globalPool(let mode):
            // (B, L, C) -> (B, C), in GlobalPool's order of operations.
            let (l, c) = (inShape[0], inShape[1])
            for i in 0..<(b * c) { y[i] = mode == .max ? -.infinity : 0 }
            for i in 0..<b {
                for t in 0..<l {
                    for k in 0..<c {
                        let v = x[(i * l + t) * c + k]
                        if mode == .average { y[i * c + k] += v / Float(l) } else if v > y[i * c + k] { y[i * c + k] = v }
                    }
                }
            }
        case .weightedSum(let w):
            // (B, L, C) . w (L, C) summed over L -> (B, C)
            let (l, c) = (inShape[0], inShape[1])
            for i in 0..<(b * c) { y[i] = 0 }
            for i in 0..<b { for t in 0..<l { for k in 0..<c { y[i * c + k] += x[(i * l + t) * c + k] * w[t * c + k] } } }
        case .dense(let d):
            // (B, In) . W (In, Out) + bias -> (B, Out)
            for i in 0..<b { for o in 0..<d.outFeatures { y[i * d.outFeatures + o] = d.bias?[o] ?? 0 } }
            withPointers(x, d.weights, writing: &y) { xs, ws, ys in
                sgemm(m: b, n: d.outFeatures, k: d.inFeatures, xs, lda: d.inFeatures, ws, ldb: d.outFeatures,
                      beta: 1, ys, ldc: d.outFeatures)
            }
        }
        return y
    }
}
