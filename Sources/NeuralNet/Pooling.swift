import CKernels
/// Max pooling along length over (B, L, C), keeping the channel layout. `same` padding
/// gives ceil(L / stride) outputs (Keras); windows only cover real positions.
public final class MaxPool1D: Layer {
    public let pool: Int
    public let stride: Int
    public let padding: Padding

    public var kind: String { "MaxPooling1D" }
    public var parameters: [Parameter] { [] }

    public init(pool: Int, stride: Int? = nil, padding: Padding = .valid) {
        self.pool = pool
        self.stride = stride ?? pool
        self.padding = padding
    }

    func geometry(_ l: Int) -> (lout: Int, padLeft: Int) {
        if padding == .valid { return ((l - pool) / stride + 1, 0) }
        let lout = (l + stride - 1) / stride
        let total = max((lout - 1) * stride + pool - l, 0)
        return (lout, total / 2)
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard input.count == 2 else { throw NetworkError.shape("MaxPooling1D expects (L, C), got \(input)") }
        let (lout, _) = geometry(input[0])
        guard lout > 0, padding == .same || input[0] >= pool else { throw NetworkError.shape("pool \(pool) does not fit length \(input[0])") }
        return [lout, input[1]]
    }

    /// The window maxima without the argmax (a plain running maximum, which vectorises).
    public func infer(_ x: Tensor) -> Tensor {
        let (b, l, c) = (x.shape[0], x.shape[1], x.shape[2])
        let (lout, pad) = geometry(l)
        var y = Tensor(uninitializedShape: [b, lout, c])
        let (pool, stride) = (self.pool, self.stride)
        x.data.withUnsafeBufferPointer { xs in
            y.data.withUnsafeMutableBufferPointer { ys in
                let xb = UnsafeSendable(xs.start), yb = UnsafeSendable(ys.start)
                parallelChunks(b, grain: 4) { items in
                    for i in items {
                        for t in 0..<lout {
                            let lo = max(0, t * stride - pad), hi = min(l, t * stride - pad + pool)
                            let out = yb.value + (i * lout + t) * c
                            out.update(from: xb.value + (i * l + lo) * c, count: c)
                            for p in (lo + 1)..<max(hi, lo + 1) {
                                let row = xb.value + (i * l + p) * c
                                for k in 0..<c { out[k] = max(out[k], row[k]) }
                            }
                        }
                    }
                }
            }
        }
        return y
    }

    /// The input shape and the position of every window's maximum, of the last forward pass;
    /// for DeepLIFT also its input and output.
    private final class Cache {
        var inputShape: [Int] = []
        var argmax: [Int32] = []
        var input: [Float] = []
        var output: [Float] = []
    }

    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        let cache = workspace.cache(self, Cache.init)
        cache.inputShape = x.shape
        let keepValues = workspace.rule == .deepLiftRescale
        cache.input = keepValues ? x.data : []
        let (b, l, c) = (x.shape[0], x.shape[1], x.shape[2])
        let (lout, pad) = geometry(l)
        var y = Tensor(uninitializedShape: [b, lout, c])
        let (pool, stride) = (self.pool, self.stride)
        var argmax = [Int32](repeating: -1, count: b * lout * c)
        defer {
            cache.argmax = argmax
            cache.output = keepValues ? y.data : []
        }
        withPointers(x.data, writing: &y.data, &argmax) { xs, ys, am in
            let xb = UnsafeSendable(xs), yb = UnsafeSendable(ys), ab = UnsafeSendable(am)
            parallelChunks(b, grain: 4) { items in
                for i in items {
                    for t in 0..<lout {
                        let lo = max(0, t * stride - pad), hi = min(l, t * stride - pad + pool)
                        let o = (i * lout + t) * c
                        // First position of the window, then strictly greater values.
                        crick_pool_argmax(xb.value + (i * l + lo) * c, max(hi - lo, 1), c, Int32(lo), yb.value + o, ab.value + o)
                    }
                }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        let cache = workspace.cache(self, Cache.init)
        let inputShape = cache.inputShape, argmax = cache.argmax
        precondition(inputShape.count == 3, "\(kind).backward needs a forward into the workspace first")
        let (b, l, c) = (dy.shape[0], inputShape[1], inputShape[2])
        let lout = dy.shape[1]
        if workspace.rule == .deepLiftRescale {
            let dx = deepLiftMaxRule(x: cache.input, y: cache.output, dy: dy.data, argmax: { Int(argmax[$0]) },
                                     pairs: b, length: l, outLength: lout, channels: c)
            return Tensor(shape: [b, l, c], data: dx)
        }
        var dx = Tensor(shape: [b, l, c])
        withPointers(dy.data, argmax, writing: &dx.data) { ds, am, xs in
            let db = UnsafeSendable(ds), xb = UnsafeSendable(xs), ab = UnsafeSendable(am)
            parallelChunks(b, grain: 4) { items in
                for i in items {
                    for t in 0..<lout {
                        let o = (i * lout + t) * c
                        for k in 0..<c { xb.value[(i * l + Int(ab.value[o + k])) * c + k] += db.value[o + k] }
                    }
                }
            }
        }
        return dx
    }
}

/// Global max or average pooling over length: (B, L, C) -> (B, C).
public final class GlobalPool: Layer {
    public enum Mode: String, Codable, Sendable { case max, average }
    public let mode: Mode

    public var kind: String { mode == .max ? "GlobalMaxPooling1D" : "GlobalAveragePooling1D" }
    public var parameters: [Parameter] { [] }

    public init(_ mode: Mode) { self.mode = mode }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard input.count == 2 else { throw NetworkError.shape("\(kind) expects (L, C), got \(input)") }
        return [input[1]]
    }

    /// The input shape and the position of each maximum, of the last forward pass; for
    /// DeepLIFT also its input and output.
    private final class Cache {
        var inputShape: [Int] = []
        var argmax: [Int] = []
        var input: [Float] = []
        var output: [Float] = []
    }

    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        let cache = workspace.cache(self, Cache.init)
        cache.inputShape = x.shape
        let (y, indices) = pool(x)
        cache.argmax = indices
        let keepValues = workspace.rule == .deepLiftRescale && mode == .max
        cache.input = keepValues ? x.data : []
        cache.output = keepValues ? y.data : []
        return y
    }

    public func infer(_ x: Tensor) -> Tensor { pool(x).y }

    /// (B, L, C) -> (B, C), with the position of each maximum (0 for averages).
    private func pool(_ x: Tensor) -> (y: Tensor, argmax: [Int]) {
        let (b, l, c) = (x.shape[0], x.shape[1], x.shape[2])
        var y = Tensor(shape: [b, c], value: mode == .max ? -.infinity : 0)
        var argmax = [Int](repeating: 0, count: b * c)
        for i in 0..<b {
            for t in 0..<l {
                for k in 0..<c {
                    let v = x.data[(i * l + t) * c + k]
                    if mode == .average { y.data[i * c + k] += v / Float(l) } else if v > y.data[i * c + k] {
                        y.data[i * c + k] = v
                        argmax[i * c + k] = t
                    }
                }
            }
        }
        return (y, argmax)
    }

    public func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        let cache = workspace.cache(self, Cache.init)
        let inputShape = cache.inputShape, argmax = cache.argmax
        precondition(inputShape.count == 3, "\(kind).backward needs a forward into the workspace first")
        let (b, l, c) = (dy.shape[0], inputShape[1], inputShape[2])
        if workspace.rule == .deepLiftRescale && mode == .max {
            let dx = deepLiftMaxRule(x: cache.input, y: cache.output, dy: dy.data, argmax: { argmax[$0] },
                                     pairs: b, length: l, outLength: 1, channels: c)
            return Tensor(shape: [b, l, c], data: dx)
        }
        var dx = Tensor(shape: [b, l, c])
        for i in 0..<b {
            for k in 0..<c {
                if mode == .average {
                    for t in 0..<l { dx.data[(i * l + t) * c + k] = dy.data[i * c + k] / Float(l) }
                } else {
                    dx.data[(i * l + argmax[i * c + k]) * c + k] = dy.data[i * c + k]
                }
            }
        }
        return dx
    }
}

/// Reverse-complement sum pooling: (B, L, 2F) -> (B, L, F), y[l, f] = x[l, f] +
/// x[L-1-l, 2F-1-f]: each filter added to its reverse complement read on the other strand,
/// so the output is the same for a sequence and its reverse complement.
public final class RCSumPool: Layer {
    public var kind: String { "RevCompSumPool" }
    public var parameters: [Parameter] { [] }

    public init() {}

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard input.count == 2, input[1] % 2 == 0 else { throw NetworkError.shape("RevCompSumPool expects (L, 2F), got \(input)") }
        return [input[0], input[1] / 2]
    }

    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        workspace.cache(self, ShapeCache.init).inputShape = x.shape
        return infer(x)
    }

    public func infer(_ x: Tensor) -> Tensor {
        // (B, L, 2F) -> (B, L, F): y[l, f] = x[l, f] + x[L-1-l, 2F-1-f]
        let (b, l, c) = (x.shape[0], x.shape[1], x.shape[2])
        let f = c / 2
        var y = Tensor(shape: [b, l, f])
        for i in 0..<b {
            for t in 0..<l {
                for k in 0..<f {
                    y.data[(i * l + t) * f + k] = x.data[(i * l + t) * c + k] + x.data[(i * l + l - 1 - t) * c + c - 1 - k]
                }
            }
        }
        return y
    }

    public func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        let inputShape = workspace.cache(self, ShapeCache.init).inputShape
        precondition(inputShape.count == 3, "\(kind).backward needs a forward into the workspace first")
        let (b, l, c) = (dy.shape[0], inputShape[1], inputShape[2])
        let f = c / 2
        var dx = Tensor(shape: [b, l, c])
        for i in 0..<b {
            for t in 0..<l {
                for k in 0..<f {
                    let g = dy.data[(i * l + t) * f + k]
                    dx.data[(i * l + t) * c + k] += g
                    dx.data[(i * l + l - 1 - t) * c + c - 1 - k] += g
                }
            }
        }
        return dx
    }
}

/// DeepLIFT's max rule (`BackwardRule.deepLiftRescale`) for a max pool that saw
/// [x; r_1, ..., r_n]: x (n + 1, L, C), y (n + 1, Lout, C), `argmax(o)` the input position that
/// won output element o; dy (n, Lout, C), the upstream gradient of each pair (x's and r's rows
/// carry the same one). Each output's change in pair p, max(y, y_r) - y_r at x's winning position
/// and y - max(y, y_r) at r's, times the upstream gradient, is summed at every input position
/// (x's share, then r's) and divided by x - r there (where x = r: the plain gradient at x's
/// winning positions). Returns dx (n, L, C).
func deepLiftMaxRule(x: [Float], y: [Float], dy: [Float], argmax: (Int) -> Int, pairs n: Int, length l: Int,
                     outLength lout: Int, channels c: Int) -> [Float] {
    precondition(x.count == (n + 1) * l * c && y.count == (n + 1) * lout * c && dy.count == n * lout * c,
                 "DeepLIFT needs a forward of an input and its references")
    var dx = [Float](repeating: 0, count: n * l * c)
    var routed = [Float](repeating: 0, count: l * c), routedRef = routed, plain = routed
    for p in 0..<n {
        for e in routed.indices { routed[e] = 0; routedRef[e] = 0; plain[e] = 0 }
        for t in 0..<lout {
            for k in 0..<c {
                let oi = t * c + k, oj = ((p + 1) * lout + t) * c + k, g = dy[(p * lout + t) * c + k]
                let yi = y[oi], yj = y[oj], top = max(yi, yj)
                let pi = argmax(oi) * c + k, pj = argmax(oj) * c + k
                routed[pi] += g * (top - yj)
                routedRef[pj] += g * (yi - top)
                plain[pi] += g
            }
        }
        for q in 0..<l {
            for k in 0..<c {
                let e = q * c + k
                let dIn = x[e] - x[((p + 1) * l + q) * c + k]
                dx[(p * l + q) * c + k] = dIn == 0 ? plain[e] : (routed[e] + routedRef[e]) / dIn
            }
        }
    }
    return dx
}
