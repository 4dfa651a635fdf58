import ArgumentParser
import NeuralNet

/// The optimiser and schedule flags of `crick train`.
struct TrainingFlags: ParsableArguments {
    @Flag(name: .customLong("rc-augment"), help: "Random reverse-complement augmentation (always on for conjoined).")
    var rcAugment = false

    @Option(help: "Maximum epochs.")
    var epochs: Int = 50

    @Option(help: "Batch size.")
    var batch: Int = 100

    @Option(help: "Adam learning rate.")
    var lr: Float = 1e-3

    @Option(help: "Early stopping: epochs without a better validation auPRC.")
    var patience: Int = 10

    @Option(name: .customLong("lr-patience"), help: "Epochs without improvement before the learning rate is multiplied by 0.2.")
    var lrPatience: Int = 5

    @Option(help: "L2 penalty on every weight (Keras-style: adds 2 * l2 * w to the gradient).")
    var l2: Float = 0

    @Option(name: .customLong("weight-decay"), help: "Decoupled weight decay (AdamW).")
    var weightDecay: Float = 0

    @Option(name: .customLong("clip-norm"), help: "Clip the global gradient norm (default: no clipping).")
    var clipNorm: Float?

    @Option(name: .customLong("task-weights"), help: "Loss weight per task, comma-separated in the dataset's task order (default: all 1).", transform: TaskWeights.parse)
    var taskWeights: TaskWeights?

    @Option(help: "Seed of initialisation, shuffling, augmentation and dropout.")
    var seed: UInt64 = 1

    func validate() throws {
        if epochs < 1 || batch < 1 { throw ValidationError("--epochs and --batch must be positive") }
    }

    /// The trainer's options.
    var options: TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs
        o.batchSize = batch
        o.learningRate = lr
        o.patience = patience
        o.lrPatience = lrPatience
        o.rcAugment = rcAugment
        o.l2 = l2
        o.weightDecay = weightDecay
        o.clipNorm = clipNorm
        o.seed = seed
        return o
    }
}
