import ArgumentParser
import Dataset
import Foundation
import NeuralNet
import Pipeline

/// `crick train`: a model from a dataset directory.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a CNN (standard, RC parameter-sharing or conjoined) on a dataset directory.",
        discussion: """
            Writes DIR/model.safetensors (the weights of the epoch with the best validation auPRC), \
            DIR/metrics.tsv (one line per epoch) and DIR/checkpoints/last.safetensors (after every \
            epoch, written atomically). --resume DIR continues a killed run from its last \
            checkpoint; the result equals an uninterrupted run with the same seed and threads.

            Example:
              crick train ds --preset chip --strand rc -o run
            """)

    @Argument(help: "Dataset directory (crick dataset or crick simulate --dataset).")
    var dataset: String

    @Option(help: "Architecture preset: chip, koo-cnn2, koo-cnn50 or koo-deep (default: chip unless --arch).")
    var preset: PresetName?

    @Option(help: "Architecture JSON file instead of a preset.")
    var arch: String?

    @Option(help: "standard, rc or conjoined (default: rc; on --resume, the checkpoint's).")
    var strand: StrandMode?

    @Flag(name: .customLong("rc-augment"), help: "Random reverse-complement augmentation (always on for conjoined).")
    var rcAugment = false

    @Option(name: .customLong("first-activation"), help: "Activation after the first layer's batch norm (relu, exponential, sigmoid, tanh, softplus, elu, linear; default: the preset's, relu).")
    var firstActivation: ActivationFunction?

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

    @Option(help: "Resume the run in this output directory from its last checkpoint.")
    var resume: String?

    @Option(name: .shortAndLong, help: "Output directory (default: the --resume directory).")
    var output: String?

    @OptionGroup var replace: ForceOption

    @OptionGroup var common: CommonOptions

    /// The kind recorded in the manifest of a run directory, and its entries.
    static let outputKind = "train"
    static let files = ["model.safetensors", "metrics.tsv", "checkpoints"]

    func validate() throws {
        if preset != nil && arch != nil { throw ValidationError("give --preset or --arch, not both") }
        if output == nil && resume == nil { throw ValidationError("give -o DIR (or --resume DIR)") }
        if arch != nil && firstActivation != nil {
            throw ValidationError("--first-activation sets a preset's first activation; with --arch, set it in the architecture file")
        }
        if epochs < 1 || batch < 1 { throw ValidationError("--epochs and --batch must be positive") }
    }

    func run() throws {
        setBLASThreads(common.threads)
        let data = try OpenDataset(dataset)
        guard let out = output ?? resume else { throw ValidationError("give -o DIR (or --resume DIR)") }
        let runDirectory = try RunDirectory(path: out, kind: Train.outputKind, files: Train.files, resume: resume != nil, force: replace.force)
        do {
            try runDirectory.makeSubdirectory("checkpoints")
            try train(data: data, out: out, runDirectory: runDirectory)
        } catch {
            runDirectory.discard()
            throw error
        }
    }

    /// The architecture the flags ask for: `--arch` or a preset (default chip), `--strand`
    /// (default `defaultStrand`), for the dataset's tasks and length.
    private func requestedArchitecture(_ data: OpenDataset, defaultStrand: StrandMode = .rc, defaultPreset: String = "chip") throws -> Architecture {
        var architecture: Architecture
        if let arch {
            architecture = try Architecture.read(path: arch)
            architecture.outputs = data.info.tasks.count
            architecture.strand = strand ?? defaultStrand
        } else {
            architecture = try Architecture.preset(preset?.name ?? defaultPreset, outputs: data.info.tasks.count,
                                                   strand: strand ?? defaultStrand, firstActivation: firstActivation)
        }
        architecture.inputLength = data.info.length
        return architecture
    }

    /// On `--resume`, flags that shape the model must agree with the checkpoint's model.
    private func checkResumeFlags(_ data: OpenDataset, against saved: Architecture) throws {
        if let strand, strand != saved.strand {
            throw ValidationError("--strand \(strand.rawValue) disagrees with the checkpoint (strand \(saved.strand.rawValue)); resume without it, or start over with --force")
        }
        guard preset != nil || arch != nil || firstActivation != nil else { return }
        let savedPreset = Architecture.presetNames.contains(saved.name) ? saved.name : "chip"
        let asked = try requestedArchitecture(data, defaultStrand: saved.strand, defaultPreset: savedPreset)
        guard asked == saved else {
            let flags = [preset.map { "--preset \($0.name)" }, arch.map { "--arch \($0)" }, firstActivation.map { "--first-activation \($0.rawValue)" }]
            throw ValidationError("\(flags.compactMap { $0 }.joined(separator: " ")) disagrees with the checkpoint's architecture (\(saved.name)); resume without it, or start over with --force")
        }
    }

    private func train(data: OpenDataset, out: String, runDirectory: RunDirectory) throws {
        let architecture = try requestedArchitecture(data)
        var options = TrainingOptions()
        options.epochs = epochs
        options.batchSize = batch
        options.learningRate = lr
        options.patience = patience
        options.lrPatience = lrPatience
        options.rcAugment = rcAugment
        options.l2 = l2
        options.weightDecay = weightDecay
        options.clipNorm = clipNorm
        options.seed = seed
        if let taskWeights {
            guard taskWeights.values.count == data.info.tasks.count else {
                throw ValidationError("--task-weights needs \(data.info.tasks.count) non-negative numbers, one per task (\(data.info.tasks.joined(separator: ","))), got \(taskWeights.values.count)")
            }
            options.taskWeights = taskWeights.values
        }
        let checkpoint = out + "/checkpoints/last.safetensors"
        let model: Model
        let trainer: Trainer
        if resume != nil, FileManager.default.fileExists(atPath: checkpoint) {
            let (m, contents) = try ModelFile.read(checkpoint)
            try checkResumeFlags(data, against: m.architecture)
            model = m
            trainer = Trainer(model: model, options: options)
            try trainer.restore(contents: contents, source: checkpoint)
            // The stopping rule of this invocation (more --epochs may continue a finished run).
            trainer.state.stopped = trainer.state.epoch >= epochs || trainer.state.sinceBest >= patience
            Diagnostics.info("train: resuming after epoch \(trainer.state.epoch)", quiet: common.quiet)
        } else {
            model = try Model(architecture, seed: seed)
            trainer = Trainer(model: model, options: options)
        }
        let train = data.rows(split: 0), valid = data.rows(split: 1)
        try model.architecture.validate(batch: batch)
        guard !train.rows.isEmpty, !valid.rows.isEmpty else {
            throw DatasetError.invalid("dataset \(dataset) needs train and valid rows (has \(train.rows.count) and \(valid.rows.count))")
        }
        // metrics.tsv: keep the lines of the epochs the checkpoint covers.
        let metricsPath = out + "/metrics.tsv"
        var lines = [EpochRecord.header]
        if trainer.state.epoch > 0, let old = try? String(contentsOfFile: metricsPath, encoding: .utf8) {
            lines = Array(old.split(separator: "\n").map(String.init).prefix(trainer.state.epoch + 1))
        }
        let record = trainingRecord(architecture: model.architecture, options: options, data: data)
        if !common.quiet { FileHandle.standardError.write(Data((EpochRecord.header + "\n").utf8)) }
        while !trainer.state.stopped {
            // A live bar within the epoch on a terminal; logs get the epoch lines only.
            let batches = (train.rows.count + batch - 1) / batch
            let progress = ProgressReporter(label: "epoch \(trainer.state.epoch + 1)", unit: "batches", total: batches,
                                            quiet: common.quiet || isatty(2) == 0)
            let r = trainer.epoch(train: train, valid: valid) { _, _ in progress.advance(by: 1) }
            progress.finish()
            lines.append(r.line)
            if !common.quiet { FileHandle.standardError.write(Data((r.line + "\n").utf8)) }
            try writeText(lines.joined(separator: "\n") + "\n", to: metricsPath)
            let state = String(decoding: try sortedEncoder().encode(trainer.state), as: UTF8.self)
            try ModelFile.write(model, to: checkpoint, metadata: record.merging(["training_state": state]) { $1 }, extra: trainer.checkpointTensors())
            runDirectory.keep()
        }
        trainer.restoreBest()
        let state = String(decoding: try sortedEncoder().encode(trainer.state), as: UTF8.self)
        try ModelFile.write(model, to: out + "/model.safetensors", metadata: record.merging([
            "final_metrics": "{\"best_epoch\": \(trainer.state.bestEpoch), \"valid_auprc\": \(trainer.state.bestAuPRC)}",
            "training_state": state]) { $1 })
        Diagnostics.info("train: best epoch \(trainer.state.bestEpoch) (valid auPRC \(String(format: "%.4f", trainer.state.bestAuPRC))): \(out)/model.safetensors", quiet: common.quiet)
    }

    private func trainingRecord(architecture: Architecture, options: TrainingOptions, data: OpenDataset) -> [String: String] {
        let config: [String: Any] = ["dataset": dataset, "epochs": options.epochs, "batch": options.batchSize, "lr": Double(options.learningRate),
                                     "patience": options.patience, "lr_patience": options.lrPatience, "rc_augment": options.rcAugment,
                                     "l2": Double(options.l2), "weight_decay": Double(options.weightDecay), "seed": Int(options.seed),
                                     "threads": common.threads, "tasks": data.info.tasks]
        let json = (try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return ["training": json, "tasks": data.info.tasks.joined(separator: ","), "crick_version": CrickVersion.string]
    }

    /// JSON with sorted keys: identical runs write identical bytes.
    private func sortedEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }

    private func writeText(_ text: String, to path: String) throws {
        let f = try OutputFile(path: path)
        try f.write(text)
        try f.commit()
    }
}
