import CKernels

/// Conv1D forward passes: one-hot lookups, shifted-GEMM blocks (or the direct kernel) and
/// im2col + GEMM, with the fused inference epilogue.
extension Conv1D {
    /// The base codes of a one-hot (B, L, 4) input (4 for an all-zero row), or nil when the
    /// input is not one-hot.
    static func oneHotCodes(_ x: Tensor) -> [UInt8]? {
        let n = x.count / 4
        var codes = [UInt8](repeating: 4, count: n)
        let ok = x.data.withUnsafeBufferPointer { xs -> Bool in
            for r in 0..<n {
                var ones = 0
                for c in 0..<4 {
                    let v = xs[r * 4 + c]
                    if v == 1 { ones += 1; codes[r] = UInt8(c) } else if v != 0 { return false }
                }
                if ones > 1 { return false }
            }
            return true
        }
        return ok ? codes : nil
    }

    /// Convolution of one-hot input as table lookups: each output row is the bias plus, for
    /// every kernel offset, the kernel row of the base found there (k additions of Cout values
    /// instead of k * 4 multiply-adds).
    func lookupForward(_ codes: [UInt8], batch b: Int, length l: Int, epilogue: Epilogue) -> Tensor {
        let k = kernelSize, cout = effectiveOut, cin = inChannels
        let lout = padding == .valid ? l - k + 1 : l
        let pad = padLeft
        let (w, bias) = effectiveWeights()
        var y = Tensor(uninitializedShape: [b, lout, cout])
        withPointers(codes, w, writing: &y.data) { cs, ws, ys in
            let cb = UnsafeSendable(cs), wb = UnsafeSendable(ws), yb = UnsafeSendable(ys)
            parallelChunks(b, grain: 1) { items in
                for i in items {
                    for t in 0..<lout {
                        let dst = yb.value + (i * lout + t) * cout
                        if let bias { for o in 0..<cout { dst[o] = bias[o] } } else { for o in 0..<cout { dst[o] = 0 } }
                        for j in 0..<k {
                            let p = t - pad + j
                            guard p >= 0 && p < l else { continue }
                            let c = Int(cb.value[i * l + p])
                            guard c < 4 else { continue }
                            let row = wb.value + (j * cin + c) * cout
                            for o in 0..<cout { dst[o] += row[o] }
                        }
                    }
                    Conv1D.apply(epilogue, yb.value + i * lout * cout, rows: lout, channels: cout)
                }
            }
        }
        return y
    }

    /// Applies `e` to rows of `c` channels in place.
    static func apply(_ e: Epilogue, _ p: UnsafeMutablePointer<Float>, rows: Int, channels c: Int) {
        e.scale.withUnsafeBufferPointer { sc in
            e.shift.withUnsafeBufferPointer { sh in
                let a = sc.start, b = sh.start
                for t in 0..<rows {
                    let row = p + t * c
                    switch e.activation {
                    case .relu: for o in 0..<c { row[o] = max(0, row[o] * a[o] + b[o]) }
                    case .linear: for o in 0..<c { row[o] = row[o] * a[o] + b[o] }
                    default: for o in 0..<c { row[o] = Activation.value(e.activation, row[o] * a[o] + b[o]) }
                    }
                }
            }
        }
    }

    /// The epilogue with the convolution's bias folded into its shift.
    func foldingBias(_ e: Epilogue, _ bias: [Float]?) -> Epilogue {
        guard let bias else { return e }
        var f = e
        for o in f.shift.indices { f.shift[o] += bias[o] * f.scale[o] }
        return f
    }

    /// y, and with `keep` the (padded) input backward needs (B * Lp, Cin), else []. Keeps no
    /// state: the caller stores what it keeps.
    func shiftedForward(_ x: Tensor, keep: Bool, epilogue: Epilogue?) -> (y: Tensor, padded: [Float]) {
        // x (B, L, Cin) -> xp (B*Lp, Cin); yFull (R, Cout') with R = B*Lp - k + 1 rows:
        // yFull[r] = sum_j xp[r + j] . W_j; rows r = b*Lp + t with t < Lout are the outputs.
        let (b, cin) = (x.shape[0], x.shape[2])
        let k = kernelSize, cout = effectiveOut
        let (xp, lp) = paddedInput(x)
        let lout = lp - k + 1
        // Blocks of output rows within one item: each output row's k * Cin inputs are contiguous
        // in xp, so a block's im2col is a copy that stays in cache, then one GEMM (K = k * Cin)
        // writes the block's rows of y directly.
        let (w, bias) = effectiveWeights()
        var y = Tensor(uninitializedShape: [b, lout, cout])
        let folded = epilogue.map { foldingBias($0, bias) }
        let blk = Conv1D.im2colBlock
        let perItem = (lout + blk - 1) / blk
        let kc = k * cin
        // With the direct kernel, output rows read their overlapping input rows in place.
        let direct = Conv1D.useDirectKernel
        let panels = direct ? packPanels(w, k: kc, cout: cout) : []
        withPointers(xp, direct ? panels : w, writing: &y.data) { ps, ws, ys in
            let pb = UnsafeSendable(ps), wb = UnsafeSendable(ws), yb = UnsafeSendable(ys)
            parallelChunks(b * perItem, grain: 1) { blocks in
                var cols = direct ? [] : uninitializedFloats(blk * kc)
                for index in blocks {
                    let i = index / perItem, t0 = (index % perItem) * blk
                    let n = min(blk, lout - t0)
                    let dst = yb.value + (i * lout + t0) * cout
                    if direct {
                        crick_conv_direct(pb.value + (i * lp + t0) * cin, cin, kc, wb.value, cout, dst, cout, n)
                    } else {
                        cols.withUnsafeMutableBufferPointer { cs in
                            for q in 0..<n {
                                (cs.start + q * kc).update(from: pb.value + (i * lp + t0 + q) * cin, count: kc)
                            }
                            sgemm(m: n, n: cout, k: kc, cs.start, lda: kc, wb.value, ldb: cout, beta: 0, dst, ldc: cout)
                        }
                    }
                    if let folded {
                        Conv1D.apply(folded, dst, rows: n, channels: cout)
                    } else if let bias {
                        for t in 0..<n { for o in 0..<cout { dst[t * cout + o] += bias[o] } }
                    }
                }
            }
        }
        return (y, keep ? xp : [])
    }

    /// y, and with `keep` the columns backward needs (B * Lout, k * Cin), else []. Keeps no
    /// state: the caller stores what it keeps.
    func im2colForward(_ x: Tensor, keep: Bool, epilogue: Epilogue?) -> (y: Tensor, cols: [Float]) {
        // x (B, L, Cin) -> cols (B*Lout, k*Cin) -> y (B, Lout, Cout')
        let (b, l, cin) = (x.shape[0], x.shape[1], x.shape[2])
        let k = kernelSize
        let lout = padding == .valid ? l - k + 1 : l
        let row = k * cin
        var cols = [Float](repeating: 0, count: b * lout * row)
        let pad = padLeft
        x.data.withUnsafeBufferPointer { xs in
            cols.withUnsafeMutableBufferPointer { cs in
                let cb = UnsafeSendable(cs.start), xb = UnsafeSendable(xs.start)
                parallelChunks(b, grain: 4) { items in
                    for i in items {
                        for t in 0..<lout {
                            let dst = (i * lout + t) * row
                            let first = t - pad
                            let lo = max(0, -first), hi = min(k, l - first)
                            if lo < hi {
                                (cb.value + dst + lo * cin).update(from: xb.value + (i * l + first + lo) * cin, count: (hi - lo) * cin)
                            }
                        }
                    }
                }
            }
        }
        let cout = effectiveOut
        let (w, bias) = effectiveWeights()
        var y = Tensor(shape: [b, lout, cout])
        withPointers(cols, w, writing: &y.data) { cs, ws, ys in
            if let bias {
                for r in 0..<(b * lout) { for o in 0..<cout { ys[r * cout + o] = bias[o] } }
            }
            let cb = UnsafeSendable(cs), wb = UnsafeSendable(ws), yb = UnsafeSendable(ys)
            let beta: Float = bias == nil ? 0 : 1
            parallelChunks(b * lout, grain: Conv1D.rowBlock) { rows in
                sgemm(m: rows.count, n: cout, k: row, cb.value + rows.lowerBound * row, lda: row, wb.value, ldb: cout,
                      beta: beta, yb.value + rows.lowerBound * cout, ldc: cout)
                if let epilogue { Conv1D.apply(epilogue, yb.value + rows.lowerBound * cout, rows: rows.count, channels: cout) }
            }
        }
        return (y, keep ? cols : [])
    }
}
