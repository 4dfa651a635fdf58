import CKernels

/// Conv1D backward passes on crick's direct kernel (`crick_conv_direct`), used by the shifted
/// backward when the direct kernel is on: both gradients are themselves direct convolutions, so
/// they read their operands in place where the shifted GEMMs pack them for BLAS.
extension Conv1D {
    /// dxp (R, Cin) for the rows `rows` of the padded input: row q reads dyf rows q ..< q + k
    /// (k * Cout contiguous values) against the kernel reversed in k and transposed,
    /// `packedTransposed` (`transposedPanels`).
    static func directInputGradient(dyf: UnsafePointer<Float>, cout: Int, k: Int, packedTransposed: UnsafePointer<Float>,
                                    cin: Int, dxp: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        crick_conv_direct(dyf + rows.lowerBound * cout, cout, k * cout, packedTransposed, cin,
                          dxp + rows.lowerBound * cin, cin, rows.count)
    }

    /// The effective kernel w (k, Cin, Cout) as the (k * Cout, Cin) matrix of the input
    /// gradient, W'[j' * Cout + o][c] = w[k - 1 - j'][c][o], packed in 16-channel panels.
    func transposedPanels(_ w: [Float], cin: Int, cout: Int) -> [Float] {
        let k = kernelSize
        var t = uninitializedFloats(k * cout * cin)
        for jr in 0..<k {
            let j = k - 1 - jr
            for o in 0..<cout {
                let dst = (jr * cout + o) * cin
                for c in 0..<cin { t[dst + c] = w[(j * cin + c) * cout + o] }
            }
        }
        return packPanels(t, k: k * cout, cout: cin)
    }

    /// The weight-gradient partial (k, Cin, Cout) of the rows q in `rows`:
    /// dW_j[c][o] = sum over q of xp[q + j][c] * dyf[q + k - 1][o], as k direct convolutions of
    /// the block's input, transposed to (Cin, n + k - 1), against its dy rows in panels. Each
    /// value is one chain of FMAs over the block's rows, whatever the thread count.
    static func directWeightGradient(padded: UnsafePointer<Float>, dyf: UnsafePointer<Float>, cin: Int, cout: Int, k: Int,
                                     rows: Range<Int>, into dst: UnsafeMutablePointer<Float>) {
        let n = rows.count, span = n + k - 1
        // xt (Cin, n + k - 1): the block's input rows q0 ..< q0 + n + k - 1, channel-major.
        var xt = uninitializedFloats(cin * span)
        let panels = (cout + Int(CRICK_PANEL) - 1) / Int(CRICK_PANEL)
        var packedDy = uninitializedFloats(panels * n * Int(CRICK_PANEL))
        xt.withUnsafeMutableBufferPointer { xs in
            let src = padded + rows.lowerBound * cin
            for u in 0..<span { for c in 0..<cin { xs[c * span + u] = src[u * cin + c] } }
        }
        packedDy.withUnsafeMutableBufferPointer { crick_pack_panels(dyf + (rows.lowerBound + k - 1) * cout, n, cout, $0.baseAddress) }
        xt.withUnsafeBufferPointer { xs in
            packedDy.withUnsafeBufferPointer { ds in
                guard let x0 = xs.baseAddress, let d0 = ds.baseAddress else { return }
                for j in 0..<k { crick_conv_direct(x0 + j, span, n, d0, cout, dst + j * cin * cout, cout, cin) }
            }
        }
    }
}
