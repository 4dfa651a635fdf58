/// Conv1D backward passes: shifted GEMMs per kernel offset and im2col + col2im, with
/// per-block weight-gradient partials summed in block order.
extension Conv1D {
    /// dx from dy and the padded input of `cache`; adds dW and db to the parameters' gradients
    /// when `parameterGradients`.
    func shiftedBackward(_ dy: Tensor, _ cache: Cache, parameterGradients: Bool) -> Tensor {
        // dy may hold fewer items than the forward did (DeepLIFT's shared input): the input
        // gradient needs only dy; the weight gradient, the padded input of the same items.
        let padded = cache.padded
        let (b, l, cin) = (dy.shape[0], cache.inputShape[1], cache.inputShape[2])
        precondition(!parameterGradients || b == cache.inputShape[0], "a weight gradient needs dy for every item of the forward")
        let k = kernelSize, cout = effectiveOut
        let lp = cache.paddedLength, lout = dy.shape[1]
        let r = b * lp - k + 1
        let (w, bias) = effectiveWeights()
        // dyf: dy at its full rows, with k-1 zero rows before and after, so that every
        // input row q reads dyf[q - j + k - 1] for each offset j.
        let pad0 = k - 1
        var dyf = [Float](repeating: 0, count: (r + 2 * pad0) * cout)
        var db: [Float]? = bias == nil ? nil : [Float](repeating: 0, count: cout)
        dy.data.withUnsafeBufferPointer { ds in
            dyf.withUnsafeMutableBufferPointer { fs in
                for i in 0..<b {
                    (fs.start + (pad0 + i * lp) * cout).update(from: ds.start + i * lout * cout, count: lout * cout)
                }
            }
            if var sums = db {
                for q in 0..<(b * lout) { for o in 0..<cout { sums[o] += ds[q * cout + o] } }
                db = sums
            }
        }
        let block = Conv1D.rowBlock
        let blocks = (r + block - 1) / block
        // Each block's GEMMs use beta 0; no weight gradient when the pass wants none.
        var partial = uninitializedFloats(parameterGradients ? blocks * k * cin * cout : 0)
        var dxp = uninitializedFloats(b * lp * cin)   // every row block starts with beta 0
        if Conv1D.useDirectKernel {
            // Both gradients as direct convolutions (Conv1DDirectBackward.swift), over the same
            // row blocks, so the partials and their sum are those of any thread count.
            let packed = transposedPanels(w, cin: cin, cout: cout)
            withPointers(padded, dyf, packed, writing: &partial, &dxp) { ps, fs, ks, pts, dps in
                let pb = UnsafeSendable(ps), fb = UnsafeSendable(fs), kb = UnsafeSendable(ks)
                let tb = UnsafeSendable(pts), xb = UnsafeSendable(dps)
                if parameterGradients {
                    parallelChunks(r, grain: block) { rows in
                        Conv1D.directWeightGradient(padded: pb.value, dyf: fb.value, cin: cin, cout: cout, k: k, rows: rows,
                                                    into: tb.value + (rows.lowerBound / block) * k * cin * cout)
                    }
                }
                parallelChunks(b * lp, grain: block) { rows in
                    Conv1D.directInputGradient(dyf: fb.value, cout: cout, k: k, packedTransposed: kb.value, cin: cin, dxp: xb.value, rows: rows)
                }
            }
        } else {
            withPointers(padded, dyf, w, writing: &partial, &dxp) { ps, fs, ws, pts, dps in
                let pb = UnsafeSendable(ps), fb = UnsafeSendable(fs), wb = UnsafeSendable(ws)
                let tb = UnsafeSendable(pts), xb = UnsafeSendable(dps)
                // dW_j = sum over row blocks of xp[block + j]^T . dy[block]; partials per block.
                if parameterGradients {
                    parallelChunks(r, grain: block) { rows in
                        let dst = tb.value + (rows.lowerBound / block) * k * cin * cout
                        for j in 0..<k {
                            sgemm(transA: true, m: cin, n: cout, k: rows.count, pb.value + (rows.lowerBound + j) * cin, lda: cin,
                                  fb.value + (rows.lowerBound + pad0) * cout, ldb: cout, beta: 0, dst + j * cin * cout, ldc: cout)
                        }
                    }
                }
                // dxp[q] = sum_j dy[q - j] . W_j^T, by blocks of input rows (disjoint outputs).
                parallelChunks(b * lp, grain: block) { rows in
                    for j in 0..<k {
                        sgemm(transB: true, m: rows.count, n: cin, k: cout, fb.value + (rows.lowerBound - j + pad0) * cout, lda: cout,
                              wb.value + j * cin * cout, ldb: cout, beta: j == 0 ? 0 : 1, xb.value + rows.lowerBound * cin, ldc: cin)
                    }
                }
            }
        }
        if parameterGradients {
            var dW = [Float](repeating: 0, count: k * cin * cout)
            for blk in 0..<blocks { for q in 0..<(k * cin * cout) { dW[q] += partial[blk * k * cin * cout + q] } }
            accumulate(dW: dW, db: db)
        }
        return unpadded(dxp, batch: b, length: l, paddedLength: lp)
    }

    /// dx from dy and the columns of `cache`; adds dW and db to the parameters' gradients when
    /// `parameterGradients`.
    /// Without `inputGradient` (the first layer in training) the column gradients and col2im are
    /// skipped and an empty tensor is returned.
    func im2colBackward(_ dy: Tensor, _ cache: Cache, parameterGradients: Bool, inputGradient: Bool = true) -> Tensor {
        let cols = cache.cols
        let (b, l, cin) = (dy.shape[0], cache.inputShape[1], cache.inputShape[2])
        precondition(!parameterGradients || b == cache.inputShape[0], "a weight gradient needs dy for every item of the forward")
        let inputShape = [b, l, cin]
        let k = kernelSize, row = k * cin
        let lout = dy.shape[1], cout = effectiveOut
        let (w, bias) = effectiveWeights()
        var dW = [Float](repeating: 0, count: row * cout)
        var db: [Float]? = bias == nil ? nil : [Float](repeating: 0, count: cout)
        var dcols = uninitializedFloats(inputGradient ? b * lout * row : 0)   // written by the GEMMs (beta 0)
        let block = Conv1D.rowBlock
        let blocks = (b * lout + block - 1) / block
        var partial = uninitializedFloats(parameterGradients ? blocks * row * cout : 0)   // each block's GEMM uses beta 0
        withPointers(dy.data, cols, w, writing: &partial, &dcols) { ds, cs, ws, pts, dcs in
            let db = UnsafeSendable(ds), cb = UnsafeSendable(cs), wb = UnsafeSendable(ws)
            let tb = UnsafeSendable(pts), ob = UnsafeSendable(dcs)
            parallelChunks(b * lout, grain: block) { rows in
                // dW partial (row, cout) = cols[block]^T . dy[block]
                if parameterGradients {
                    sgemm(transA: true, m: row, n: cout, k: rows.count, cb.value + rows.lowerBound * row, lda: row,
                          db.value + rows.lowerBound * cout, ldb: cout, beta: 0, tb.value + (rows.lowerBound / block) * row * cout, ldc: cout)
                }
                // dcols[block] (rows, row) = dy[block] . W^T
                guard inputGradient else { return }
                sgemm(transB: true, m: rows.count, n: row, k: cout, db.value + rows.lowerBound * cout, lda: cout, wb.value, ldb: cout,
                      beta: 0, ob.value + rows.lowerBound * row, ldc: row)
            }
        }
        if parameterGradients {
            for blk in 0..<blocks { for q in 0..<(row * cout) { dW[q] += partial[blk * row * cout + q] } }
        }
        if var sums = db {
            dy.data.withUnsafeBufferPointer { ds in
                for r in 0..<(b * lout) { for o in 0..<cout { sums[o] += ds[r * cout + o] } }
            }
            db = sums
        }
        if parameterGradients { accumulate(dW: dW, db: db) }
        guard inputGradient else { return Tensor(shape: [0]) }
        // col2im: scatter-add the column gradients back to the input positions.
        var dx = Tensor(shape: inputShape)
        let pad = padLeft
        dx.data.withUnsafeMutableBufferPointer { xs in
            dcols.withUnsafeBufferPointer { dcs in
                let xb = UnsafeSendable(xs.start), db = UnsafeSendable(dcs.start)
                parallelChunks(b, grain: 4) { items in
                    for i in items {
                        for t in 0..<lout {
                            let first = t - pad
                            let lo = max(0, -first), hi = min(k, l - first)
                            guard lo < hi else { continue }
                            let src = db.value + (i * lout + t) * row + lo * cin
                            let dst = xb.value + (i * l + first + lo) * cin
                            for q in 0..<((hi - lo) * cin) { dst[q] += src[q] }
                        }
                    }
                }
            }
        }
        return dx
    }
}
