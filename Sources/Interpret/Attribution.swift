import NeuralNet

/// Attribution methods.
public enum AttributionMethod: String, Sendable, CaseIterable {
    /// Gradient of the task's logit with respect to the one-hot input, times the input.
    case saliency
    /// In-silico mutagenesis: logit of each single-base mutant minus the logit of the sequence.
    case ism
    /// DeepLIFT's rescale rule averaged over references (DeepSHAP), with hypothetical
    /// contributions.
    case deepliftshap
    /// Integrated gradients from a baseline, with hypothetical contributions.
    case integratedGradients = "integrated-gradients"

    /// True for the methods that give hypothetical contributions (TF-MoDISco's input).
    public var hasHypothetical: Bool { self == .deepliftshap || self == .integratedGradients }
}

/// How ISM scores its mutants.
public enum ISMEngine: String, Sendable, CaseIterable {
    /// Only what each base change reaches is recomputed, on the reference's cached maps
    /// (NeuralNet's `IncrementalScorer`).
    case incremental
    /// Every mutant through the full batched forward pass (the reference implementation).
    case full
}

/// Per-base attribution maps of one task's logit. Not thread-safe: one per worker; the workers
/// may share one model (saliency writes only to the attributor's own pass workspace).
///
/// The model's prediction is what is explained: conjoined models average x and rc(x), and so do
/// standard models with `strandAverage`, whose maps are then the mean of the forward map and the
/// reverse strand's map mirrored back. rc models are explained on the forward strand (their
/// maps on rc(x) mirror those on x). The strand rule is NeuralNet's `StrandPolicy`.
public final class Attributor {
    public let model: Model
    public let task: Int
    /// The strand rule of the explained logit.
    public let strands: StrandPolicy
    /// True when the explained logit is the mean of both strands' logits.
    public var averageStrands: Bool { strands.combination == .average }
    /// How ISM scores its mutants.
    public let ismEngine: ISMEngine
    /// Mutants per model call in full-forward ISM.
    public static let batch = 128
    /// The incremental scorer (shared by the workers; built at the first ISM when not given)
    /// and this worker's workspace.
    private var scorer: IncrementalScorer?
    private var workspace: MutationWorkspace?
    /// This worker's saliency passes: input gradients only, so the model's parameters and
    /// gradients are never written and workers can share one model.
    private let passes = PassWorkspace(parameterGradients: false)

    /// `scorer`: an incremental scorer of `model` with the same strand rule to share between
    /// workers (nil: built here when ISM first needs it).
    public init(model: Model, task: Int, strandAverage: Bool, ismEngine: ISMEngine = .incremental, scorer: IncrementalScorer? = nil) {
        self.model = model
        self.task = task
        self.ismEngine = ismEngine
        strands = StrandPolicy(modelStrand: model.architecture.strand, requested: strandAverage ? .average : nil)
        self.scorer = scorer
    }

    /// (count, length, 4) maps of sequences given as codes (count x length).
    public func attribute(_ method: AttributionMethod, codes: [UInt8], count: Int, length: Int) -> [Float] {
        switch method {
        case .saliency: return saliency(codes: codes, count: count, length: length)
        case .ism: return ism(codes: codes, count: count, length: length)
        case .deepliftshap, .integratedGradients:
            return contributions(method, codes: codes, count: count, length: length, rows: Array(0..<count), settings: ContributionSettings())
                .flatMap(\.map)
        }
    }

    /// Contribution scores (`deepliftshap` or `integratedGradients`) of sequences given as codes
    /// (count x length), sequence i being row `rows[i]` of its input (which seeds its
    /// references). Integrated gradients run from each sequence's first reference.
    public func contributions(_ method: AttributionMethod, codes: [UInt8], count: Int, length: Int, rows: [Int],
                              settings: ContributionSettings) -> [Contributions] {
        (0..<count).map { i in
            let sequence = codes[(i * length)..<((i + 1) * length)]
            let references = settings.references.references(for: sequence, row: rows[i], seed: settings.seed)
            if method == .integratedGradients {
                return integratedGradients(codes: sequence, baseline: references[0], steps: settings.steps)
            }
            return deepLiftShap(codes: sequence, references: references)
        }
    }

    /// Gradient x input, (B, L, 4).
    public func saliency(codes: [UInt8], count: Int, length: Int) -> [Float] {
        let x = codes.withUnsafeBufferPointer { oneHot(codes: $0, batch: count, length: length) }   // (B, L, 4)
        var g = gradient(x)
        if averageStrands {
            let r = gradient(x.reverseComplemented()).reverseComplemented()
            for i in g.data.indices { g.data[i] = (g.data[i] + r.data[i]) / 2 }
        }
        for i in g.data.indices { g.data[i] *= x.data[i] }
        return g.data
    }

    /// d logit[task] / d x, (B, L, 4).
    private func gradient(_ x: Tensor) -> Tensor {
        let y = model.forward(x, training: false, workspace: passes)      // (B, T)
        var d = Tensor(shape: y.shape)
        let t = y.shape[1]
        for i in 0..<y.shape[0] { d.data[i * t + task] = 1 }
        return model.backward(d, workspace: passes)
    }

    /// The explained logits of one-hot input (B, L, 4): (B).
    public func logits(_ x: Tensor) -> [Float] {
        let t = model.architecture.outputs
        let f = model.inference(x)
        guard strands.needsReverse else { return (0..<x.shape[0]).map { f.data[$0 * t + task] } }
        let r = model.inference(x.reverseComplemented())
        return (0..<x.shape[0]).map { strands.combine(forward: f.data[$0 * t + task], reverse: r.data[$0 * t + task]) }
    }

    /// ISM, (B, L, 4): entry (p, b) is logit(x with base b at p) - logit(x); 0 at the base
    /// already there. Every other base at every position (4 at an N), scored by `ismEngine`.
    public func ism(codes: [UInt8], count: Int, length: Int) -> [Float] {
        if ismEngine == .incremental {
            if scorer == nil { scorer = try? IncrementalScorer(model: model, strands: strands.combination == .average ? .average : nil) }
            if let scorer, scorer.inputLength == length, scorer.policy == strands,
               let maps = try? incrementalISM(scorer, codes: codes, count: count, length: length) {
                return maps
            }
        }
        return fullForwardISM(codes: codes, count: count, length: length)
    }

    /// ISM on the reference's cached maps: each mutant recomputes only the rows its base reaches.
    private func incrementalISM(_ scorer: IncrementalScorer, codes: [UInt8], count: Int, length: Int) throws -> [Float] {
        let ws = workspace ?? scorer.makeWorkspace()
        workspace = ws
        let t = scorer.outputs
        var out = [Float](repeating: 0, count: count * length * 4)
        for item in 0..<count {
            let ref = Array(codes[(item * length)..<((item + 1) * length)])
            let base = try ws.prepare(reference: ref)[task]
            var mutants: [[Substitution]] = []
            mutants.reserveCapacity(3 * length)
            for p in 0..<length { for b in 0..<4 where b != Int(ref[p]) { mutants.append([Substitution(position: p, base: UInt8(b))]) } }
            let v = try ws.logits(mutants: mutants)   // (M, T)
            for (k, m) in mutants.enumerated() {
                out[(item * length + m[0].position) * 4 + Int(m[0].base)] = v[k * t + task] - base
            }
        }
        return out
    }

    /// ISM with every mutant through the full forward pass, in batches of `batch` (the
    /// reference scored with the first batch).
    public func fullForwardISM(codes: [UInt8], count: Int, length: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count * length * 4)
        for item in 0..<count {
            let ref = Array(codes[(item * length)..<((item + 1) * length)])
            // The reference, then every (position, other base) mutant.
            var mutants: [(p: Int, b: Int)] = []
            for p in 0..<length { for b in 0..<4 where b != Int(ref[p]) { mutants.append((p, b)) } }
            var base: Float = 0
            var done = -1
            while done < mutants.count {
                let lo = done, hi = min(mutants.count, done + Attributor.batch)
                var batch: [UInt8] = []
                batch.reserveCapacity((hi - lo) * length)
                for m in lo..<hi {
                    var s = ref
                    if m >= 0 { s[mutants[m].p] = UInt8(mutants[m].b) }
                    batch += s
                }
                let x = batch.withUnsafeBufferPointer { oneHot(codes: $0, batch: hi - lo, length: length) }
                let v = logits(x)
                for (k, m) in (lo..<hi).enumerated() {
                    if m < 0 { base = v[k] } else { out[(item * length + mutants[m].p) * 4 + mutants[m].b] = v[k] - base }
                }
                done = hi
            }
        }
        return out
    }

    /// One value per base from a map: the attribution of the base present (saliency and the
    /// contribution scores: the channel of the base; ISM: minus the mean effect of the
    /// mutations at that position).
    public static func perBase(_ map: [Float], codes: [UInt8], method: AttributionMethod) -> [Float] {
        (0..<codes.count).map { i in
            switch method {
            case .saliency, .deepliftshap, .integratedGradients:
                return map[i * 4] + map[i * 4 + 1] + map[i * 4 + 2] + map[i * 4 + 3]
            case .ism:
                let alternatives: Float = codes[i] < 4 ? 3 : 4
                return -(map[i * 4] + map[i * 4 + 1] + map[i * 4 + 2] + map[i * 4 + 3]) / alternatives
            }
        }
    }
}
