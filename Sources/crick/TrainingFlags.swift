import ArgumentParser
import NeuralNet

extension TrainingMonitor: ExpressibleByArgument {}
extension Objective: ExpressibleByArgument {}
extension RCAugmentation: ExpressibleByArgument {}
extension FinalWeights: ExpressibleByArgument {}

/// The learning-rate schedules of `crick train`.
enum LearningRateSchedule: String, CaseIterable, ExpressibleByArgument {
    /// Multiply by 0.2 after --lr-patience epochs without improvement.
    case plateau
    /// A constant learning rate.
    case none
}

/// How batch norm keeps its running statistics during training.
enum BatchNormStatistics: String, CaseIterable, ExpressibleByArgument {
    /// A moving average (momentum 0.99) from mean 0 and variance 1.
    case ema
    /// The moving average debiased from its start (Keras 2.2.4 / TensorFlow 1 zero_debias).
    case debiased
}

/// The optimiser and schedule flags of `crick train`.
struct TrainingFlags: ParsableArguments {
    @Option(name: .customLong("rc-augment"), help: ArgumentHelp(
        "Reverse-complement augmentation: random (each sequence flipped with p 1/2 every epoch; a bare --rc-augment means this), both (every sequence and its reverse complement every epoch, Zhou et al.'s AugWithin) or none. Conjoined models always take at least random.",
        valueName: "random|both|none"))
    var rcAugment: RCAugmentation = .none

    @Option(help: "Maximum epochs.")
    var epochs: Int = 50

    @Option(help: "Batch size.")
    var batch: Int = 100

    @Option(help: "Adam learning rate.")
    var lr: Float = 1e-3

    @Option(help: "The validation metric whose best epoch gives the kept weights: loss, auroc or auprc (classifiers); loss, pearson, spearman or jsd (regression; jsd for profiles). (default: auprc, or loss for regression)")
    var monitor: TrainingMonitor?

    @Option(help: "What to learn: bce (binary labels), mse (signal counts as the dataset stores them, log1p by default), poisson (raw counts, log-rate outputs) or profile (BPNet's multinomial profile loss plus --count-weight x MSE of log counts). (default: profile for datasets with profiles, mse for datasets with signal, else bce)")
    var loss: Objective?

    @Option(name: .customLong("count-weight"), help: "Weight of the log-count term of --loss profile.")
    var countWeight: Float = 1

    @Option(name: .customLong("stop-monitor"), help: "The validation metric of early stopping and the learning-rate schedule (default: --monitor).")
    var stopMonitor: TrainingMonitor?

    @Option(help: "Early stopping: epochs without a better --stop-monitor score.")
    var patience: Int = 10

    @Option(name: .customLong("lr-schedule"), help: "plateau (multiply the learning rate by 0.2 after --lr-patience epochs without improvement) or none (constant).")
    var lrSchedule: LearningRateSchedule = .plateau

    @Option(name: .customLong("lr-patience"), help: "Epochs without improvement before the learning rate is multiplied by 0.2.")
    var lrPatience: Int = 5

    @Option(name: .customLong("final-weights"), help: "The weights written to model.safetensors: best (the best --monitor epoch) or last.")
    var finalWeights: FinalWeights = .best

    @Option(help: "L2 penalty on every weight (Keras-style: adds 2 * l2 * w to the gradient).")
    var l2: Float = 0

    @Option(name: .customLong("weight-decay"), help: "Decoupled weight decay (AdamW).")
    var weightDecay: Float = 0

    @Option(name: .customLong("clip-norm"), help: "Clip the global gradient norm (default: no clipping).")
    var clipNorm: Float?

    @Option(name: .customLong("task-weights"), help: "Loss weight per task, comma-separated in the dataset's task order (default: all 1).", transform: TaskWeights.parse)
    var taskWeights: TaskWeights?

    @Option(name: .customLong("bn-statistics"), help: "Batch-norm running statistics for validation and inference: ema (a moving average, momentum 0.99, from mean 0 and variance 1) or debiased (the same average without its starting values, as Keras 2.2.4 and TensorFlow 1 keep it).")
    var bnStatistics: BatchNormStatistics = .ema

    @Option(help: "Seed of initialisation, shuffling, augmentation and dropout.")
    var seed: UInt64 = 1

    func validate() throws {
        if epochs < 1 || batch < 1 { throw ValidationError("--epochs and --batch must be positive") }
        if patience < 1 || lrPatience < 1 { throw ValidationError("--patience and --lr-patience must be positive") }
        if !(countWeight >= 0 && countWeight.isFinite) { throw ValidationError("--count-weight must be a finite number >= 0") }
    }

    /// The trainer's options.
    var options: TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs
        o.batchSize = batch
        o.learningRate = lr
        o.monitor = monitor ?? .auprc
        o.countWeight = countWeight
        o.stopMonitor = stopMonitor
        o.patience = patience
        o.lrPatience = lrSchedule == .plateau ? lrPatience : nil
        o.rcAugment = rcAugment
        o.finalWeights = finalWeights
        o.l2 = l2
        o.weightDecay = weightDecay
        o.clipNorm = clipNorm
        o.debiasedBatchNorm = bnStatistics == .debiased
        o.seed = seed
        return o
    }
}
