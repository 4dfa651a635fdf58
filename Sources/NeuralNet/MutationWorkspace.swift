/// The per-thread state of an `IncrementalScorer`: the cached reference (per strand) and the
/// scratch buffers of the incremental passes. Not thread-safe: one per worker thread.
public final class MutationWorkspace {
    public let scorer: IncrementalScorer
    /// The forward strand's cache, then the reverse strand's when the policy needs it.
    var strands: [StrandCache] = []
    /// The prepared span (`prepare(span:)`), per strand like `strands`.
    var spanStrands: [SpanStrand] = []
    /// The combined logits of the prepared reference (T), empty before `prepare`.
    public internal(set) var referenceLogits: [Float] = []
    var scratch = SlidingScratch()
    /// The changed rows of the current and the next stage, for every mutant of a pass.
    private var current = PatchRows(), next = PatchRows()

    init(_ scorer: IncrementalScorer) { self.scorer = scorer }

    /// One strand of the reference: its codes and the cached maps.
    struct StrandCache {
        /// (L) base codes.
        var codes: [UInt8]
        /// maps[s] holds the input of stage s, for s up to the first head stage: maps[0] the
        /// one-hot input (L, 4), maps[s] (L_s, C_s), from element offsets[s] on (a window of a
        /// prepared span's longer map, shared rather than copied; 0 for a window's own map).
        var maps: [[Float]]
        /// Element offset of the window's first row in each of `maps`.
        var offsets: [Int]
        /// The first head stage's output (Out) when it is a dense layer on the map (the
        /// pre-activation that mutants update from their changed rows).
        var denseOutput: [Float]?
        /// (T)
        var logits: [Float]
    }

    /// Changed rows of one map for the mutants of a pass: mutant m's rows `ranges[m]`, values
    /// at element `offsets[m]` of `values` (ranges[m].count x C).
    private struct PatchRows {
        var ranges: [Range<Int>] = []
        var offsets: [Int] = []
        var values: [Float] = []

        /// Lays out `ranges` of `channels` values each (values to be written).
        mutating func layout(_ r: [Range<Int>], channels: Int) {
            ranges = r
            offsets = []
            offsets.reserveCapacity(r.count)
            var at = 0
            for range in r { offsets.append(at); at += range.count * channels }
            if values.count < at { values = uninitializedFloats(at) }
        }
    }

    var plan: InferencePlan { scorer.plan }
    var length: Int { scorer.inputLength }

    // MARK: reference

    /// Caches the reference window (L base codes) on each strand the policy needs; returns its
    /// combined logits (T).
    @discardableResult
    public func prepare(reference codes: [UInt8]) throws -> [Float] {
        guard codes.count == length else { throw NetworkError.shape("a reference of \(codes.count) bases for a model of input length \(length)") }
        strands = [cache(codes)]
        if scorer.policy.needsReverse { strands.append(cache(codes.reversed().map { $0 < 4 ? 3 - $0 : 4 })) }
        referenceLogits = combine(strands[0].logits, strands.count > 1 ? strands[1].logits : nil)
        return referenceLogits
    }

    /// The full forward pass of one strand of the reference, keeping what mutants reuse.
    private func cache(_ codes: [UInt8]) -> StrandCache {
        let x = codes.withUnsafeBufferPointer { oneHot(codes: $0, batch: 1, length: length) }   // (1, L, 4)
        return finish(codes, maps: [x.data], offsets: [0])
    }

    /// The rest of one strand's reference pass from `maps`, the inputs of stages 0..<maps.count
    /// (maps[0] the one-hot window) from their `offsets`: the remaining sliding stages (their
    /// outputs kept), then the head.
    func finish(_ codes: [UInt8], maps start: [[Float]], offsets startOffsets: [Int]) -> StrandCache {
        let end = plan.slidingEnd, last = plan.stages.count
        var maps = start, offsets = startOffsets
        let first = maps.count - 1
        let map = plan.forward(first..<end, maps[first], offset: offsets[first], batch: 1, scratch: &scratch) { _, y in
            maps.append(y)
            offsets.append(0)
        }
        var dense: [Float]?
        let logits: [Float]
        if let h = plan.denseHead {
            let z = plan.forward(stage: h, map, batch: 1, scratch: &scratch)   // (1, Out)
            dense = z
            logits = plan.forward((h + 1)..<last, z, batch: 1, scratch: &scratch)
        } else {
            logits = plan.forward(end..<last, map, batch: 1, scratch: &scratch)
        }
        return StrandCache(codes: codes, maps: maps, offsets: offsets, denseOutput: dense, logits: logits)
    }

    /// Combines forward and reverse logits under the scorer's policy.
    func combine(_ f: [Float], _ r: [Float]?) -> [Float] {
        guard let r else { return f }
        return zip(f, r).map { scorer.policy.combine(forward: $0, reverse: $1) }
    }

    // MARK: mutants

    /// Logits (T) of the prepared reference with `substitutions` applied (a later substitution
    /// at the same position overrides an earlier one).
    public func logits(substitutions: [Substitution]) throws -> [Float] {
        try logits(mutants: [substitutions])
    }

    /// Logits (M, T), row-major, of M mutants of the prepared reference, each a list of
    /// substitutions (SNVs, MNPs). Mutants run in batches of `IncrementalScorer.mutantBatch`.
    /// Substitutions far apart are fine but cost what the rows between them cost (each mutant
    /// recomputes the hull of its changed rows).
    public func logits(mutants: [[Substitution]]) throws -> [Float] {
        guard !strands.isEmpty else { throw NetworkError.shape("no reference prepared") }
        for m in mutants { for s in m { try scorer.check(s) } }
        let t = scorer.outputs
        var out = [Float](repeating: 0, count: mutants.count * t)
        var lo = 0
        while lo < mutants.count {
            let hi = min(mutants.count, lo + IncrementalScorer.mutantBatch)
            let group = Array(mutants[lo..<hi])
            let f = pass(strands[0], group)
            let r = strands.count > 1 ? pass(strands[1], group.map { $0.map { $0.mirrored(length: length) } }) : nil
            let combined = combine(f, r)
            for i in combined.indices { out[lo * t + i] = combined[i] }
            lo = hi
        }
        return out
    }

    /// One incremental pass of `group` on one strand: (M, T) logits.
    private func pass(_ cache: StrandCache, _ group: [[Substitution]]) -> [Float] {
        let plan = self.plan
        // The input patch: one-hot rows over the hull of each mutant's positions.
        current.layout(group.map { subs in
            guard let lo = subs.map(\.position).min(), let hi = subs.map(\.position).max() else { return 0..<0 }
            return lo..<(hi + 1)
        }, channels: 4)
        let (ranges, offsets) = (current.ranges, current.offsets)
        current.values.withUnsafeMutableBufferPointer { vs in
            for (m, subs) in group.enumerated() {
                let r = ranges[m], dst = vs.start + offsets[m]   // (rows, 4)
                dst.update(repeating: 0, count: r.count * 4)
                var codes = Array(cache.codes[r])
                for s in subs { codes[s.position - r.lowerBound] = s.base }
                for (i, c) in codes.enumerated() where c < 4 { dst[i * 4 + Int(c)] = 1 }
            }
        }
        // Sliding stages: the rows each mutant's changes reach, from its changed input rows.
        for s in 0..<plan.slidingEnd {
            let lout = plan.shapes[s + 1][0], cout = plan.shapes[s + 1][1]
            let reached: [Range<Int>]
            switch plan.stages[s] {
            case .conv(let c):
                reached = current.ranges.map { ReceptiveField.conv($0, kernel: c.kernel, padLeft: c.padLeft, outputLength: lout) }
            case .pool(let p):
                reached = current.ranges.map { ReceptiveField.pool($0, pool: p.pool, stride: p.stride, padLeft: p.padLeft, outputLength: lout) }
            default:
                reached = current.ranges
            }
            next.layout(reached, channels: cout)
            var jobs: [RowJob] = []
            for m in group.indices where !reached[m].isEmpty {
                jobs.append(RowJob(refOffset: cache.offsets[s], patched: current.ranges[m], patchOffset: current.offsets[m], out: reached[m]))
            }
            withPointers(cache.maps[s], current.values, writing: &next.values) { ref, patch, dst in
                plan.slide(s, jobs: jobs, ref: ref, patch: patch, dst: dst, scratch: &scratch)
            }
            swap(&current, &next)
        }
        return head(cache, count: group.count)
    }

    /// The head on the patched maps of the current pass's mutants: (M, T).
    private func head(_ cache: StrandCache, count: Int) -> [Float] {
        let plan = self.plan, end = plan.slidingEnd, last = plan.stages.count
        let map = cache.maps[end], at = cache.offsets[end]   // the window's map: map[at...]
        let c = plan.shapes[end].count == 2 ? plan.shapes[end][1] : 1
        if let h = plan.denseHead, case .dense(let d) = plan.stages[h], let z0 = cache.denseOutput {
            // z (M, Out) = z_ref + W[changed rows]^T (new - old): W's rows of map row r are
            // r * C ..< (r + 1) * C, contiguous for a range of map rows.
            var z = [Float](repeating: 0, count: count * d.outFeatures)
            for m in 0..<count { for o in 0..<d.outFeatures { z[m * d.outFeatures + o] = z0[o] } }
            var delta: [Float] = []
            for m in 0..<count {
                let r = current.ranges[m]
                guard !r.isEmpty else { continue }
                let n = r.count * c, first = r.lowerBound * c
                delta.removeAll(keepingCapacity: true)
                for i in 0..<n { delta.append(current.values[current.offsets[m] + i] - map[at + first + i]) }
                withPointers(delta, d.weights, writing: &z) { ds, ws, zs in
                    sgemm(m: 1, n: d.outFeatures, k: n, ds, lda: n, ws + first * d.outFeatures, ldb: d.outFeatures,
                          beta: 1, zs + m * d.outFeatures, ldc: d.outFeatures)
                }
            }
            return plan.forward((h + 1)..<last, z, batch: count, scratch: &scratch)
        }
        // Any other head runs in full on each mutant's patched map, a few mutants at a time.
        let size = plan.shapes[end].reduce(1, *), t = scorer.outputs
        var out = [Float](repeating: 0, count: count * t)
        let chunk = 16
        var lo = 0
        while lo < count {
            let hi = min(count, lo + chunk)
            var x = [Float](repeating: 0, count: (hi - lo) * size)   // (B, L_end, C_end)
            for m in lo..<hi {
                let base = (m - lo) * size
                for i in 0..<size { x[base + i] = map[at + i] }
                let r = current.ranges[m]
                for i in 0..<(r.count * c) { x[base + r.lowerBound * c + i] = current.values[current.offsets[m] + i] }
            }
            let y = plan.forward(end..<last, x, batch: hi - lo, scratch: &scratch)
            for i in y.indices { out[lo * t + i] = y[i] }
            lo = hi
        }
        return out
    }

    // MARK: full windows

    /// Logits (count, T) of `count` whole windows (count x L base codes) by the full forward
    /// pass on each strand the policy needs: the path of indels, whose shifted bases leave
    /// nothing of the reference's maps to reuse. Needs no prepared reference.
    public func logits(windows codes: [UInt8], count: Int) throws -> [Float] {
        let l = length, t = scorer.outputs, last = plan.stages.count
        guard codes.count == count * l else { throw NetworkError.shape("\(codes.count) bases for \(count) windows of \(l)") }
        var out = [Float](repeating: 0, count: count * t)
        var lo = 0
        while lo < count {
            let hi = min(count, lo + IncrementalScorer.windowBatch)
            let slice = Array(codes[(lo * l)..<(hi * l)])
            let x = slice.withUnsafeBufferPointer { oneHot(codes: $0, batch: hi - lo, length: l) }   // (B, L, 4)
            let f = plan.forward(0..<last, x.data, batch: hi - lo, scratch: &scratch)
            var r: [Float]?
            if scorer.policy.needsReverse {
                r = plan.forward(0..<last, x.reverseComplemented().data, batch: hi - lo, scratch: &scratch)
            }
            let combined = combine(f, r)
            for i in combined.indices { out[lo * t + i] = combined[i] }
            lo = hi
        }
        return out
    }

    /// Variant scoring of one reference window: its logits (T) and those of each alternative
    /// (A, T), row-major. Substitutions (SNVs, MNPs) are scored incrementally on the cached
    /// reference, whole windows (indels) by full forward passes. The workspace keeps the
    /// reference prepared afterwards.
    public func score(reference: [UInt8], alternatives: [AlternativeWindow]) throws -> (reference: [Float], alternatives: [Float]) {
        let ref = try prepare(reference: reference)
        return (ref, try score(alternatives: alternatives))
    }

    /// The logits (A, T), row-major, of alternatives of the prepared reference (by
    /// `prepare(reference:)` or `prepare(spanOffset:)`): substitutions incrementally, whole
    /// windows by full forward passes.
    public func score(alternatives: [AlternativeWindow]) throws -> [Float] {
        let t = scorer.outputs
        var mutants: [[Substitution]] = [], mutantRows: [Int] = []
        var windows: [UInt8] = [], windowRows: [Int] = []
        for (i, a) in alternatives.enumerated() {
            switch a {
            case .substitutions(let s): mutants.append(s); mutantRows.append(i)
            case .window(let w):
                guard w.count == length else { throw NetworkError.shape("an alternative window of \(w.count) bases for a model of input length \(length)") }
                windows += w
                windowRows.append(i)
            }
        }
        var out = [Float](repeating: 0, count: alternatives.count * t)
        let fromMutants = try logits(mutants: mutants)
        for (k, row) in mutantRows.enumerated() { for j in 0..<t { out[row * t + j] = fromMutants[k * t + j] } }
        let fromWindows = try logits(windows: windows, count: windowRows.count)
        for (k, row) in windowRows.enumerated() { for j in 0..<t { out[row * t + j] = fromWindows[k * t + j] } }
        return out
    }
}
