import Genome
import NeuralNet

/// Scores many windows of one stretch of sequence with a fully-convolutional pass: the
/// model's trunk runs once along the stretch (per grid phase and strand) and every window's
/// head reads its rows of that shared feature map. Falls back to cutting the windows out
/// when the model cannot slide (`Model.scanPlan` is nil). Thread-safe: it keeps no state and
/// its model's inference keeps none, so one scan serves every worker.
public final class ConvolutionalScan {
    public let scorer: WindowScorer
    private let plan: ScanPlan?
    /// Windows per head call.
    private static let headBatch = 512

    public init(scorer: WindowScorer) {
        self.scorer = scorer
        plan = scorer.model.scanPlan
    }

    /// True when windows share one trunk pass (false: windows are scored one by one).
    public var isFullyConvolutional: Bool { plan != nil }

    /// Scores (windows, tasks), row-major, of the windows starting at `starts` (offsets into
    /// `codes`, each with `starts[i] + length <= codes.count`).
    public func score(codes: [UInt8], starts: [Int]) -> [Float] {
        let settings = scorer.settings
        guard !starts.isEmpty else { return [] }
        guard let plan else { return cutAndScore(codes: codes, starts: starts) }
        let forward = logits(plan, codes: codes, starts: starts)
        guard settings.needsReverse else { return scorer.combine(forward: forward, reverse: []) }
        // rc(codes) holds rc(window at s) at offset n - L - s.
        let n = codes.count, l = scorer.length
        let rcCodes = codes.reversed().map { BaseCode.complement($0) }
        let reverse = logits(plan, codes: rcCodes, starts: starts.map { n - l - $0 })
        return scorer.combine(forward: forward, reverse: reverse)
    }

    /// Logits (windows, tasks) of the windows at `starts` on one strand.
    private func logits(_ plan: ScanPlan, codes: [UInt8], starts: [Int]) -> [Float] {
        let model = scorer.model, t = scorer.tasks, l = scorer.length
        let p = plan.gridStride, c = plan.channels, rows = plan.headRows
        var out = [Float](repeating: 0, count: starts.count * t)
        // Windows grouped by grid phase: each phase is one trunk pass.
        var phases: [Int: [Int]] = [:]
        for (i, s) in starts.enumerated() { phases[s % p, default: []].append(i) }
        for phase in phases.keys.sorted() {
            guard let members = phases[phase] else { continue }
            let last = members.map { starts[$0] }.max() ?? phase
            let span = last + l - phase                                // bases this pass needs
            let x = codes.withUnsafeBufferPointer { oneHot(codes: UnsafeBufferPointer(rebasing: $0[phase..<(phase + span)]), batch: 1, length: span) }
            let grid = model.inference(x, layers: 0..<plan.preEnd)     // (1, G, C)
            let g = grid.shape[1]
            let pooled = slidingMax(grid.data, length: g, channels: c, plan: plan,
                                    firstRows: members.map { (starts[$0] - phase) / p })
            var b0 = 0
            while b0 < members.count {
                let batch = Array(members[b0..<min(b0 + ConvolutionalScan.headBatch, members.count)])
                var head = Tensor(uninitializedShape: [batch.count, rows, c]) // (B, J, C)
                head.data.withUnsafeMutableBufferPointer { h in
                    pooled.withUnsafeBufferPointer { m in
                        guard let hp = h.baseAddress, let mp = m.baseAddress else { return }
                        for (bi, w) in batch.enumerated() {
                            let g0 = (starts[w] - phase) / p
                            for j in 0..<rows {
                                (hp + (bi * rows + j) * c).update(from: mp + (g0 + j * plan.poolStride) * c, count: c)
                            }
                        }
                    }
                }
                let y = model.inference(head, layers: plan.headStart..<model.layers.count)   // (B, T)
                for (bi, w) in batch.enumerated() {
                    for k in 0..<t { out[w * t + k] = y.data[bi * t + k] }
                }
                b0 += batch.count
            }
        }
        return out
    }

    /// The final max-pool at the grid rows windows read: row q of the result is the maximum of
    /// grid rows q..<q+pool, computed for the rows congruent (mod pool stride) to a window's
    /// first row. (G, C) in, (G, C) out; rows no window reads are left as they are.
    private func slidingMax(_ grid: [Float], length g: Int, channels c: Int, plan: ScanPlan, firstRows: [Int]) -> [Float] {
        if plan.pool == 1 { return grid }
        let ps = plan.poolStride, k = plan.pool
        var needed = [Bool](repeating: false, count: ps)
        for r in firstRows { needed[r % ps] = true }
        // Many rows needed (small scan strides): the van Herk / Gil-Werman running maximum, three
        // comparisons per row and channel whatever the pool size.
        if needed.filter({ $0 }).count * k > 3 * ps { return runningMax(grid, length: g, channels: c, pool: k) }
        var m = grid
        grid.withUnsafeBufferPointer { src in
            m.withUnsafeMutableBufferPointer { dst in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                for q in 0...(g - k) where needed[q % ps] {
                    let out = d + q * c
                    for j in 1..<k {
                        let row = s + (q + j) * c
                        for ch in 0..<c { out[ch] = Swift.max(out[ch], row[ch]) }
                    }
                }
            }
        }
        return m
    }

    /// out[q] = max(x[q..<q+k]) for every q <= g - k, by prefix maxima and suffix maxima within
    /// blocks of k rows: out[q] = max(suffix[q], prefix[q + k - 1]). (G, C) in and out.
    func runningMax(_ x: [Float], length g: Int, channels c: Int, pool k: Int) -> [Float] {
        var prefix = x, suffix = x
        prefix.withUnsafeMutableBufferPointer { pb in
            suffix.withUnsafeMutableBufferPointer { sb in
                guard let p = pb.baseAddress, let s = sb.baseAddress else { return }
                var b = 0
                while b < g {
                    let e = Swift.min(g, b + k)
                    for q in (b + 1)..<Swift.max(e, b + 1) {
                        let row = p + q * c, prev = p + (q - 1) * c
                        for ch in 0..<c { row[ch] = Swift.max(row[ch], prev[ch]) }
                    }
                    var q = e - 2
                    while q >= b {
                        let row = s + q * c, next = s + (q + 1) * c
                        for ch in 0..<c { row[ch] = Swift.max(row[ch], next[ch]) }
                        q -= 1
                    }
                    b = e
                }
            }
        }
        var out = x
        out.withUnsafeMutableBufferPointer { ob in
            prefix.withUnsafeBufferPointer { pb in
                suffix.withUnsafeBufferPointer { sb in
                    guard let o = ob.baseAddress, let p = pb.baseAddress, let s = sb.baseAddress, g >= k else { return }
                    for q in 0...(g - k) {
                        let row = o + q * c, a = s + q * c, z = p + (q + k - 1) * c
                        for ch in 0..<c { row[ch] = Swift.max(a[ch], z[ch]) }
                    }
                }
            }
        }
        return out
    }

    /// The windows cut out and scored in batches.
    private func cutAndScore(codes: [UInt8], starts: [Int]) -> [Float] {
        let l = scorer.length
        var windows = [UInt8](repeating: 4, count: starts.count * l)
        for (i, s) in starts.enumerated() {
            for j in 0..<l { windows[i * l + j] = codes[s + j] }
        }
        return windows.withUnsafeBufferPointer { scorer.score(codes: $0, count: starts.count) }
    }
}
