import CKernels
/// Padding of a convolution.
public enum Padding: String, Codable, Sendable {
    /// No padding: L - k + 1 outputs.
    case valid
    /// Zero padding to L outputs: (k-1)/2 on the left, k/2 on the right (Keras).
    case same
}

/// 1-D convolution over (B, L, Cin) -> (B, Lout, Cout), stride 1, by im2col and one sgemm.
///
/// The kernel is stored (k, Cin, Cout) so that an im2col row (k * Cin contiguous values)
/// multiplies it directly; model files hold it as PyTorch's (Cout, Cin, k).
public class Conv1D: Layer {
    public let kernelSize: Int
    public let inChannels: Int
    public let outChannels: Int
    public let padding: Padding
    public let useBias: Bool
    /// (k, Cin, Cout)
    public let weight: Parameter
    /// (Cout)
    public let bias: Parameter?

    private var cols: [Float] = []      // (B * Lout, k * Cin) of the last forward
    private var inputShape: [Int] = []

    public var kind: String { "Conv1D" }

    public init(name: String, kernelSize: Int, inChannels: Int, outChannels: Int, padding: Padding = .valid, useBias: Bool = true) {
        self.kernelSize = kernelSize
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.padding = padding
        self.useBias = useBias
        weight = Parameter(name: name + ".weight", shape: [kernelSize, inChannels, outChannels])
        weight.layout = .convKernel
        bias = useBias ? Parameter(name: name + ".bias", shape: [outChannels]) : nil
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    /// Glorot-uniform kernel (fan in k * Cin, fan out k * Cout), zero bias.
    public func initialise(_ rng: inout NetRandom) {
        glorotUniform(weight, fanIn: kernelSize * inChannels, fanOut: kernelSize * outChannels, rng: &rng)
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard input.count == 2, input[1] == inChannels else {
            throw NetworkError.shape("\(kind) expects (L, \(inChannels)), got \(input)")
        }
        let l = padding == .valid ? input[0] - kernelSize + 1 : input[0]
        guard l > 0 else { throw NetworkError.shape("\(kind) of width \(kernelSize) does not fit length \(input[0])") }
        return [l, outChannels]
    }

    var padLeft: Int { padding == .same ? (kernelSize - 1) / 2 : 0 }

    /// The kernel and bias the forward pass uses (RC convolution overrides).
    func effectiveWeights() -> (w: [Float], b: [Float]?) { (weight.values, bias?.values) }

    /// Adds the gradient of the effective kernel and bias to the parameters.
    func accumulate(dW: [Float], db: [Float]?) {
        for i in dW.indices { weight.gradient[i] += dW[i] }
        if let db, let bias { for i in db.indices { bias.gradient[i] += db[i] } }
    }

    /// Effective output channels.
    var effectiveOut: Int { outChannels }

    /// Rows per block of the shifted GEMMs: a block's output and input stay in cache.
    static let rowBlock = 1024
    /// Rows per block of the forward im2col: the block's columns fit in L2.
    static let im2colBlock = 512

    /// Forward passes of many-channel convolutions use crick's direct kernel (AVX2+FMA, chosen at
    /// run time) instead of im2col + sgemm. Tests switch it off to check both paths.
    nonisolated(unsafe) static var useDirectKernel = crick_has_avx2_fma() != 0

    /// The kernel (K x Cout) as the direct kernel's zero-padded 16-channel panels.
    func packPanels(_ w: [Float], k: Int, cout: Int) -> [Float] {
        let panels = (cout + Int(CRICK_PANEL) - 1) / Int(CRICK_PANEL)
        var packed = uninitializedFloats(panels * k * Int(CRICK_PANEL))
        w.withUnsafeBufferPointer { ws in packed.withUnsafeMutableBufferPointer { crick_pack_panels(ws.start, k, cout, $0.start) } }
        return packed
    }

    /// Shifted GEMMs (one per kernel offset, over the whole batch as one long sequence) when
    /// the input has many channels; im2col + one GEMM when it has few (the first layer).
    var useShifted: Bool { inChannels >= 8 }

    /// The input padded for 'same' (or as is): (B, Lp, Cin), Lp = L + k - 1 or L.
    private var padded: [Float] = []
    private var paddedLength = 0

    /// A per-channel affine map and activation applied to the output in the same pass
    /// (inference: a following batch norm and activation folded in).
    struct Epilogue {
        var scale: [Float]
        var shift: [Float]
        var activation: ActivationFunction
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        inputShape = x.shape
        // Layer-by-layer passes keep what backward needs, in inference too (attribution).
        return useShifted ? shiftedForward(x, keep: true, epilogue: nil) : im2colForward(x, keep: true, epilogue: nil)
    }

    /// Inference forward with a batch norm and activation folded into the output pass.
    func forwardFused(_ x: Tensor, epilogue: Epilogue) -> Tensor {
        inputShape = x.shape
        if inChannels == 4, let codes = Conv1D.oneHotCodes(x) {
            return lookupForward(codes, batch: x.shape[0], length: x.shape[1], epilogue: epilogue)
        }
        return useShifted ? shiftedForward(x, keep: false, epilogue: epilogue) : im2colForward(x, keep: false, epilogue: epilogue)
    }

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
    private func lookupForward(_ codes: [UInt8], batch b: Int, length l: Int, epilogue: Epilogue) -> Tensor {
        let k = kernelSize, cout = effectiveOut, cin = inChannels
        let lout = padding == .valid ? l - k + 1 : l
        let pad = padLeft
        let (w, bias) = effectiveWeights()
        var y = Tensor(uninitializedShape: [b, lout, cout])
        codes.withUnsafeBufferPointer { cs in
            w.withUnsafeBufferPointer { ws in
                y.data.withUnsafeMutableBufferPointer { ys in
                    let cb = UnsafeSendable(cs.start), wb = UnsafeSendable(ws.start), yb = UnsafeSendable(ys.start)
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

    public func backward(_ dy: Tensor) -> Tensor {
        precondition(!(useShifted ? padded.isEmpty : cols.isEmpty), "\(kind).backward needs a layer-by-layer forward first")
        return useShifted ? shiftedBackward(dy) : im2colBackward(dy)
    }

    // MARK: shifted GEMMs

    /// `keep`: save the (padded) input for backward.
    private func shiftedForward(_ x: Tensor, keep: Bool, epilogue: Epilogue?) -> Tensor {
        // x (B, L, Cin) -> xp (B*Lp, Cin); yFull (R, Cout') with R = B*Lp - k + 1 rows:
        // yFull[r] = sum_j xp[r + j] . W_j; rows r = b*Lp + t with t < Lout are the outputs.
        let (b, l, cin) = (x.shape[0], x.shape[1], x.shape[2])
        let k = kernelSize, cout = effectiveOut
        let lp = padding == .same ? l + k - 1 : l
        let lout = lp - k + 1
        let pad = padLeft
        var xp: [Float]
        if padding == .same {
            xp = [Float](repeating: 0, count: b * lp * cin)
            x.data.withUnsafeBufferPointer { xs in
                xp.withUnsafeMutableBufferPointer { ps in
                    for i in 0..<b {
                        (ps.start + (i * lp + pad) * cin).update(from: xs.start + i * l * cin, count: l * cin)
                    }
                }
            }
        } else {
            xp = x.data
        }
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
        xp.withUnsafeBufferPointer { ps in
            (direct ? panels : w).withUnsafeBufferPointer { ws in
                y.data.withUnsafeMutableBufferPointer { ys in
                    let pb = UnsafeSendable(ps.start), wb = UnsafeSendable(ws.start), yb = UnsafeSendable(ys.start)
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
            }
        }
        if keep {
            padded = xp
            paddedLength = lp
        } else {
            padded = []
        }
        return y
    }

    private func shiftedBackward(_ dy: Tensor) -> Tensor {
        let (b, l, cin) = (inputShape[0], inputShape[1], inputShape[2])
        let k = kernelSize, cout = effectiveOut
        let lp = paddedLength, lout = dy.shape[1]
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
        var partial = uninitializedFloats(blocks * k * cin * cout)   // each block's GEMMs use beta 0
        var dxp = uninitializedFloats(b * lp * cin)   // every row block starts with beta 0
        padded.withUnsafeBufferPointer { ps in
            dyf.withUnsafeBufferPointer { fs in
                w.withUnsafeBufferPointer { ws in
                    partial.withUnsafeMutableBufferPointer { pts in
                        dxp.withUnsafeMutableBufferPointer { dps in
                            let pb = UnsafeSendable(ps.start), fb = UnsafeSendable(fs.start), wb = UnsafeSendable(ws.start)
                            let tb = UnsafeSendable(pts.start), xb = UnsafeSendable(dps.start)
                            // dW_j = sum over row blocks of xp[block + j]^T . dy[block]; partials per block.
                            parallelChunks(r, grain: block) { rows in
                                let dst = tb.value + (rows.lowerBound / block) * k * cin * cout
                                for j in 0..<k {
                                    sgemm(transA: true, m: cin, n: cout, k: rows.count, pb.value + (rows.lowerBound + j) * cin, lda: cin,
                                          fb.value + (rows.lowerBound + pad0) * cout, ldb: cout, beta: 0, dst + j * cin * cout, ldc: cout)
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
                }
            }
        }
        var dW = [Float](repeating: 0, count: k * cin * cout)
        for blk in 0..<blocks { for q in 0..<(k * cin * cout) { dW[q] += partial[blk * k * cin * cout + q] } }
        accumulate(dW: dW, db: db)
        if padding == .valid { return Tensor(shape: inputShape, data: dxp) }
        var dx = Tensor(uninitializedShape: inputShape)
        let pad = padLeft
        dxp.withUnsafeBufferPointer { dps in
            dx.data.withUnsafeMutableBufferPointer { xs in
                for i in 0..<b {
                    (xs.start + i * l * cin).update(from: dps.start + (i * lp + pad) * cin, count: l * cin)
                }
            }
        }
        return dx
    }

    // MARK: im2col

    /// `keep`: save the columns for backward.
    private func im2colForward(_ x: Tensor, keep: Bool, epilogue: Epilogue?) -> Tensor {
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
        y.data.withUnsafeMutableBufferPointer { ys in
            if let bias {
                for r in 0..<(b * lout) { for o in 0..<cout { ys[r * cout + o] = bias[o] } }
            }
            cols.withUnsafeBufferPointer { cs in
                w.withUnsafeBufferPointer { ws in
                    let cb = UnsafeSendable(cs.start), wb = UnsafeSendable(ws.start), yb = UnsafeSendable(ys.start)
                    let beta: Float = bias == nil ? 0 : 1
                    parallelChunks(b * lout, grain: Conv1D.rowBlock) { rows in
                        sgemm(m: rows.count, n: cout, k: row, cb.value + rows.lowerBound * row, lda: row, wb.value, ldb: cout,
                              beta: beta, yb.value + rows.lowerBound * cout, ldc: cout)
                        if let epilogue { Conv1D.apply(epilogue, yb.value + rows.lowerBound * cout, rows: rows.count, channels: cout) }
                    }
                }
            }
        }
        self.cols = keep ? cols : []
        return y
    }

    private func im2colBackward(_ dy: Tensor) -> Tensor {
        let (b, l, cin) = (inputShape[0], inputShape[1], inputShape[2])
        let k = kernelSize, row = k * cin
        let lout = dy.shape[1], cout = effectiveOut
        let (w, bias) = effectiveWeights()
        var dW = [Float](repeating: 0, count: row * cout)
        var db: [Float]? = bias == nil ? nil : [Float](repeating: 0, count: cout)
        var dcols = uninitializedFloats(b * lout * row)   // written by the GEMMs (beta 0)
        let block = Conv1D.rowBlock
        let blocks = (b * lout + block - 1) / block
        var partial = uninitializedFloats(blocks * row * cout)   // each block's GEMM uses beta 0
        dy.data.withUnsafeBufferPointer { ds in
            cols.withUnsafeBufferPointer { cs in
                w.withUnsafeBufferPointer { ws in
                    partial.withUnsafeMutableBufferPointer { pts in
                        dcols.withUnsafeMutableBufferPointer { dcs in
                            let db = UnsafeSendable(ds.start), cb = UnsafeSendable(cs.start), wb = UnsafeSendable(ws.start)
                            let tb = UnsafeSendable(pts.start), ob = UnsafeSendable(dcs.start)
                            parallelChunks(b * lout, grain: block) { rows in
                                // dW partial (row, cout) = cols[block]^T . dy[block]
                                sgemm(transA: true, m: row, n: cout, k: rows.count, cb.value + rows.lowerBound * row, lda: row,
                                      db.value + rows.lowerBound * cout, ldb: cout, beta: 0, tb.value + (rows.lowerBound / block) * row * cout, ldc: cout)
                                // dcols[block] (rows, row) = dy[block] . W^T
                                sgemm(transB: true, m: rows.count, n: row, k: cout, db.value + rows.lowerBound * cout, lda: cout, wb.value, ldb: cout,
                                      beta: 0, ob.value + rows.lowerBound * row, ldc: row)
                            }
                        }
                    }
                }
            }
            for blk in 0..<blocks { for q in 0..<(row * cout) { dW[q] += partial[blk * row * cout + q] } }
            if var sums = db {
                for r in 0..<(b * lout) { for o in 0..<cout { sums[o] += ds[r * cout + o] } }
                db = sums
            }
        }
        accumulate(dW: dW, db: db)
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

/// Shrikumar et al.'s reverse-complement convolution: F learned filters applied as 2F
/// channels `[W, W reversed on k, Cin and F]` with bias `[b, b reversed]`, so that channel
/// 2F-1-f of the output is the reverse complement of channel f.
public final class RCConv1D: Conv1D {
    public override var kind: String { "RevCompConv1D" }

    /// `filters` learned filters (F); the output has 2F channels.
    public init(name: String, kernelSize: Int, inChannels: Int, filters: Int, padding: Padding = .valid, useBias: Bool = true) {
        super.init(name: name, kernelSize: kernelSize, inChannels: inChannels, outChannels: filters, padding: padding, useBias: useBias)
    }

    override var effectiveOut: Int { 2 * outChannels }

    public override func outputShape(_ input: [Int]) throws -> [Int] {
        let s = try super.outputShape(input)
        return [s[0], 2 * outChannels]
    }

    /// Glorot-uniform with the fan-out of the F learned filters.
    public override func initialise(_ rng: inout NetRandom) {
        glorotUniform(weight, fanIn: kernelSize * inChannels, fanOut: kernelSize * outChannels, rng: &rng)
    }

    override func effectiveWeights() -> (w: [Float], b: [Float]?) {
        let (k, cin, f) = (kernelSize, inChannels, outChannels)
        var w = [Float](repeating: 0, count: k * cin * 2 * f)
        for j in 0..<k {
            for c in 0..<cin {
                for o in 0..<f {
                    let v = weight.values[(j * cin + c) * f + o]
                    w[(j * cin + c) * 2 * f + o] = v
                    w[((k - 1 - j) * cin + (cin - 1 - c)) * 2 * f + (2 * f - 1 - o)] = v
                }
            }
        }
        let b = bias.map { $0.values + $0.values.reversed() }
        return (w, b)
    }

    override func accumulate(dW: [Float], db: [Float]?) {
        let (k, cin, f) = (kernelSize, inChannels, outChannels)
        for j in 0..<k {
            for c in 0..<cin {
                for o in 0..<f {
                    weight.gradient[(j * cin + c) * f + o] += dW[(j * cin + c) * 2 * f + o]
                        + dW[((k - 1 - j) * cin + (cin - 1 - c)) * 2 * f + (2 * f - 1 - o)]
                }
            }
        }
        if let db, let bias { for o in 0..<f { bias.gradient[o] += db[o] + db[2 * f - 1 - o] } }
    }
}

/// The naive convolution, a direct triple loop: the reference the tests compare `Conv1D`
/// with. `w` is (k, Cin, Cout).
public func naiveConv1D(_ x: Tensor, w: [Float], b: [Float]?, k: Int, cout: Int, padding: Padding) -> Tensor {
    let (bs, l, cin) = (x.shape[0], x.shape[1], x.shape[2])
    let lout = padding == .valid ? l - k + 1 : l
    let pad = padding == .same ? (k - 1) / 2 : 0
    var y = Tensor(shape: [bs, lout, cout])
    for i in 0..<bs {
        for t in 0..<lout {
            for o in 0..<cout {
                var s = b?[o] ?? 0
                for j in 0..<k {
                    let p = t - pad + j
                    guard p >= 0 && p < l else { continue }
                    for c in 0..<cin { s += x.data[(i * l + p) * cin + c] * w[(j * cin + c) * cout + o] }
                }
                y.data[(i * lout + t) * cout + o] = s
            }
        }
    }
    return y
}
