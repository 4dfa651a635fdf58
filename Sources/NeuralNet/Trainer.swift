import Foundation

/// Rows of a dataset as the network sees them: base codes and 0/1 labels per row, and for
/// regression the row's targets (T counts) or profiles ((T, P) counts). A row may be stored
/// wider than the window (`jitter` extra bases, and profile positions, on each side): a batch
/// takes the window at the centre, or shifted by up to `jitter` for training.
public struct LabelledRows {
    /// Sequence length (the window the network sees).
    public let length: Int
    /// Number of tasks.
    public let tasks: Int
    /// Row numbers in the backing store.
    public let rows: [Int]
    /// Extra stored bases on each side of the window (0: rows are `length` wide).
    public let jitter: Int
    /// The base codes (0-4) of a row: `length + 2 * jitter` of them.
    public let sequence: (Int) -> UnsafeBufferPointer<UInt8>
    /// The labels of a row.
    public let labels: (Int) -> UnsafeBufferPointer<UInt8>
    /// What `batch` gives as targets.
    public var objective = Objective.binary
    /// The T count targets of a row (mse and poisson objectives).
    public var targets: ((Int) -> UnsafeBufferPointer<Float>)?
    /// The observed profiles of a row, (T, profileLength + 2 * jitter) (profile objective).
    public var profiles: ((Int) -> UnsafeBufferPointer<Float>)?
    /// Profile positions a model predicts.
    public var profileLength = 0
    /// For stranded signals, the task holding each task's other strand (nil: all unstranded).
    /// A reverse-complemented row takes its plus strand's targets from the minus strand, and
    /// the other way round.
    public var partner: [Int]?

    public init(length: Int, tasks: Int, rows: [Int], jitter: Int = 0, sequence: @escaping (Int) -> UnsafeBufferPointer<UInt8>,
                labels: @escaping (Int) -> UnsafeBufferPointer<UInt8>) {
        self.length = length
        self.tasks = tasks
        self.rows = rows
        self.jitter = jitter
        self.sequence = sequence
        self.labels = labels
    }

    /// The same rows with another row selection.
    public func selecting(_ rows: [Int]) -> LabelledRows {
        var r = LabelledRows(length: length, tasks: tasks, rows: rows, jitter: jitter, sequence: sequence, labels: labels)
        r.objective = objective
        r.targets = targets
        r.profiles = profiles
        r.profileLength = profileLength
        r.partner = partner
        return r
    }

    /// Target values per item: T, or P * T + T for profiles.
    public var targetWidth: Int { objective == .profile ? (profileLength + 1) * tasks : tasks }

    /// The base codes of a row's window (the centre `length` of its stored row).
    public func window(_ r: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: sequence(r)[jitter..<(jitter + length)])
    }

    /// One-hot sequences (B, L, 4) and targets (B x `targetWidth`) of rows `order`: each the
    /// window at the centre of its stored row, moved by `shift` bases (each in -jitter...jitter)
    /// when given, and reverse-complemented where `flip` says. Targets are the labels (binary),
    /// the counts (mse, poisson), or the profile laid out (P, T), reversed with the sequence,
    /// followed by log(1 + total) per task (profile).
    public func batch(_ order: ArraySlice<Int>, flip: [Bool]? = nil, shift: [Int]? = nil) -> (Tensor, [Float]) {
        var codes = [UInt8](repeating: 4, count: order.count * length)
        let width = targetWidth
        var y = [Float](repeating: 0, count: order.count * width)
        let P = profileLength, stored = P + 2 * jitter
        for (k, r) in order.enumerated() {
            let s = sequence(r)
            let at = jitter + (shift?[k] ?? 0)  // the window is s[at ..< at + length]
            let flipped = flip?[k] == true
            if flipped {
                for j in 0..<length { let c = s[at + length - 1 - j]; codes[k * length + j] = c < 4 ? 3 - c : 4 }
            } else {
                for j in 0..<length { codes[k * length + j] = s[at + j] }
            }
            switch objective {
            case .binary:
                let l = labels(r)
                for t in 0..<tasks { y[k * width + t] = Float(l[t]) }
            case .mse, .poisson:
                if let targets {
                    let v = targets(r)
                    for t in 0..<tasks { y[k * width + t] = v[flipped ? partner?[t] ?? t : t] }
                }
            case .profile:
                guard let profiles else { break }
                let v = profiles(r)  // (T, stored)
                for t in 0..<tasks {
                    // rc(x)'s plus strand is x's minus strand, reversed.
                    let source = flipped ? partner?[t] ?? t : t
                    var total: Float = 0
                    for q in 0..<P {
                        let value = v[source * stored + at + (flipped ? P - 1 - q : q)]
                        y[k * width + q * tasks + t] = value
                        total += value
                    }
                    y[k * width + P * tasks + t] = log1p(total)
                }
            }
        }
        let x = codes.withUnsafeBufferPointer { oneHot(codes: $0, batch: order.count, length: length) }
        return (x, y)
    }
}

/// A validation metric that training watches: to keep the best weights, to stop early, to
/// lower the learning rate.
public enum TrainingMonitor: String, Sendable, CaseIterable, Codable {
    /// Validation loss (lower is better).
    case loss
    /// Mean validation auROC over tasks.
    case auroc
    /// Mean validation auPRC over tasks.
    case auprc
    /// Mean validation Pearson correlation of log counts over tasks (regression).
    case pearson
    /// Mean validation Spearman correlation of counts over tasks (regression).
    case spearman
    /// Mean validation median Jensen-Shannon distance of profiles (lower is better).
    case jsd

    /// Whether lower values are better.
    public var lowerIsBetter: Bool { self == .loss || self == .jsd }

    /// The monitors that apply to an objective.
    public static func available(for objective: Objective) -> [TrainingMonitor] {
        switch objective {
        case .binary: return [.loss, .auroc, .auprc]
        case .mse, .poisson: return [.loss, .pearson, .spearman]
        case .profile: return [.loss, .pearson, .spearman, .jsd]
        }
    }

    /// The epoch's score on this metric, oriented so that higher is better (the loss and the
    /// distance are negated). A NaN or missing metric (a task with one class, a constant
    /// prediction) falls back to the negated loss.
    public func score(_ r: EpochRecord) -> Double {
        if self == .loss { return -r.validLoss }
        let v = r.metric(rawValue)
        guard !v.isNaN else { return -r.validLoss }
        return lowerIsBetter ? -v : v
    }

    /// The value as reported: the loss or distance itself, not its negation.
    public func reported(_ score: Double) -> Double { lowerIsBetter ? -score : score }
}

/// Reverse-complement augmentation of the training sequences.
public enum RCAugmentation: String, Sendable, CaseIterable, Codable {
    /// None: every sequence as it is.
    case none
    /// Each sequence reverse-complemented with probability 1/2, drawn anew every epoch.
    case random
    /// Every sequence and its reverse complement in every epoch (Zhou et al.'s AugWithin):
    /// an epoch has twice the rows, shuffled together.
    case both
}

/// Which weights a finished run keeps in model.safetensors.
public enum FinalWeights: String, Sendable, CaseIterable, Codable {
    /// The epoch with the best `monitor` score.
    case best
    /// The last epoch's (Koo & Ploenzke analyse the weights training stopped with).
    case last
}

/// Options of a training run.
public struct TrainingOptions: Sendable {
    public var epochs = 50
    public var batchSize = 100
    public var learningRate: Float = 1e-3
    /// The metric whose best epoch gives the kept weights.
    public var monitor = TrainingMonitor.auprc
    /// The metric early stopping and the learning-rate schedule watch (nil: `monitor`).
    public var stopMonitor: TrainingMonitor?
    /// Stop after this many epochs without a better `stopMonitor` score.
    public var patience = 10
    /// Multiply the learning rate by `lrFactor` after this many epochs without improvement
    /// (nil: a constant learning rate).
    public var lrPatience: Int? = 5
    public var lrFactor: Float = 0.2
    public var minLearningRate: Float = 1e-7
    /// Reverse-complement augmentation (conjoined models always take at least `random`).
    public var rcAugment = RCAugmentation.none
    /// The weights written when training ends.
    public var finalWeights = FinalWeights.best
    public var l2: Float = 0
    public var weightDecay: Float = 0
    public var clipNorm: Float?
    /// Batch-norm running statistics debiased from their start (see `BatchNorm.debiasStep`)
    /// instead of a plain moving average from mean 0, variance 1.
    public var debiasedBatchNorm = false
    public var seed: UInt64 = 1
    public var taskWeights: [Float]?
    /// Weight of the log-count term of the profile loss (`--count-weight`).
    public var countWeight: Float = 1

    public init() {}

    /// The metric of early stopping and the learning-rate schedule.
    public var stoppingMonitor: TrainingMonitor { stopMonitor ?? monitor }
}

/// One epoch's record (a line of metrics.tsv).
public struct EpochRecord: Sendable {
    public var epoch: Int
    public var trainLoss: Double
    public var validLoss: Double
    /// The names of the validation metrics (`metricNames(for:)`) and their values.
    public var metricNames: [String]
    public var metrics: [Double]
    public var learningRate: Float
    public var seconds: Double
    /// Optimiser steps taken from the start of training to the end of this epoch.
    public var step: Int

    public init(epoch: Int, trainLoss: Double, validLoss: Double, metricNames: [String], metrics: [Double], learningRate: Float, seconds: Double, step: Int) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.validLoss = validLoss
        self.metricNames = metricNames
        self.metrics = metrics
        self.learningRate = learningRate
        self.seconds = seconds
        self.step = step
    }

    /// A binary model's record: validation auROC and auPRC.
    public init(epoch: Int, trainLoss: Double, validLoss: Double, validAuROC: Double, validAuPRC: Double, learningRate: Float, seconds: Double, step: Int) {
        self.init(epoch: epoch, trainLoss: trainLoss, validLoss: validLoss, metricNames: EpochRecord.metricNames(for: .binary),
                  metrics: [validAuROC, validAuPRC], learningRate: learningRate, seconds: seconds, step: step)
    }

    /// The validation metrics recorded for an objective, in column order.
    public static func metricNames(for objective: Objective) -> [String] {
        switch objective {
        case .binary: return ["auroc", "auprc"]
        case .mse, .poisson: return ["pearson", "spearman", "mse"]
        case .profile: return ["pearson", "spearman", "mse", "jsd", "profile_pearson"]
        }
    }

    /// A metric by name (NaN when not recorded).
    public func metric(_ name: String) -> Double {
        metricNames.firstIndex(of: name).map { metrics[$0] } ?? .nan
    }

    public var validAuROC: Double { metric("auroc") }
    public var validAuPRC: Double { metric("auprc") }

    /// The metrics.tsv header of a binary model.
    public static let header = header(for: .binary)

    /// The metrics.tsv header for an objective.
    public static func header(for objective: Objective) -> String {
        (["epoch", "train_loss", "valid_loss"] + metricNames(for: objective).map { "valid_" + $0 } + ["learning_rate", "seconds", "step"])
            .joined(separator: "\t")
    }

    /// The metrics.tsv line.
    public var line: String {
        String(format: "%d\t%.6f\t%.6f\t", epoch, trainLoss, validLoss) + metrics.map { String(format: "%.6f", $0) }.joined(separator: "\t")
            + String(format: "\t%.3g\t%.2f\t%d", learningRate, seconds, step)
    }
}

/// Evaluation of a model on rows: loss, per-task auROC/auPRC (binary) or regression metrics,
/// and the strand discrepancy.
public struct Evaluation: Sendable {
    public var loss: Double
    public var auROC: [Double?]
    public var auPRC: [Double?]
    /// Regression models: per-task metrics (empty for binary models).
    public var regression: [RegressionMetrics] = []
    /// Mean and max |f(x) - f(rc x)| over rows and outputs: probabilities of binary models,
    /// outputs of regression models (a profile of rc(x) reversed back first).
    public var meanRCDifference: Double
    public var maxRCDifference: Double

    /// Mean over the tasks where a value exists.
    public static func mean(_ values: [Double?]) -> Double {
        let v = values.compactMap { $0 }
        return v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count)
    }

    /// The mean over tasks of each metric `EpochRecord.metricNames(for:)` lists.
    public func metrics(for objective: Objective) -> [Double] {
        switch objective {
        case .binary: return [Evaluation.mean(auROC), Evaluation.mean(auPRC)]
        case .mse, .poisson:
            return [Evaluation.mean(regression.map(\.pearson)), Evaluation.mean(regression.map(\.spearman)), Evaluation.mean(regression.map(\.mse))]
        case .profile:
            return [Evaluation.mean(regression.map(\.pearson)), Evaluation.mean(regression.map(\.spearman)), Evaluation.mean(regression.map(\.mse)),
                    Evaluation.mean(regression.map(\.medianJSD)), Evaluation.mean(regression.map(\.medianProfilePearson))]
        }
    }
}

/// Evaluates `model` on `data` in batches of `batchSize`, combining the strands of a standard
/// model as `combination` says (nil: the forward strand; `.average` is Zhou et al.'s post-hoc
/// conjoined model); with `strands`, also predicts the reverse complements for the discrepancy.
/// The loss is the model's objective (`data.objective` gives the targets).
public func evaluate(_ model: Model, on data: LabelledRows, batchSize: Int = 256, strands: Bool = true,
                     combination: StrandPolicy.Combination? = nil, countWeight: Float = 1) -> Evaluation {
    let t = data.tasks
    let objective = data.objective
    let P = data.profileLength
    var scores = Array(repeating: [Float](), count: t), truth = Array(repeating: [Bool](), count: t)
    var predicted = Array(repeating: [Double](), count: t), observed = predicted
    // Per window and task: JSD and Pearson of the profile (the profiles themselves are not kept).
    var profiles = Array(repeating: [(jsd: Double?, pearson: Double?)](), count: t)
    var loss = 0.0, meanDiff = 0.0, maxDiff = 0.0
    let lossFunction = ObjectiveLoss(objective: objective, countWeight: countWeight, profileLength: P)
    let width = data.targetWidth
    for start in stride(from: 0, to: data.rows.count, by: batchSize) {
        let order = data.rows[start..<min(start + batchSize, data.rows.count)]
        let (x, y) = data.batch(order)
        let out = model.predict(x, strands: combination)  // (B, width)
        loss += Double(lossFunction(outputs: out, targets: y).loss) * Double(order.count)
        for i in 0..<order.count {
            let row = i * width
            switch objective {
            case .binary:
                for k in 0..<t { scores[k].append(out.data[row + k]); truth[k].append(y[row + k] > 0.5) }
            case .mse:
                for k in 0..<t { predicted[k].append(Double(out.data[row + k])); observed[k].append(Double(y[row + k])) }
            case .poisson:
                // Log counts: log(1 + predicted rate) against log(1 + count).
                for k in 0..<t {
                    predicted[k].append(Foundation.log1p(Foundation.exp(Double(out.data[row + k]))))
                    observed[k].append(Foundation.log1p(Double(y[row + k])))
                }
            case .profile:
                for k in 0..<t {
                    predicted[k].append(Double(out.data[row + P * t + k]))
                    observed[k].append(Double(y[row + P * t + k]))
                    var logits = (0..<P).map { Double(out.data[row + $0 * t + k]) }
                    let top = logits.max() ?? 0
                    var sum = 0.0
                    for q in 0..<P { logits[q] = Foundation.exp(logits[q] - top); sum += logits[q] }
                    let probabilities = logits.map { $0 / sum }, counts = (0..<P).map { Double(y[row + $0 * t + k]) }
                    profiles[k].append((jensenShannonDistance(probabilities, counts), pearson(probabilities, counts)))
                }
            }
        }
        if strands {
            let rc = model.predict(x.reverseComplemented(), strands: combination, alignReverse: true)
            for i in rc.data.indices {
                let d = objective == .binary ? abs(Double(sigmoid(out.data[i]) - sigmoid(rc.data[i]))) : abs(Double(out.data[i] - rc.data[i]))
                meanDiff += d
                maxDiff = max(maxDiff, d)
            }
        }
    }
    let n = max(data.rows.count, 1)
    var result = Evaluation(loss: loss / Double(n), auROC: [], auPRC: [], meanRCDifference: meanDiff / Double(n * width), maxRCDifference: maxDiff)
    if objective == .binary {
        result.auROC = (0..<t).map { auROC(scores: scores[$0], labels: truth[$0]) }
        result.auPRC = (0..<t).map { auPRC(scores: scores[$0], labels: truth[$0]) }
    } else {
        result.auROC = Array(repeating: nil, count: t)
        result.auPRC = result.auROC
        result.regression = (0..<t).map { RegressionMetrics(predicted: predicted[$0], observed: observed[$0], profiles: profiles[$0]) }
    }
    return result
}

@inline(__always) func sigmoid(_ z: Float) -> Float { 1 / (1 + Foundation.exp(-z)) }

/// The state a checkpoint restores.
public struct TrainingState: Codable, Sendable {
    public var epoch = 0
    public var step = 0
    /// The best score of the checkpoint monitor so far (higher is better; see
    /// `TrainingMonitor.score`) and its epoch.
    public var bestScore = -Double.infinity
    public var bestEpoch = 0
    /// The best score of the stopping monitor so far, and the epochs since it improved.
    public var stopScore = -Double.infinity
    public var sinceImprovement = 0
    public var sinceLRChange = 0
    public var learningRate: Float = 1e-3
    public var stopped = false
    /// The monitors the scores belong to (raw values; checkpoints written before the
    /// monitors could be chosen have auprc for both).
    public var monitor = TrainingMonitor.auprc.rawValue
    public var stopMonitor = TrainingMonitor.auprc.rawValue

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case epoch, step, bestScore, bestEpoch, stopScore, sinceImprovement, sinceLRChange, learningRate, stopped, monitor, stopMonitor
        // The names of checkpoints written before the monitors could be chosen (auPRC for both).
        case bestAuPRC, sinceBest
    }

    /// Reads the state; checkpoints of earlier crick versions (`bestAuPRC`, `sinceBest`) load too.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        epoch = try c.decode(Int.self, forKey: .epoch)
        step = try c.decode(Int.self, forKey: .step)
        bestScore = try c.decodeIfPresent(Double.self, forKey: .bestScore) ?? c.decode(Double.self, forKey: .bestAuPRC)
        bestEpoch = try c.decode(Int.self, forKey: .bestEpoch)
        stopScore = try c.decodeIfPresent(Double.self, forKey: .stopScore) ?? bestScore
        sinceImprovement = try c.decodeIfPresent(Int.self, forKey: .sinceImprovement) ?? c.decode(Int.self, forKey: .sinceBest)
        sinceLRChange = try c.decode(Int.self, forKey: .sinceLRChange)
        learningRate = try c.decode(Float.self, forKey: .learningRate)
        stopped = try c.decode(Bool.self, forKey: .stopped)
        monitor = try c.decodeIfPresent(String.self, forKey: .monitor) ?? TrainingMonitor.auprc.rawValue
        stopMonitor = try c.decodeIfPresent(String.self, forKey: .stopMonitor) ?? TrainingMonitor.auprc.rawValue
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(step, forKey: .step)
        try c.encode(bestScore, forKey: .bestScore)
        try c.encode(bestEpoch, forKey: .bestEpoch)
        try c.encode(stopScore, forKey: .stopScore)
        try c.encode(sinceImprovement, forKey: .sinceImprovement)
        try c.encode(sinceLRChange, forKey: .sinceLRChange)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(stopped, forKey: .stopped)
        try c.encode(monitor, forKey: .monitor)
        try c.encode(stopMonitor, forKey: .stopMonitor)
    }
}

/// Trains a model with Adam on binary cross-entropy, one epoch at a time: the weights of the
/// best epoch on the checkpoint monitor are kept; early stopping and learning-rate reduction
/// on plateau watch the stopping monitor.
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
        state.monitor = options.monitor.rawValue
        state.stopMonitor = options.stoppingMonitor.rawValue
        bestWeights = Array(model.arena.values)
    }

    /// Runs one epoch over `train` and evaluates on `valid`; `progress` receives batches done.
    public func epoch(train: LabelledRows, valid: LabelledRows, progress: (Int, Int) -> Void = { _, _ in }) -> EpochRecord {
        let start = Date()
        let e = state.epoch + 1
        // Per-epoch generators from the seed: a resumed run repeats the same order and masks.
        var rng = NetRandom(seed: options.seed &+ UInt64(e) &* 0x9E37)
        var augment = options.rcAugment
        if augment == .none && model.architecture.strand == .conjoined { augment = .random }
        // The epoch's rows: (row, reverse-complemented), shuffled; `both` holds every row twice.
        var order: [(row: Int, flip: Bool)] = augment == .both
            ? train.rows.flatMap { [($0, false), ($0, true)] } : train.rows.map { ($0, false) }
        for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
        model.reseedDropout(options.seed &+ UInt64(e) &* 31)
        let lossFunction = ObjectiveLoss(objective: train.objective, taskWeights: options.taskWeights,
                                         countWeight: options.countWeight, profileLength: train.profileLength)
        optimizer.learningRate = state.learningRate
        var total = 0.0
        let batches = (order.count + options.batchSize - 1) / options.batchSize
        for b in 0..<batches {
            let slice = order[(b * options.batchSize)..<min((b + 1) * options.batchSize, order.count)]
            let flips: [Bool]? = switch augment {
            case .none: nil
            case .random: slice.map { _ in rng.next() & 1 == 1 }
            case .both: slice.map(\.flip)
            }
            // A shift per row in -jitter...jitter (drawn only when the rows are stored wider).
            let shifts: [Int]? = train.jitter > 0 ? slice.map { _ in Int(rng.next() % UInt64(2 * train.jitter + 1)) - train.jitter } : nil
            let (x, y) = train.batch(ArraySlice(slice.map(\.row)), flip: flips, shift: shifts)  // x (B, L, 4), y (B * width)
            model.zeroGradients()
            if options.debiasedBatchNorm {
                for case let bn as BatchNorm in model.layers { bn.debiasStep = state.step + 1 }
            }
            let logits = model.forward(x, training: true, workspace: workspace)
            let (loss, grad) = lossFunction(outputs: logits, targets: y)
            model.trainingBackward(grad, workspace: workspace)
            optimizer.update(model.parameters)
            total += Double(loss) * Double(slice.count)
            state.step += 1
            progress(b + 1, batches)
        }
        let v = evaluate(model, on: valid, strands: false, countWeight: options.countWeight)
        let record = EpochRecord(epoch: e, trainLoss: total / Double(max(order.count, 1)), validLoss: v.loss,
                                 metricNames: EpochRecord.metricNames(for: valid.objective), metrics: v.metrics(for: valid.objective),
                                 learningRate: state.learningRate, seconds: Date().timeIntervalSince(start), step: state.step)
        state.epoch = e
        let score = options.monitor.score(record)
        if score > state.bestScore {
            state.bestScore = score
            state.bestEpoch = e
            bestWeights = Array(model.arena.values)
        }
        let stopScore = options.stoppingMonitor.score(record)
        if stopScore > state.stopScore {
            state.stopScore = stopScore
            state.sinceImprovement = 0
            state.sinceLRChange = 0
        } else {
            state.sinceImprovement += 1
            state.sinceLRChange += 1
            if let lrPatience = options.lrPatience, state.sinceLRChange >= lrPatience {
                state.learningRate = max(state.learningRate * options.lrFactor, options.minLearningRate)
                state.sinceLRChange = 0
            }
            if state.sinceImprovement >= options.patience { state.stopped = true }
        }
        if state.epoch >= options.epochs { state.stopped = true }
        return record
    }

    /// True when the run must stop: `epochs` reached or no improvement for `patience` epochs.
    public func shouldStop() -> Bool {
        state.epoch >= options.epochs || state.sinceImprovement >= options.patience
    }

    /// Loads the weights `options.finalWeights` names into the model: the best epoch's (one
    /// copy into its arena), or the last epoch's as they are.
    public func restoreFinal() {
        guard options.finalWeights == .best else { return }
        restoreBest()
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
