import CKernels

/// The folded RC convolution: half the multiply-adds of the 2F-channel convolution, from the
/// parameter sharing itself.
///
/// With the input in the RC layout (channel c pairs with c' = Cin-1-c) and output channels o and
/// 2F-1-o sharing filter o, the pair's sum u and difference v are
///   u_o(t) = sum over (j, c < Cin/2) of P[j][c][o] * (x_c(t+j) + x_c'(t+k-1-j)),
///   v_o(t) = sum over (j, c < Cin/2) of M[j][c][o] * (x_c(t+j) - x_c'(t+k-1-j)),
/// with P = W[j][c] + W[k-1-j][c'] and M = W[j][c] - W[k-1-j][c'], since the kernel of channel
/// 2F-1-o is W reversed in k and Cin: a reduction of k * Cin/2 for F outputs, twice, instead of
/// k * Cin for 2F. Then y_o = (u + v) / 2 and y_(2F-1-o) = (u - v) / 2, plus the shared bias.
/// Reverse-complementing the input swaps the folded sums' operands (exact: addition commutes)
/// and negates the differences (exact), so the two strands' outputs are the same bits reversed.
extension RCConv1D {
    /// Rows per block: a block's folded rows (n * k * Cin/2, twice) stay in L2.
    static let foldBlock = 64

    /// P and M (k * Cin/2, F), row j * Cin/2 + c.
    func foldedWeights() -> (p: [Float], m: [Float]) {
        let (k, cin, f) = (kernelSize, inChannels, outChannels)
        let h = cin / 2
        let w = weight.values
        var p = uninitializedFloats(k * h * f), m = uninitializedFloats(k * h * f)
        for j in 0..<k {
            for c in 0..<h {
                let a = (j * cin + c) * f, b = ((k - 1 - j) * cin + (cin - 1 - c)) * f, d = (j * h + c) * f
                for o in 0..<f {
                    p[d + o] = w[a + o] + w[b + o]
                    m[d + o] = w[a + o] - w[b + o]
                }
            }
        }
        return (p, m)
    }

    /// y (B, Lout, 2F) by the folded pass, with `epilogue` applied; with `keep` the padded input
    /// backward needs.
    func foldedForward(_ x: Tensor, keep: Bool, epilogue: Epilogue?) -> (y: Tensor, padded: [Float]) {
        let (b, cin) = (x.shape[0], x.shape[2])
        let k = kernelSize, f = outChannels, cout = 2 * f, kh = k * (cin / 2)
        let (xp, lp) = paddedInput(x)
        let lout = lp - k + 1
        let (p, m) = foldedWeights()
        let packedP = packPanels(p, k: kh, cout: f), packedM = packPanels(m, k: kh, cout: f)
        let bias = bias.map { Array($0.values) } ?? [Float](repeating: 0, count: f)
        let blk = RCConv1D.foldBlock
        let perItem = (lout + blk - 1) / blk
        var y = Tensor(uninitializedShape: [b, lout, cout])
        withPointers(xp, packedP, packedM, writing: &y.data) { ps, pp, mp, ys in
            let xb = UnsafeSendable(ps), pb = UnsafeSendable(pp), mb = UnsafeSendable(mp), yb = UnsafeSendable(ys)
            parallelChunks(b * perItem, grain: 1) { blocks in
                let s = Scratch(blk * kh), d = Scratch(blk * kh), u = Scratch(blk * f), v = Scratch(blk * f)
                let half = Scratch(f)
                for index in blocks {
                    let i = index / perItem, t0 = (index % perItem) * blk
                    let n = min(blk, lout - t0)
                    crick_rc_fold(xb.value + (i * lp + t0) * cin, cin, k, n, s.p, d.p)
                    crick_conv_direct(s.p, kh, kh, pb.value, f, u.p, f, n)
                    crick_conv_direct(d.p, kh, kh, mb.value, f, v.p, f, n)
                    let dst = yb.value + (i * lout + t0) * cout
                    for r in 0..<n {
                        let row = dst + r * cout, ur = u.p + r * f, vr = v.p + r * f
                        for o in 0..<f {
                            row[o] = (ur[o] + vr[o]) * 0.5 + bias[o]
                            half.p[o] = (ur[o] - vr[o]) * 0.5 + bias[o]
                        }
                        for o in 0..<f { row[cout - 1 - o] = half.p[o] }
                    }
                    if let epilogue { Conv1D.apply(epilogue, dst, rows: n, channels: cout) }
                }
            }
        }
        return (y, keep ? xp : [])
    }

    /// dx from dy and the padded input of `cache` by the folded pass; adds dW and db to the
    /// parameters' gradients when `parameterGradients`. Items run in parallel, each item's
    /// blocks in order, and the per-item weight-gradient partials are summed in item order:
    /// the same bits at any thread count.
    func foldedBackward(_ dy: Tensor, _ cache: Cache, parameterGradients: Bool) -> Tensor {
        let (b, l, cin) = (dy.shape[0], cache.inputShape[1], cache.inputShape[2])
        precondition(!parameterGradients || b == cache.inputShape[0], "a weight gradient needs dy for every item of the forward")
        let k = kernelSize, f = outChannels, cout = 2 * f, h = cin / 2, kh = k * h
        let lp = cache.paddedLength, lout = dy.shape[1]
        let (p, m) = foldedWeights()
        // P^T and M^T (F, K) in panels: the folded rows' gradients are du . P^T and dv . M^T.
        var pt = uninitializedFloats(f * kh), mt = uninitializedFloats(f * kh)
        for q in 0..<kh { for o in 0..<f { pt[o * kh + q] = p[q * f + o]; mt[o * kh + q] = m[q * f + o] } }
        let packedPT = packPanels(pt, k: f, cout: kh), packedMT = packPanels(mt, k: f, cout: kh)
        let blk = RCConv1D.foldBlock
        var partial = [Float](repeating: 0, count: parameterGradients ? b * 2 * kh * f : 0)   // per item: dP^T, then dM^T
        var dxp = [Float](repeating: 0, count: b * lp * cin)
        withPointers(cache.padded, dy.data, packedPT, writing: &partial, &dxp) { ps, ds, ptp, parts, dxs in
            packedMT.withUnsafeBufferPointer { mtp in
                let xb = UnsafeSendable(ps), yb = UnsafeSendable(ds), ptb = UnsafeSendable(ptp), mtb = UnsafeSendable(mtp.start)
                let tb = UnsafeSendable(parts), gb = UnsafeSendable(dxs)
                parallelChunks(b, grain: 1) { items in
                    // Scratch: du, dv (n, F) and transposed (F, n); the folded rows in panels; one
                    // partial (F, K); the folded rows' gradients (n, K).
                    let du = Scratch(blk * f), dv = Scratch(blk * f), duT = Scratch(f * blk), dvT = Scratch(f * blk)
                    let panelled = ((kh + Int(CRICK_PANEL) - 1) / Int(CRICK_PANEL)) * blk * Int(CRICK_PANEL)
                    let s = Scratch(panelled), d = Scratch(panelled), tmp = Scratch(f * kh)
                    let gs = Scratch(blk * kh), gd = Scratch(blk * kh)
                    for i in items {
                        for t0 in stride(from: 0, to: lout, by: blk) {
                            let n = min(blk, lout - t0)
                            let g = yb.value + (i * lout + t0) * cout
                            for r in 0..<n {
                                for o in 0..<f {
                                    let a = g[r * cout + o], z = g[r * cout + cout - 1 - o]
                                    du.p[r * f + o] = (a + z) * 0.5
                                    dv.p[r * f + o] = (a - z) * 0.5
                                }
                            }
                            if parameterGradients {
                                // dP^T += du^T S and dM^T += dv^T D over this block's rows.
                                for r in 0..<n { for o in 0..<f { duT.p[o * n + r] = du.p[r * f + o]; dvT.p[o * n + r] = dv.p[r * f + o] } }
                                crick_rc_fold_panels(xb.value + (i * lp + t0) * cin, cin, k, n, s.p, d.p)
                                let acc = tb.value + i * 2 * kh * f
                                crick_conv_direct(duT.p, n, n, s.p, kh, tmp.p, kh, f)
                                for q in 0..<(kh * f) { acc[q] += tmp.p[q] }
                                crick_conv_direct(dvT.p, n, n, d.p, kh, tmp.p, kh, f)
                                for q in 0..<(kh * f) { acc[kh * f + q] += tmp.p[q] }
                            }
                            // The folded rows' gradients, added back to the input rows.
                            crick_conv_direct(du.p, f, f, ptb.value, kh, gs.p, kh, n)
                            crick_conv_direct(dv.p, f, f, mtb.value, kh, gd.p, kh, n)
                            crick_rc_unfold_add(gs.p, gd.p, cin, k, n, gb.value + (i * lp + t0) * cin)
                        }
                    }
                }
            }
        }
        if parameterGradients {
            // The partials are transposed, (F, K).
            var dPT = [Float](repeating: 0, count: kh * f), dMT = [Float](repeating: 0, count: kh * f)
            for i in 0..<b {
                for q in 0..<(kh * f) { dPT[q] += partial[i * 2 * kh * f + q]; dMT[q] += partial[i * 2 * kh * f + kh * f + q] }
            }
            let gw = weight.gradient
            for j in 0..<k {
                for c in 0..<h {
                    let a = (j * cin + c) * f, z = ((k - 1 - j) * cin + (cin - 1 - c)) * f, d = (j * h + c) * f
                    for o in 0..<f {
                        let dp = dPT[o * kh + d / f], dm = dMT[o * kh + d / f]
                        gw[a + o] += dp + dm
                        gw[z + o] += dp - dm
                    }
                }
            }
            if let gb = bias?.gradient {
                dy.data.withUnsafeBufferPointer { ds in
                    var sums = [Float](repeating: 0, count: cout)
                    for q in 0..<(b * lout) { for o in 0..<cout { sums[o] += ds[q * cout + o] } }
                    for o in 0..<f { gb[o] += sums[o] + sums[cout - 1 - o] }
                }
            }
        }
        return unpadded(dxp, batch: b, length: l, paddedLength: lp)
    }
}

/// A scratch buffer of floats, freed with its owner.
final class Scratch {
    let p: UnsafeMutablePointer<Float>
    init(_ count: Int) { p = .allocate(capacity: max(count, 1)) }
    deinit { p.deallocate() }
}
