import Foundation

/// Rows of a dataset as the network sees them: base codes and 0/1 labels per row.
public struct LabelledRows {
    /// Sequence length.
    public let length: Int
    /// Number of tasks.
    public let tasks: Int
    /// Row numbers in the backing store.
    public let rows: [Int]
    /// The base codes (0-4) of a row.
    public let sequence: (Int) -> UnsafeBufferPointer<UInt8>
    /// The labels of a row.
    public let labels: (Int) -> UnsafeBufferPointer<UInt8>

    public init(length: Int, tasks: Int, rows: [Int], sequence: @escaping (Int) -> UnsafeBufferPointer<UInt8>,
                labels: @escaping (Int) -> UnsafeBufferPointer<UInt8>) {
        self.length = length
        self.tasks = tasks
        self.rows = rows
        self.sequence = sequence
        self.labels = labels
    }

    /// One-hot inputs (B, L, 4) and labels (B * T) of `rows[range]` in the given order,
    /// reverse-complementing the rows whose `flip` is true.
    /// One-hot sequences (B, L, 4) and labels (B x T) of rows `order`, reverse-complemented where `flip` says.
    public func batch(_ order: ArraySlice<Int>, flip: [Bool]? = nil) -> (Tensor, [Float]) {
        var codes = [UInt8](repeating: 4, count: order.count * length)
        var y = [Float](repeating: 0, count: order.count * tasks)
        for (k, r) in order.enumerated() {
            let s = sequence(r)
            if flip?[k] == true {
                for j in 0..<length { let c = s[length - 1 - j]; codes[k * length + j] = c < 4 ? 3 - c : 4 }
            } else {
                for j in 0..<length { codes[k * length + j] = s[j] }
            }
            let l = labels(r)
            for t in 0..<tasks { y[k * tasks + t] = Float(l[t]) }
        }
        let x = codes.withUnsafeBufferPointer { oneHot(codes: $0, batch: order.count, length: length) }
        return (x, y)
    }
}

/// Options of a training run.
public struct TrainingOptions: Sendable {
    public var epochs = 50
    public var batchSize = 100
    public var learningRate: Float = 1e-3
    /// Stop after this many epochs without a better validation auPRC.
    public var patience = 10
    /// Multiply the learning rate by `lrFactor` after this many epochs without improvement.
    public var lrPatience = 5
    public var lrFactor: Float = 0.2
    public var minLearningRate: Float = 1e-7
    /// Random reverse complement of each training sequence with probability 1/2.
    public var rcAugment = false
    public var l2: Float = 0
    public var weightDecay: Float = 0
    public var clipNorm: Float?
    public var seed: UInt64 = 1
    public var taskWeights: [Float]?

    public init() {}
}

/// One epoch's record (a line of metrics.tsv).
public struct EpochRecord: Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var validLoss: Double
    public var validAuROC: Double
    public var validAuPRC: Double
    public var learningRate: Float
    public var seconds: Double

    public init(epoch: Int, trainLoss: Double, validLoss: Double, validAuROC: Double, validAuPRC: Double, learningRate: Float, seconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.validLoss = validLoss
        self.validAuROC = validAuROC
        self.validAuPRC = validAuPRC
        self.learningRate = learningRate
        self.seconds = seconds
    }

    /// The metrics.tsv header.
    public static let header = "epoch\ttrain_loss\tvalid_loss\tvalid_auroc\tvalid_auprc\tlearning_rate\tseconds"

    /// The metrics.tsv line.
    public var line: String {
        String(format: "%d\t%.6f\t%.6f\t%.6f\t%.6f\t%.3g\t%.2f", epoch, trainLoss, validLoss, validAuROC, validAuPRC, learningRate, seconds)
    }
}

/// Evaluation of a model on rows: loss, per-task auROC/auPRC and the strand discrepancy.
public struct Evaluation: Sendable {
    public var loss: Double
    public var auROC: [Double?]
    public var auPRC: [Double?]
    /// Mean and max |p(x) - p(rc x)| over rows and tasks (probabilities).
    public var meanRCDifference: Double
    public var maxRCDifference: Double

    /// Mean over the tasks where a value exists.
    public static func mean(_ values: [Double?]) -> Double {
        let v = values.compactMap { $0 }
        return v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
    }
}

/// Evaluates `model` on `data` in batches of `batchSize`; with `strands`, also predicts the
/// reverse complements for the discrepancy.
public func evaluate(_ model: Model, on data: LabelledRows, batchSize: Int = 256, strands: Bool = true) -> Evaluation {
    let t = data.tasks
    var scores = Array(repeating: [Float](), count: t), truth = Array(repeating: [Bool](), count: t)
    var loss = 0.0, meanDiff = 0.0, maxDiff = 0.0
    let bce = BinaryCrossEntropy()
    for start in stride(from: 0, to: data.rows.count, by: batchSize) {
        let order = data.rows[start..<min(start + batchSize, data.rows.count)]
        let (x, y) = data.batch(order)
        let logits = model.predict(x)
        loss += Double(bce(logits: logits, labels: y).loss) * Double(order.count)
        for i in 0..<order.count { for k in 0..<t { scores[k].append(logits.data[i * t + k]); truth[k].append(y[i * t + k] > 0.5) } }
        if strands {
            let rc = model.predict(x.reverseComplemented())
            for i in rc.data.indices {
                let d = abs(Double(sigmoid(logits.data[i]) - sigmoid(rc.data[i])))
                meanDiff += d
                maxDiff = max(maxDiff, d)
            }
        }
    }
    let n = max(data.rows.count, 1)
    return Evaluation(loss: loss / Double(n), auROC: (0..<t).map { auROC(scores: scores[$0], labels: truth[$0]) },
                      auPRC: (0..<t).map { auPRC(scores: scores[$0], labels: truth[$0]) },
                      meanRCDifference: meanDiff / Double(n * t), maxRCDifference: maxDiff)
}

@inline(__always) func sigmoid(_ z: Float) -> Float { 1 / (1 + Foundation.exp(-z)) }

/// The state a checkpoint restores.
public struct TrainingState: Codable, Sendable {
    public var epoch = 0
    public var step = 0
    public var bestAuPRC = -Double.infinity
    public var bestEpoch = 0
    public var sinceBest = 0
    public var sinceLRChange = 0
    public var learningRate: Float = 1e-3
    public var stopped = false
}

/// Trains a model with Adam on binary cross-entropy, one epoch at a time, with early stopping
/// on validation auPRC, learning-rate reduction on plateau, and the best weights kept.
public final class Trainer {
    public let model: Model
    public let options: TrainingOptions
    public let optimizer: Adam
    public var state = TrainingState()
    /// The caches of the training passes (the model's layers keep none).
    public let workspace = PassWorkspace()
    /// The weights of the best epoch so far: a copy of the model's arena of values.
    public var bestWeights: [Float]

    public init(model: Model, options: TrainingOptions) {
        self.model = model
        self.options = options
        optimizer = Adam(learningRate: options.learningRate, l2: options.l2, weightDecay: options.weightDecay, clipNorm: options.clipNorm)
        state.learningRate = options.learningRate
        bestWeights = Array(model.arena.values)
    }

    /// Runs one epoch over `train` and evaluates on `valid`; `progress` receives batches done.
    public func epoch(train: LabelledRows, valid: LabelledRows, progress: (Int, Int) -> Void = { _, _ in }) -> EpochRecord {
        let start = Date()
        let e = state.epoch + 1
        // Per-epoch generators from the seed: a resumed run repeats the same order and masks.
        var rng = NetRandom(seed: options.seed &+ UInt64(e) &* 0x9E37)
        var order = train.rows
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        model.reseedDropout(options.seed &+ UInt64(e) &* 31)
        let augment = options.rcAugment || model.architecture.strand == .conjoined
        let bce = BinaryCrossEntropy(taskWeights: options.taskWeights)
        optimizer.learningRate = state.learningRate
        var total = 0.0
        let batches = (order.count + options.batchSize - 1) / options.batchSize
        for b in 0..<batches {
            let slice = order[(b * options.batchSize)..<min((b + 1) * options.batchSize, order.count)]
            let flips = augment ? slice.map { _ in rng.next() & 1 == 1 } : nil
            let (x, y) = train.batch(slice, flip: flips)
            model.zeroGradients()
            let logits = model.forward(x, training: true, workspace: workspace)
            let (loss, grad) = bce(logits: logits, labels: y)
            model.backward(grad, workspace: workspace)
            optimizer.update(model.parameters)
            total += Double(loss) * Double(slice.count)
            state.step += 1
            progress(b + 1, batches)
        }
        let v = evaluate(model, on: valid, strands: false)
        let record = EpochRecord(epoch: e, trainLoss: total / Double(max(order.count, 1)), validLoss: v.loss,
                                 validAuROC: Evaluation.mean(v.auROC), validAuPRC: Evaluation.mean(v.auPRC),
                                 learningRate: state.learningRate, seconds: Date().timeIntervalSince(start))
        state.epoch = e
        let score = record.validAuPRC.isNaN ? -record.validLoss : record.validAuPRC
        if score > state.bestAuPRC {
            state.bestAuPRC = score
            state.bestEpoch = e
            state.sinceBest = 0
            state.sinceLRChange = 0
            bestWeights = Array(model.arena.values)
        } else {
            state.sinceBest += 1
            state.sinceLRChange += 1
            if state.sinceLRChange >= options.lrPatience {
                state.learningRate = max(state.learningRate * options.lrFactor, options.minLearningRate)
                state.sinceLRChange = 0
            }
            if state.sinceBest >= options.patience { state.stopped = true }
        }
        if state.epoch >= options.epochs { state.stopped = true }
        return record
    }

    /// Loads the best weights into the model (one copy into its arena).
    public func restoreBest() {
        for i in 0..<min(bestWeights.count, model.arena.count) { model.arena.values[i] = bestWeights[i] }
    }

    /// The range of each parameter in the model's arena, in `model.parameters` order.
    private var ranges: [(parameter: Parameter, range: Range<Int>)] {
        model.parameters.map { ($0, $0.offset..<($0.offset + $0.count)) }
    }

    /// Tensors of a checkpoint beyond the model's own: optimiser moments and best weights.
    public func checkpointTensors() -> [(name: String, shape: [Int], values: [Float])] {
        var out: [(name: String, shape: [Int], values: [Float])] = []
        // The moments are the trainable parameters' values one after another.
        var at = 0
        for p in model.parameters where p.trainable && at + p.count <= optimizer.m.count {
            out.append(("optimizer.m." + p.name, [p.count], Array(optimizer.m[at..<(at + p.count)])))
            out.append(("optimizer.v." + p.name, [p.count], Array(optimizer.v[at..<(at + p.count)])))
            at += p.count
        }
        for (p, r) in ranges where r.upperBound <= bestWeights.count {
            out.append(("best." + p.name, [p.count], Array(bestWeights[r])))
        }
        return out
    }

    /// Restores a checkpoint's state from its tensors and `state` metadata.
    public func restore(contents: Safetensors.Contents, source: String) throws {
        guard let json = contents.metadata["training_state"], let s = try? JSONDecoder().decode(TrainingState.self, from: Data(json.utf8)) else {
            throw NetworkError.file(path: source, detail: "not a crick checkpoint (no training_state)")
        }
        state = s
        let trainable = model.parameters.filter(\.trainable)
        var m: [Float] = [], v: [Float] = []
        for p in trainable {
            guard let a = contents.tensors["optimizer.m." + p.name], let b = contents.tensors["optimizer.v." + p.name] else {
                if s.step == 0 { m = []; v = []; break }
                throw NetworkError.file(path: source, detail: "checkpoint lacks optimiser state for \(p.name)")
            }
            guard a.values.count == p.count, b.values.count == p.count else {
                throw NetworkError.file(path: source, detail: "checkpoint optimiser state for \(p.name) has the wrong size")
            }
            m += a.values
            v += b.values
        }
        optimizer.restore(step: s.step, m: m, v: v)
        var best = [Float](repeating: 0, count: model.arena.count)
        for (p, r) in ranges {
            guard let t = contents.tensors["best." + p.name] else { throw NetworkError.file(path: source, detail: "checkpoint lacks best.\(p.name)") }
            guard t.values.count == p.count else {
                throw NetworkError.file(path: source, detail: "checkpoint tensor best.\(p.name) has the wrong size")
            }
            best.replaceSubrange(r, with: t.values)
        }
        bestWeights = best
    }
}
