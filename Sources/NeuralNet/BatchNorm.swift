import Foundation

/// Batch normalisation over the channels of (B, L, C) or (B, C) tensors, with running
/// statistics for inference (Keras defaults: momentum 0.99, epsilon 1e-3).
///
/// With `reverseComplement`, channel c and channel C-1-c (a filter and its reverse
/// complement in the RC layout) share gamma, beta and statistics computed over both
/// strands: C/2 sets of parameters (RevCompConv1DBatchNorm of Shrikumar et al.).
public final class BatchNorm: Layer {
    public let channels: Int
    public let reverseComplement: Bool
    public let momentum: Float
    public let epsilon: Float
    /// (groups): gamma, beta, running mean and variance; groups = C, or C/2 when RC.
    public let gamma: Parameter
    public let beta: Parameter
    public let runningMean: Parameter
    public let runningVar: Parameter
    /// With debiased running statistics, the 1-based number of the update the next training
    /// pass makes (set by the trainer before each step); nil: a plain moving average.
    ///
    /// The plain average starts from mean 0 and variance 1 and keeps momentum^t of them after
    /// t updates (0.79 after 24 steps, 0.09 after 240 at momentum 0.99), so inference early in
    /// training normalises with a variance far from the data's. Debiased (Keras 2.2.4 and
    /// TensorFlow 1's `zero_debias`), the running value after t updates is the momentum-weighted
    /// average of the t batch statistics alone: sum_i (1-m) m^(t-i) x_i / (1 - m^t).
    public var debiasStep: Int?

    /// What the last forward pass keeps for backward: its input shape and mode, the inverse
    /// deviations (groups) and, in training, x-hat (N, C).
    private final class Cache {
        var shape: [Int] = []
        var training = false
        var invStd: [Float] = []
        var xhat: [Float] = []
    }

    public var kind: String { reverseComplement ? "RevCompConv1DBatchNorm" : "BatchNormalization" }

    public init(name: String, channels: Int, reverseComplement: Bool = false, momentum: Float = 0.99, epsilon: Float = 1e-3) {
        self.channels = channels
        self.reverseComplement = reverseComplement
        self.momentum = momentum
        self.epsilon = epsilon
        let groups = reverseComplement ? channels / 2 : channels
        gamma = Parameter(name: name + ".weight", shape: [groups], value: 1)
        beta = Parameter(name: name + ".bias", shape: [groups])
        runningMean = Parameter(name: name + ".running_mean", shape: [groups], trainable: false)
        runningVar = Parameter(name: name + ".running_var", shape: [groups], trainable: false, value: 1)
    }

    public var parameters: [Parameter] { [gamma, beta, runningMean, runningVar] }

    var groups: Int { reverseComplement ? channels / 2 : channels }

    /// The parameter group of channel c.
    @inline(__always) func group(_ c: Int) -> Int { reverseComplement ? min(c, channels - 1 - c) : c }

    /// The inference map y = x * scale + shift per channel (running statistics).
    func inferenceAffine() -> (scale: [Float], shift: [Float]) {
        var a = [Float](repeating: 0, count: channels), b = [Float](repeating: 0, count: channels)
        for k in 0..<channels {
            let j = group(k)
            a[k] = gamma.values[j] / (runningVar.values[j] + epsilon).squareRoot()
            b[k] = beta.values[j] - runningMean.values[j] * a[k]
        }
        return (a, b)
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard input.last == channels else { throw NetworkError.shape("\(kind) expects \(channels) channels, got \(input)") }
        if reverseComplement && channels % 2 != 0 { throw NetworkError.shape("\(kind) needs an even channel count") }
        return input
    }

    /// Per-channel sums of `a[r, c]` and `a[r, c] * b[r, c]` over all rows, combined over
    /// fixed row chunks in order (identical at any thread count).
    private func channelSums(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, rows n: Int) -> (s: [Double], p: [Double]) {
        let c = channels, grain = 2048
        let chunks = (n + grain - 1) / grain
        var partial = [Double](repeating: 0, count: chunks * 2 * c)
        partial.withUnsafeMutableBufferPointer { ps in
            let pb = UnsafeSendable(ps.start), ab = UnsafeSendable(a), bb = UnsafeSendable(b)
            parallelChunks(n, grain: grain) { rows in
                // Float partials over 64 rows, then double; scratch through pointers so that the
                // per-row loops over channels vectorise.
                let sq = UnsafeMutablePointer<Float>.allocate(capacity: 2 * c), dsq = UnsafeMutablePointer<Double>.allocate(capacity: 2 * c)
                defer { sq.deallocate(); dsq.deallocate() }
                sq.initialize(repeating: 0, count: 2 * c)
                dsq.initialize(repeating: 0, count: 2 * c)
                let s = sq, q = sq + c, ds = dsq, dq = dsq + c
                var count = 0
                for r in rows {
                    let ar = ab.value + r * c, br = bb.value + r * c
                    for k in 0..<c { s[k] += ar[k]; q[k] += ar[k] * br[k] }
                    count += 1
                    if count == 64 {
                        for k in 0..<c { ds[k] += Double(s[k]); dq[k] += Double(q[k]); s[k] = 0; q[k] = 0 }
                        count = 0
                    }
                }
                for k in 0..<c { ds[k] += Double(s[k]); dq[k] += Double(q[k]) }
                let out = pb.value + (rows.lowerBound / grain) * 2 * c
                for k in 0..<c { out[k] = ds[k]; out[c + k] = dq[k] }
            }
        }
        var s = [Double](repeating: 0, count: c), p = [Double](repeating: 0, count: c)
        for ch in 0..<chunks { for k in 0..<c { s[k] += partial[ch * 2 * c + k]; p[k] += partial[ch * 2 * c + c + k] } }
        return (s, p)
    }

    /// Folds per-channel sums into per-group sums.
    private func grouped(_ v: [Double]) -> [Double] {
        var g = [Double](repeating: 0, count: groups)
        for k in 0..<channels { g[group(k)] += v[k] }
        return g
    }

    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        // x (N, C) viewed as rows of C channels, N = B * L
        let c = channels, n = x.count / c, g = groups
        let cache = workspace.cache(self, Cache.init)
        cache.shape = x.shape
        cache.training = training
        guard training else {
            cache.invStd = runningVar.values.map { 1 / ($0 + epsilon).squareRoot() }
            cache.xhat = []
            return normalise(x, mean: Array(runningMean.values), invStd: cache.invStd, keepXhat: false).y
        }
        var mean = [Float](repeating: 0, count: g), variance = [Float](repeating: 0, count: g)
        let perGroup = Double(n * (reverseComplement ? 2 : 1))
        let (sums, squares) = x.data.withUnsafeBufferPointer { channelSums($0.start, $0.start, rows: n) }
        let gs = grouped(sums), gq = grouped(squares)
        for j in 0..<g {
            let m = gs[j] / perGroup
            mean[j] = Float(m)
            variance[j] = Float(max(gq[j] / perGroup - m * m, 0))
            if let t = debiasStep, t >= 1 {
                // value_t = (m (1 - m^(t-1)) value_(t-1) + (1 - m) x_t) / (1 - m^t); the variance
                // as Keras 2.2 feeds it, times n / (n - 1 - epsilon) (its unbiased estimate).
                let m = Double(momentum), before = 1 - pow(m, Double(t - 1)), after = 1 - pow(m, Double(t))
                let unbiased = Double(variance[j]) * perGroup / max(perGroup - 1 - Double(epsilon), 1e-12)
                runningMean.values[j] = Float((m * before * Double(runningMean.values[j]) + (1 - m) * Double(mean[j])) / after)
                runningVar.values[j] = Float((m * before * Double(runningVar.values[j]) + (1 - m) * unbiased) / after)
            } else {
                runningMean.values[j] = momentum * runningMean.values[j] + (1 - momentum) * mean[j]
                runningVar.values[j] = momentum * runningVar.values[j] + (1 - momentum) * variance[j]
            }
        }
        cache.invStd = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let (y, h) = normalise(x, mean: mean, invStd: cache.invStd, keepXhat: true)
        cache.xhat = h
        return y
    }

    /// The running-statistics pass of `forward(x, training: false)`, keeping nothing.
    public func infer(_ x: Tensor) -> Tensor {
        normalise(x, mean: Array(runningMean.values), invStd: runningVar.values.map { 1 / ($0 + epsilon).squareRoot() }, keepXhat: false).y
    }

    /// y = (x - mean) * invStd * gamma + beta per group, as x * a + b with a = gamma * invStd and
    /// b = beta - mean * a per channel; with `keepXhat`, also x-hat = (x - mean) * invStd.
    /// x, y (N, C); mean, invStd (groups).
    private func normalise(_ x: Tensor, mean: [Float], invStd: [Float], keepXhat: Bool) -> (y: Tensor, xhat: [Float]) {
        let c = channels, n = x.count / c
        var a = [Float](repeating: 0, count: c), b = [Float](repeating: 0, count: c)
        var mu = [Float](repeating: 0, count: c), inv = [Float](repeating: 0, count: c)
        for k in 0..<c {
            let j = group(k)
            a[k] = gamma.values[j] * invStd[j]
            b[k] = beta.values[j] - mean[j] * a[k]
            mu[k] = mean[j]
            inv[k] = invStd[j]
        }
        var y = Tensor(uninitializedShape: x.shape)
        // xhat is empty unless kept (then it holds x.count values): only `keep` writes it.
        var xhat = keepXhat ? uninitializedFloats(x.count) : []
        // Per-channel factors through pointers: the row loops vectorise (no bounds checks).
        let factors = a + b + mu + inv
        withPointers(x.data, writing: &y.data, &xhat) { xs, ys, hs in
            factors.withUnsafeBufferPointer { fs in
                let xb = UnsafeSendable(xs), yb = UnsafeSendable(ys), fb = UnsafeSendable(fs.start)
                let hb = UnsafeSendable(hs), keep = keepXhat
                parallelChunks(n, grain: 2048) { rows in
                    let pa = fb.value, pb = pa + c, pm = pb + c, pi = pm + c
                    for r in rows {
                        let xr = xb.value + r * c, yr = yb.value + r * c
                        for k in 0..<c { yr[k] = xr[k] * pa[k] + pb[k] }
                        if keep {
                            let hr = hb.value + r * c
                            for k in 0..<c { hr[k] = (xr[k] - pm[k]) * pi[k] }
                        }
                    }
                }
            }
        }
        return (y, xhat)
    }

    public func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        let c = channels, n = dy.count / c, g = groups
        let cache = workspace.cache(self, Cache.init)
        let invStd = cache.invStd, xhat = cache.xhat
        // In inference, dy may hold fewer items than the forward did (DeepLIFT's shared input).
        precondition(invStd.count == g && !cache.shape.isEmpty && (cache.training ? cache.shape.reduce(1, *) == dy.count : dy.count % c == 0),
                     "\(kind).backward needs a forward of the matching shape into the workspace first")
        var dx = Tensor(uninitializedShape: [dy.shape[0]] + cache.shape.dropFirst())
        var scale = [Float](repeating: 0, count: c)
        for k in 0..<c { scale[k] = gamma.values[group(k)] * invStd[group(k)] }
        if !cache.training {
            dy.data.withUnsafeBufferPointer { ds in
                dx.data.withUnsafeMutableBufferPointer { xs in
                    for r in 0..<n { for k in 0..<c { xs[r * c + k] = ds[r * c + k] * scale[k] } }
                }
            }
            // Inference keeps no x-hat: the input gradient only (what attribution needs);
            // parameters are trained in training mode.
            return dx
        }
        let (sums, products) = dy.data.withUnsafeBufferPointer { ds in xhat.withUnsafeBufferPointer { hs in channelSums(ds.start, hs.start, rows: n) } }
        let dBeta = grouped(sums).map { Float($0) }, dGamma = grouped(products).map { Float($0) }
        if workspace.accumulatesParameterGradients {
            for j in 0..<g {
                gamma.gradient[j] += dGamma[j]
                beta.gradient[j] += dBeta[j]
            }
        }
        // dx = gamma * invStd / m * (m * dy - sum(dy) - xhat * sum(dy * xhat)), per group.
        let m = Float(n * (reverseComplement ? 2 : 1))
        var sb = [Float](repeating: 0, count: c), sg = [Float](repeating: 0, count: c)
        for k in 0..<c { sb[k] = dBeta[group(k)] / m; sg[k] = dGamma[group(k)] / m }
        let factors = scale + sb + sg
        withPointers(dy.data, xhat, writing: &dx.data) { ds, hs, xs in
            factors.withUnsafeBufferPointer { fs in
                let db = UnsafeSendable(ds), hb = UnsafeSendable(hs), xb = UnsafeSendable(xs), fb = UnsafeSendable(fs.start)
                parallelChunks(n, grain: 2048) { rows in
                    let pscale = fb.value, psb = pscale + c, psg = psb + c
                    for r in rows {
                        let d = db.value + r * c, h = hb.value + r * c, o = xb.value + r * c
                        for k in 0..<c { o[k] = pscale[k] * (d[k] - psb[k] - h[k] * psg[k]) }
                    }
                }
            }
        }
        return dx
    }
}
