/// A BPNet-style output head for count and profile regression: on a trunk's (L', C) feature
/// map it predicts, for each of T tasks, profile logits at the central P positions and one log
/// total count. Output (P * T + T) per item: the profile logits laid out (P, T), then the T log
/// counts.
///
/// - Profile: a valid convolution of width `kernel` over the central P + kernel - 1 positions
///   of the map (cropped symmetrically) gives (P, T) logits; a softmax over P is the predicted
///   shape of each task's profile.
/// - Counts: the mean of the map over all L' positions, then a dense layer (C -> T).
///
/// The crop is centred: (L' - P - kernel + 1) must be even.
///
/// In `rc` models (`tiedRC`, the map in Shrikumar's RC layout, C = 2F) the convolution is an
/// RC convolution of T filters whose channel t and its reverse complement 2T-1-t are summed,
/// and the dense layer is tied between channel c and 2F-1-c (a DenseAfterRevcompConv1D of
/// length 1). So the profile of rc(x) is the profile of x reversed and its counts are the
/// same, exactly, by construction (the tracks are unstranded).
public final class ProfileHead: Layer {
    public let length: Int
    public let channels: Int
    public let tasks: Int
    public let profileLength: Int
    public let kernel: Int
    public let tiedRC: Bool
    /// The profile convolution: (k, C) -> T, or T RC filters (2T channels) when tied.
    let conv: Conv1D
    /// The count layer on the (1, C) mean.
    let dense: Dense

    public var kind: String { tiedRC ? "RevCompProfileHead" : "ProfileHead" }
    public var parameters: [Parameter] { conv.parameters + dense.parameters }

    /// The first position of the cropped map the convolution reads.
    var cropStart: Int { (length - (profileLength + kernel - 1)) / 2 }

    /// A head on an (`length`, `channels`) map; throws when P + kernel - 1 does not fit in the
    /// map, or (tied) does not leave the same margin on both sides.
    public init(name: String, length: Int, channels: Int, tasks: Int, profileLength: Int, kernel: Int, tiedRC: Bool) throws {
        guard profileLength > 0, kernel > 0, tasks > 0 else { throw NetworkError.architecture("profilehead needs a profile length and kernel > 0") }
        let span = profileLength + kernel - 1
        guard span <= length else {
            throw NetworkError.architecture("profilehead: profile length \(profileLength) + kernel \(kernel) - 1 = \(span) exceeds the trunk's output length \(length)")
        }
        if tiedRC { guard channels % 2 == 0 else { throw NetworkError.architecture("an RC profile head needs an RC feature map") } }
        // A symmetric crop: the profile of rc(x), reversed, lines up with that of x (rc models
        // by construction; strand averaging of the others relies on it too).
        guard (length - span) % 2 == 0 else {
            throw NetworkError.architecture("profilehead: the trunk's output length \(length) minus profile length + kernel - 1 (\(span)) must be even, so the crop is symmetric")
        }
        self.length = length
        self.channels = channels
        self.tasks = tasks
        self.profileLength = profileLength
        self.kernel = kernel
        self.tiedRC = tiedRC
        if tiedRC {
            conv = RCConv1D(name: name + ".profile", kernelSize: kernel, inChannels: channels, filters: tasks)
            dense = DenseAfterRevcompConv1D(name: name + ".count", length: 1, channels: channels, outFeatures: tasks)
        } else {
            conv = Conv1D(name: name + ".profile", kernelSize: kernel, inChannels: channels, outChannels: tasks)
            dense = Dense(name: name + ".count", inFeatures: channels, outFeatures: tasks)
        }
    }

    /// Glorot-uniform kernels, zero biases.
    public func initialise(_ rng: inout NetRandom) {
        conv.initialise(&rng)
        dense.initialise(&rng)
    }

    public func outputShape(_ input: [Int]) throws -> [Int] {
        guard input == [length, channels] else { throw NetworkError.shape("\(kind) expects (\(length), \(channels)), got \(input)") }
        return [profileLength * tasks + tasks]
    }

    /// The central P + kernel - 1 positions of x (B, L', C).
    private func crop(_ x: Tensor) -> Tensor {
        let b = x.batch, span = profileLength + kernel - 1, c = channels, s = cropStart
        var out = Tensor(uninitializedShape: [b, span, c])
        for i in 0..<b {
            let src = (i * length + s) * c
            for j in 0..<(span * c) { out.data[i * span * c + j] = x.data[src + j] }
        }
        return out
    }

    /// The mean over positions of x (B, L', C), as (B, 1, C) for the tied dense layer or (B, C).
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

    /// (B, P, Cconv) convolution output and (B, T) counts -> (B, P * T + T).
    private func assemble(_ p: Tensor, _ counts: Tensor) -> Tensor {
        let b = p.batch, P = profileLength, T = tasks, width = P * T + T
        let cc = tiedRC ? 2 * T : T
        var y = Tensor(uninitializedShape: [b, width])
        for i in 0..<b {
            for q in 0..<P {
                for t in 0..<T {
                    let at = (i * P + q) * cc
                    // Tied: channel t plus its reverse complement 2T-1-t (unstranded profile).
                    y.data[i * width + q * T + t] = tiedRC ? p.data[at + t] + p.data[at + 2 * T - 1 - t] : p.data[at + t]
                }
            }
            for t in 0..<T { y.data[i * width + P * T + t] = counts.data[i * T + t] }
        }
        return y
    }

    public func forward(_ x: Tensor, training: Bool, workspace: PassWorkspace) -> Tensor {
        assemble(conv.forward(crop(x), training: training, workspace: workspace),
                 dense.forward(mean(x), training: training, workspace: workspace))
    }

    public func infer(_ x: Tensor) -> Tensor {
        assemble(conv.infer(crop(x)), dense.infer(mean(x)))
    }

    public func backward(_ dy: Tensor, workspace: PassWorkspace) -> Tensor {
        let b = dy.shape[0], P = profileLength, T = tasks, width = P * T + T, c = channels
        let cc = tiedRC ? 2 * T : T
        var dp = Tensor(shape: [b, P, cc])       // (B, P, Cconv)
        var dcount = Tensor(shape: [b, T])        // (B, T)
        for i in 0..<b {
            for q in 0..<P {
                for t in 0..<T {
                    let g = dy.data[i * width + q * T + t]
                    dp.data[(i * P + q) * cc + t] += g
                    if tiedRC { dp.data[(i * P + q) * cc + 2 * T - 1 - t] += g }
                }
            }
            for t in 0..<T { dcount.data[i * T + t] = dy.data[i * width + P * T + t] }
        }
        let dcrop = conv.backward(dp, workspace: workspace)      // (B, span, C)
        let dmean = dense.backward(dcount, workspace: workspace)  // (B, C) or (B, 1, C)
        var dx = Tensor(shape: [b, length, c])
        let span = P + kernel - 1, s = cropStart, scale = 1 / Float(length)
        for i in 0..<b {
            for l in 0..<length {
                for k in 0..<c { dx.data[(i * length + l) * c + k] = dmean.data[i * c + k] * scale }
            }
            for j in 0..<(span * c) { dx.data[(i * length + s) * c + j] += dcrop.data[i * span * c + j] }
        }
        return dx
    }
}
