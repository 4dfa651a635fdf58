/// Reference windows that overlap share their first layers' rows: a `valid` convolution (stride
/// 1) computes output row t from input rows t..<t + k alone, so on a stretch of sequence (a
/// span) holding several windows, each window's rows of such a layer are a slice of the span's.
/// `MutationWorkspace.prepare(span:)` runs those leading stages once along the whole span;
/// `prepare(spanOffset:)` then caches one window of it as `prepare(reference:)` would, running
/// only the stages after them (a pooling, the head) on the window. Variant scoring of sorted
/// variants uses it for the reference windows of nearby records.
extension InferencePlan {
    /// The leading stages whose rows are slices of a longer run's: `valid` convolutions and row
    /// maps (batch norms, activations) on (L, C) maps, up to the first stage of any other kind.
    var spanEnd: Int {
        var end = 0
        while end < slidingEnd {
            switch stages[end] {
            case .conv(let c):
                // Valid: no left padding and Lout = Lin - k + 1 (no right padding either).
                guard c.padLeft == 0, shapes[end + 1][0] == shapes[end][0] - c.kernel + 1 else { return end }
            case .rows:
                break
            default:
                return end
            }
            end += 1
        }
        return end
    }

    /// Output rows of span stage `s` on `rows` input rows (0 when too short).
    func spanRows(stage s: Int, input rows: Int) -> Int {
        if case .conv(let c) = stages[s] { return max(0, rows - c.kernel + 1) }
        return rows
    }

    /// Span stage `s` on one map of `rows` x shapes[s][1] values: (spanRows(s, rows), C_{s+1}).
    func forwardSpan(stage s: Int, _ x: [Float], rows: Int, scratch: inout SlidingScratch) -> [Float] {
        let out = spanRows(stage: s, input: rows), cout = shapes[s + 1][1]
        var y = uninitializedFloats(out * cout)
        guard out > 0 else { return y }
        let jobs = [RowJob(refOffset: 0, patched: 0..<0, patchOffset: 0, out: 0..<out)]
        x.withUnsafeBufferPointer { xs in
            y.withUnsafeMutableBufferPointer { ys in
                slide(s, jobs: jobs, ref: xs.start, patch: xs.start, dst: ys.start, scratch: &scratch, inputRows: rows)
            }
        }
        return y
    }
}

extension IncrementalScorer {
    /// True when reference windows can share a span's leading stages (`prepare(span:)` helps).
    public var sharesSpans: Bool { plan.spanEnd > 0 }

    /// The longest span worth preparing, in bases: 32 windows (a span recomputes one window's
    /// length of sequence that the next span also covers, so about 3% is computed twice), fewer
    /// when the span stages' maps would pass about 64 MB per strand (16 M floats).
    public var spanLimit: Int {
        let channels = (0...plan.spanEnd).reduce(0) { $0 + plan.shapes[$1][1] }
        return max(inputLength, min(32 * inputLength, 16_000_000 / max(1, channels)))
    }
}

extension MutationWorkspace {
    /// One strand of a prepared span: its codes and the inputs of stages 0...spanEnd along it.
    struct SpanStrand {
        /// (N) base codes (the reverse strand's reverse-complemented).
        var codes: [UInt8]
        /// maps[s]: (N_s, C_s), N_0 = N; maps[0] the one-hot span.
        var maps: [[Float]]
    }

    /// Runs the span stages along `codes` (N >= L base codes) on each strand the policy needs;
    /// windows of it are then prepared by `prepare(spanOffset:)`.
    public func prepare(span codes: [UInt8]) throws {
        guard codes.count >= length else {
            throw NetworkError.shape("a span of \(codes.count) bases for a model of input length \(length)")
        }
        var spans = [spanPass(codes)]
        if scorer.policy.needsReverse { spans.append(spanPass(codes.reversed().map { $0 < 4 ? 3 - $0 : 4 })) }
        spanStrands = spans
    }

    /// The span stages along one strand.
    private func spanPass(_ codes: [UInt8]) -> SpanStrand {
        let n = codes.count
        let x = codes.withUnsafeBufferPointer { oneHot(codes: $0, batch: 1, length: n) }   // (1, N, 4)
        var maps = [x.data]
        var rows = n
        for s in 0..<plan.spanEnd {
            maps.append(plan.forwardSpan(stage: s, maps[s], rows: rows, scratch: &scratch))
            rows = plan.spanRows(stage: s, input: rows)
        }
        return SpanStrand(codes: codes, maps: maps)
    }

    /// Prepares the window of the span starting at base `offset` (offset + L <= N) as the
    /// reference, equal to `prepare(reference:)` on those L bases; returns its logits (T).
    @discardableResult
    public func prepare(spanOffset offset: Int) throws -> [Float] {
        guard let first = spanStrands.first else { throw NetworkError.shape("no span prepared") }
        let n = first.codes.count
        guard offset >= 0, offset <= n - length else {
            throw NetworkError.shape("a window at \(offset) of a span of \(n) bases for a model of input length \(length)")
        }
        strands = spanStrands.enumerated().map { i, span in
            // The reverse strand's window starts where the forward one ends, counted from the end.
            let o = i == 0 ? offset : n - offset - length
            // The span's maps themselves (not copies), each from the window's first row.
            let maps = Array(span.maps[0...plan.spanEnd])
            let offsets = (0...plan.spanEnd).map { o * plan.shapes[$0][1] }
            return finish(Array(span.codes[o..<(o + length)]), maps: maps, offsets: offsets)
        }
        referenceLogits = combine(strands[0].logits, strands.count > 1 ? strands[1].logits : nil)
        return referenceLogits
    }
}
