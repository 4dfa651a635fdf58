import Foundation

/// A BPNet-style output head for count and profile regression: on a trunk's (L', C) feature
/// map it predicts, for each of T tasks, profile logits at P positions and one log total
/// count. Output (P * T + T) per item: the profile logits laid out (P, T), then the T log
/// counts.
///
/// - Profile: a valid convolution of width `kernel` over the central P * bin + kernel - 1
///   positions of the map (cropped symmetrically) gives (P * bin, T) logits, one per base; a
///   softmax over them is the predicted shape of each task's profile. With `bin` > 1 the logits
///   of a bin's bases are pooled by log-sum-exp, so the bin's predicted share is exactly the
///   sum of its bases' shares: (P, T) logits, one per bin.
/// - Counts: the mean of the map over all L' positions, then a dense layer (C -> T).
///
/// The crop is centred: (L' - P * bin - kernel + 1) must be even.
///
/// Stranded tasks: `pairs` lists [plus, minus] task indices whose tracks are the two strands of
/// one signal. In `rc` models (`tiedRC`, the map in Shrikumar's RC layout, C = 2F) each
/// unstranded task and each pair gets one RC filter (S filters, 2S channels): an unstranded
/// task's profile is channel j plus its reverse complement 2S-1-j; a pair's plus strand is
/// channel j and its minus strand channel 2S-1-j. So the profile of rc(x) is the profile of x
/// reversed (with the strands of each pair swapped), exactly, by construction. The counts are
/// RC-invariant likewise: without pairs by a dense layer tied between channel c and 2F-1-c (a
/// DenseAfterRevcompConv1D of length 1); with pairs by an RC convolution of width 1 on the mean,
/// whose channels are combined as the profile's are.
public final class ProfileHead: Layer {
    public let length: Int
    public let channels: Int
    public let tasks: Int
    public let profileLength: Int
    public let kernel: Int
    public let tiedRC: Bool
    /// Bases pooled into each profile position.
    public let bin: Int
    /// The [plus, minus] task pairs of stranded signals.
    public let pairs: [[Int]]
    /// The profile convolution: (k, C) -> T, or S RC filters (2S channels) when tied.
    let conv: Conv1D
    /// The count layer on the (1, C) mean: a Dense, or (`countConv`) an RC convolution of
    /// width 1 for tied heads with pairs.
    let countDense: Dense?
    let countConv: RCConv1D?
    var dense: Layer { countDense ?? countConv ?? conv }
    /// Per task, the convolution channel(s) summed into its value.
    let plan: [(first: Int, second: Int?)]
    /// Convolution (and count) channels: T, or 2S when tied.
    let convChannels: Int

    public var kind: String { tiedRC ? "RevCompProfileHead" : "ProfileHead" }
    public var parameters: [Parameter] { conv.parameters + dense.parameters }

    /// Bases the convolution predicts: P * bin.
    var baseLength: Int { profileLength * bin }
    /// The first position of the cropped map the convolution reads.
    var cropStart: Int { (length - (baseLength + kernel - 1)) / 2 }

    /// A head on an (`length`, `channels`) map; throws when P * bin + kernel - 1 does not fit in
    /// the map or does not leave the same margin on both sides, or `pairs` are not disjoint
    /// pairs of tasks.
    public init(name: String, length: Int, channels: Int, tasks: Int, profileLength: Int, kernel: Int, tiedRC: Bool,
                bin: Int = 1, pairs: [[Int]] = []) throws {
        guard profileLength > 0, kernel > 0, tasks > 0, bin > 0 else { throw NetworkError.architecture("profilehead needs a profile length, bin and kernel > 0") }
        let (bases, overflow) = profileLength.multipliedReportingOverflow(by: bin)
        let span = overflow ? Int.max : bases.addingReportingOverflow(kernel - 1).partialValue
        guard !overflow, bases <= length, span <= length else {
            throw NetworkError.architecture("profilehead: profile length \(profileLength) x bin \(bin) + kernel \(kernel) - 1 exceeds the trunk's output length \(length)")
        }
        if tiedRC { guard channels % 2 == 0 else { throw NetworkError.architecture("an RC profile head needs an RC feature map") } }
        // A symmetric crop: the profile of rc(x), reversed, lines up with that of x (rc models
        // by construction; strand averaging of the others relies on it too).
        guard (length - span) % 2 == 0 else {
            throw NetworkError.architecture("profilehead: the trunk's output length \(length) minus profile length x bin + kernel - 1 (\(span)) must be even, so the crop is symmetric")
        }
        guard ProfileLayout.validPairs(pairs, tasks: tasks) else {
            throw NetworkError.architecture("profilehead: pairs must be disjoint [plus, minus] pairs of task indices in 0..<\(tasks)")
        }
        self.length = length
        self.channels = channels
        self.tasks = tasks
        self.profileLength = profileLength
        self.kernel = kernel
        self.tiedRC = tiedRC
        self.bin = bin
        self.pairs = pairs
        if tiedRC {
            // One RC filter per unstranded task and per pair, in the order of their first task.
            let filters = tasks - pairs.count
            var plan = [(first: Int, second: Int?)](repeating: (0, nil), count: tasks)
            var j = 0
            for t in 0..<tasks {
                if let pair = pairs.first(where: { $0.contains(t) }) {
                    guard t == min(pair[0], pair[1]) else { continue }
                    // The pair's plus strand is channel j, its minus strand 2S-1-j.
                    plan[pair[0]] = (j, nil)
                    plan[pair[1]] = (2 * filters - 1 - j, nil)
                } else {
                    plan[t] = (j, 2 * filters - 1 - j)
                }
                j += 1
            }
            self.plan = plan
            convChannels = 2 * filters
            conv = RCConv1D(name: name + ".profile", kernelSize: kernel, inChannels: channels, filters: filters)
            countDense = pairs.isEmpty ? DenseAfterRevcompConv1D(name: name + ".count", length: 1, channels: channels, outFeatures: tasks) : nil
            countConv = pairs.isEmpty ? nil : RCConv1D(name: name + ".count", kernelSize: 1, inChannels: channels, filters: filters)
        } else {
            plan = (0..<tasks).map { ($0, nil) }
            convChannels = tasks
            conv = Conv1D(name: name + ".profile", kernelSize: kernel, inChannels: channels, outChannels: tasks)
            countDense = Dense(name: name + ".count", inFeatures: channels, outFeatures: tasks)
            countConv = nil
        }
    }

    /// Whether the count layer is an RC convolution whose channels follow `plan`.
    private var countsFollowPlan: Bool { tiedRC && !pairs.isEmpty }

    /// The count layer's bias (a parameter per task, or per RC filter with pairs).
    var countBias: Parameter? { countDense?.bias ?? countConv?.bias }

    /// Sets the count outputs' biases so that a zero map predicts `values` (one per task);
    /// with pairs a pair's two strands share their filter's bias (their mean is used). False
    /// when the head has no such bias.
    func setCountBias(_ values: [Float]) -> Bool {
        guard let bias = countBias, values.count == tasks else { return false }
        if !countsFollowPlan {
            guard bias.count == values.count else { return false }
            for i in values.indices { bias.values[i] = values[i] }
            return true
        }
        let s = convChannels / 2
        var sums = [Float](repeating: 0, count: s), n = [Float](repeating: 0, count: s)
        for t in 0..<tasks {
            let (first, second) = plan[t]
            let j = min(first, convChannels - 1 - first)
            // An unstranded task sums two channels, each carrying the bias.
            sums[j] += second == nil ? values[t] : values[t] / 2
            n[j] += 1
        }
        for j in 0..<s { bias.values[j] = sums[j] / max(n[j], 1) }
        return true
    }

    /// Glorot-uniform kernels, zero biases.
    public func initialise(_ rng: inout NetRandom) {
        conv.initialise(&rng)
        countDense?.initialise(&rng)
        countConv?.initialise(&rng)
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard input == [length, channels] else { throw NetworkError.shape("\(kind) expects (\(length), \(channels)), got \(input)") }
        return [profileLength * tasks + tasks]
    }

    /// The central P * bin + kernel - 1 positions of x (B, L', C).
    private func crop(_ x: Tensor) -> Tensor {
        let b = x.batch, span = baseLength + kernel - 1, c = channels, s = cropStart
        var out = Tensor(uninitializedShape: [b, span, c])
        for i in 0..<b {
            let src = (i * length + s) * c
            for j in 0..<(span * c) { out.data[i * span * c + j] = x.data[src + j] }
        }
        return out
    }

    /// The mean over positions of x (B, L', C), as (B, 1, C) for the tied count layers or (B, C).
    private func mean(_ x: Tensor) -> Tensor {
        let b = x.batch, c = channels
        var m = Tensor(shape: tiedRC ? [b, 1, c] : [b, c])
        let scale = 1 / Float(length)
        for i in 0..<b {
            for l in 0..<length { for k in 0..<c { m.data[i * c + k] += x.data[(i * length + l) * c + k] } }
            for k in 0..<c { m.data[i * c + k] *= scale }
        }
        return m
    }

    /// A task's value from one row of channel values.
    @inline(__always) private func value(_ row: UnsafePointer<Float>, _ t: Int) -> Float {
        let (first, second) = plan[t]
        return second.map { row[first] + row[$0] } ?? row[first]
    }

    /// The per-base logits (B, P * bin, T) of the convolution's (B, P * bin, Cconv) output.
    private func baseLogits(_ p: Tensor) -> [Float] {
        let b = p.batch, n = baseLength, T = tasks, cc = convChannels
        var z = [Float](repeating: 0, count: b * n * T)
        p.data.withUnsafeBufferPointer { ps in
            for r in 0..<(b * n) {
                let row = ps.baseAddress! + r * cc
                for t in 0..<T { z[r * T + t] = value(row, t) }
            }
        }
        return z
    }

    /// (B, P * bin, T) per-base logits and the count layer's output -> (B, P * T + T).
    private func assemble(_ z: [Float], _ counts: Tensor, batch b: Int) -> Tensor {
        let P = profileLength, T = tasks, width = P * T + T, n = baseLength
        var y = Tensor(uninitializedShape: [b, width])
        for i in 0..<b {
            for q in 0..<P {
                for t in 0..<T {
                    if bin == 1 {
                        y.data[i * width + q * T + t] = z[(i * n + q) * T + t]
                    } else {
                        // log-sum-exp over the bin's bases.
                        var top = -Float.infinity
                        for r in 0..<bin { top = max(top, z[(i * n + q * bin + r) * T + t]) }
                        var sum: Float = 0
                        for r in 0..<bin { sum += expf(z[(i * n + q * bin + r) * T + t] - top) }
                        y.data[i * width + q * T + t] = top + logf(sum)
                    }
                }
            }
            counts.data.withUnsafeBufferPointer { cs in
                let row = cs.baseAddress! + i * (countsFollowPlan ? convChannels : T)
                for t in 0..<T { y.data[i * width + P * T + t] = countsFollowPlan ? value(row, t) : row[t] }
            }
        }
        return y
    }

    /// The per-base logits of the last forward pass (bins > 1 only), for the backward pass.
    private final class Cache { var z: [Float] = [] }

    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        let z = baseLogits(conv.forward(crop(x), training: training, workspace: workspace))
        if bin > 1 { workspace.cache(self, Cache.init).z = z }
        return assemble(z, dense.forward(mean(x), training: training, workspace: workspace), batch: x.batch)
    }

    public func infer(_ x: Tensor) -> Tensor {
        assemble(baseLogits(conv.infer(crop(x))), dense.infer(mean(x)), batch: x.batch)
    }

    public func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        let b = dy.shape[0], P = profileLength, T = tasks, width = P * T + T, c = channels, n = baseLength
        let cc = convChannels
        let z = bin > 1 ? workspace.cache(self, Cache.init).z : []
        var dp = Tensor(shape: [b, n, cc])       // (B, P * bin, Cconv)
        var dcount = Tensor(shape: countsFollowPlan ? [b, 1, cc] : [b, T])
        func spread(_ g: Float, _ t: Int, into out: inout [Float], at row: Int) {
            let (first, second) = plan[t]
            out[row + first] += g
            if let second { out[row + second] += g }
        }
        for i in 0..<b {
            for q in 0..<P {
                for t in 0..<T {
                    let g = dy.data[i * width + q * T + t]
                    if bin == 1 {
                        spread(g, t, into: &dp.data, at: (i * n + q) * cc)
                    } else {
                        // d logsumexp / d z_r = softmax_r over the bin.
                        var top = -Float.infinity
                        for r in 0..<bin { top = max(top, z[(i * n + q * bin + r) * T + t]) }
                        var sum: Float = 0
                        for r in 0..<bin { sum += expf(z[(i * n + q * bin + r) * T + t] - top) }
                        for r in 0..<bin {
                            let share = expf(z[(i * n + q * bin + r) * T + t] - top) / sum
                            spread(g * share, t, into: &dp.data, at: (i * n + q * bin + r) * cc)
                        }
                    }
                }
            }
            for t in 0..<T {
                let g = dy.data[i * width + P * T + t]
                if countsFollowPlan { spread(g, t, into: &dcount.data, at: i * cc) } else { dcount.data[i * T + t] = g }
            }
        }
        let dcrop = conv.backward(dp, workspace: workspace)      // (B, span, C)
        let dmean = dense.backward(dcount, workspace: workspace)  // (B, C) or (B, 1, C)
        var dx = Tensor(shape: [b, length, c])
        let span = n + kernel - 1, s = cropStart, scale = 1 / Float(length)
        for i in 0..<b {
            for l in 0..<length {
                for k in 0..<c { dx.data[(i * length + l) * c + k] = dmean.data[i * c + k] * scale }
            }
            for j in 0..<(span * c) { dx.data[(i * length + s) * c + j] += dcrop.data[i * span * c + j] }
        }
        return dx
    }
}
