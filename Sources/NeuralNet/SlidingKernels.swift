import CKernels

/// Rows of one sliding stage to compute for one sequence: output rows `out` from the sequence's
/// input map (at element `refOffset` of the reference buffer), in which rows `patched` are
/// replaced by the rows at element `patchOffset` of the patch buffer (a mutant's changed rows).
/// A full pass has no patch and every output row. Outputs of successive jobs are consecutive.
struct RowJob {
    var refOffset: Int
    var patched: Range<Int>
    var patchOffset: Int
    var out: Range<Int>
}

/// Scratch buffers of the sliding kernels, reused across calls (per worker).
struct SlidingScratch {
    /// Gathered input rows of every job of one call.
    var window: [Float] = []
    /// im2col rows (the GEMM path when the direct kernel is off).
    var cols: [Float] = []
}

extension InferencePlan {
    /// Rows `span` of a patched input map of `lin` rows x `c` channels into `dst` (span.count x c):
    /// the patch where it applies, the reference elsewhere, zeros outside 0..<lin (`same` padding).
    static func gather(ref: UnsafePointer<Float>, length lin: Int, channels c: Int, patch: UnsafePointer<Float>, patched: Range<Int>,
                       span: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        var i = span.lowerBound
        var out = dst
        while i < span.upperBound {
            // The longest run of rows from one source starting at i.
            let end: Int, src: UnsafePointer<Float>?
            if i < 0 {
                end = min(0, span.upperBound); src = nil
            } else if i >= lin {
                end = span.upperBound; src = nil
            } else if patched.contains(i) {
                end = min(patched.upperBound, span.upperBound); src = patch + (i - patched.lowerBound) * c
            } else if i < patched.lowerBound {
                end = min(patched.lowerBound, lin, span.upperBound); src = ref + i * c
            } else {
                end = min(lin, span.upperBound); src = ref + i * c
            }
            let n = (end - i) * c
            if let src { out.update(from: src, count: n) } else { out.update(repeating: 0, count: n) }
            out += n
            i = end
        }
    }

    /// Runs the sliding stage `s` over `jobs`: input maps of shapes[s], outputs of shapes[s + 1]
    /// written consecutively from `dst` (the sum of the jobs' output rows x Cout). `inputRows`
    /// overrides the input map's length (a span stage run along a stretch longer than a window).
    func slide(_ s: Int, jobs: [RowJob], ref: UnsafePointer<Float>, patch: UnsafePointer<Float>,
               dst: UnsafeMutablePointer<Float>, scratch: inout SlidingScratch, inputRows: Int? = nil) {
        let (lin, cin) = (inputRows ?? shapes[s][0], shapes[s][1])
        let cout = shapes[s + 1][1]
        // The input span each job reads.
        var spans: [Range<Int>] = []
        spans.reserveCapacity(jobs.count)
        switch stages[s] {
        case .conv(let c):
            for j in jobs { spans.append(ReceptiveField.convInput(j.out, kernel: c.kernel, padLeft: c.padLeft)) }
        case .pool(let p):
            for j in jobs { spans.append(ReceptiveField.poolInput(j.out, pool: p.pool, stride: p.stride, padLeft: p.padLeft, inputLength: lin)) }
        default:
            for j in jobs { spans.append(j.out) }
        }
        // A job without a patch whose input span lies inside the map reads the map in place; the
        // others read their span gathered (patch, reference and zero padding) into the scratch.
        let direct = zip(jobs, spans).map { j, span in j.patched.isEmpty && span.lowerBound >= 0 && span.upperBound <= lin }
        var total = 0
        for (span, d) in zip(spans, direct) where !d { total += span.count * cin }
        var window = scratch.window
        scratch.window = []
        if window.count < total { window = uninitializedFloats(total) }
        let rows = jobs.reduce(0) { $0 + $1.out.count }
        window.withUnsafeMutableBufferPointer { wb in
            // sources[j]: job j's input rows (span.count x Cin, row stride Cin).
            var sources: [UnsafePointer<Float>] = []
            sources.reserveCapacity(jobs.count)
            var at = 0
            for (k, (j, span)) in zip(jobs, spans).enumerated() {
                if direct[k] { sources.append(ref + j.refOffset + span.lowerBound * cin); continue }
                InferencePlan.gather(ref: ref + j.refOffset, length: lin, channels: cin, patch: patch + j.patchOffset, patched: j.patched,
                                     span: span, into: wb.start + at)
                sources.append(UnsafePointer(wb.start + at))
                at += span.count * cin
            }
            switch stages[s] {
            case .conv(let c):
                convolve(c, jobs: jobs, sources: sources, dst: dst, scratch: &scratch)
                c.epilogue.apply(dst, rows: rows, channels: cout)
            case .pool(let p):
                var out = dst
                for (j, (span, from)) in zip(jobs, zip(spans, sources)) {
                    for t in j.out {
                        // Keras windows clipped to the input; the first row, then the maximum.
                        let lo = max(0, t * p.stride - p.padLeft), hi = min(lin, t * p.stride - p.padLeft + p.pool)
                        crick_pool_max(from + (lo - span.lowerBound) * cin, max(hi - lo, 1), cin, out)
                        out += cin
                    }
                }
            case .rows(let map):
                var out = dst
                for (j, from) in zip(jobs, sources) {
                    out.update(from: from, count: j.out.count * cin)
                    out += j.out.count * cin
                }
                map.apply(dst, rows: rows, channels: cin)
            default:
                preconditionFailure("slide on a stage that does not slide")
            }
        }
        scratch.window = window
    }

    /// Output rows of a convolution from each job's input rows (`sources[j]`, the job's span of
    /// rows of Cin holding the k - 1 extra rows its outputs read): the direct kernel reads them
    /// in place; without it, im2col rows of all jobs go through one GEMM per block of about
    /// 2,048 rows.
    private func convolve(_ c: ConvStage, jobs: [RowJob], sources: [UnsafePointer<Float>], dst: UnsafeMutablePointer<Float>,
                          scratch: inout SlidingScratch) {
        let kc = c.kernel * c.inChannels, cout = c.outChannels
        if !c.panels.isEmpty {
            c.panels.withUnsafeBufferPointer { pb in
                var out = dst
                for (j, from) in zip(jobs, sources) {
                    crick_conv_direct(from, c.inChannels, kc, pb.start, cout, out, cout, j.out.count)
                    out += j.out.count * cout
                }
            }
            return
        }
        let block = 2048
        if scratch.cols.count < (block + 1024) * kc { scratch.cols = uninitializedFloats((block + 1024) * kc) }
        withPointers(c.weights, writing: &scratch.cols) { ws, cb in
            var out = dst, filled = 0
            func flush() {
                sgemm(m: filled, n: cout, k: kc, cb, lda: kc, ws, ldb: cout, beta: 0, out, ldc: cout)
                out += filled * cout
                filled = 0
            }
            for (j, from) in zip(jobs, sources) {
                var q = 0
                while q < j.out.count {
                    let n = min(j.out.count - q, block + 1024 - filled)
                    for r in 0..<n { (cb + (filled + r) * kc).update(from: from + (q + r) * c.inChannels, count: kc) }
                    filled += n
                    q += n
                    if filled >= block { flush() }
                }
            }
            flush()
        }
    }
}
