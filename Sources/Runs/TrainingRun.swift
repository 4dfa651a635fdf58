import Dataset
import Foundation
import NeuralNet
import Pipeline

/// `crick train`: a model trained on a dataset directory, written as a run directory
/// (model.safetensors, metrics.tsv, checkpoints/last.safetensors), resumable.
public struct TrainingRun {
    /// What to train and how.
    public struct Options {
        /// The dataset directory.
        public var dataset: String
        /// The run directory written.
        public var output: String
        /// Continue the run in `output` from its last checkpoint.
        public var resume = false
        /// Replace crick's files of an earlier run in `output`.
        public var force = false
        public var architecture = ArchitectureRequest()
        /// The optimiser's and schedule's settings (epochs, batch, learning rate, ...).
        public var training = TrainingOptions()
        /// Loss weight per task, in the dataset's task order (nil: all 1).
        public var taskWeights: [Float]?
        /// What to learn (nil: profile when the dataset has profiles, mse when it has signal
        /// targets, else binary labels).
        public var objective: Objective?
        /// The checkpoint monitor (nil: auprc for classifiers, loss for regression).
        public var monitor: TrainingMonitor?
        public var threads = 1

        public init(dataset: String, output: String) {
            self.dataset = dataset
            self.output = output
        }
    }

    /// What a training run ended with.
    public struct Result: Sendable {
        /// The epoch with the best score on the checkpoint monitor, the monitor and its value
        /// (the loss itself for `loss`).
        public var bestEpoch: Int
        public var monitor: TrainingMonitor
        public var bestValue: Double
        /// The weights written: the best epoch's or the last epoch's.
        public var finalWeights: FinalWeights
        /// Epochs trained.
        public var epochs: Int
        /// The model file written.
        public var modelPath: String
    }

    /// The kind recorded in the manifest of a run directory, and its entries.
    public static let outputKind = "train"
    public static let files = ["model.safetensors", "metrics.tsv", "checkpoints"]

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// Trains to the stopping rule, checkpointing after every epoch; a failed run leaves no
    /// empty run directory.
    public func run(reporter: RunReporter) throws -> Result {
        setBLASThreads(options.threads)
        let data = try OpenDataset(options.dataset)
        let runDirectory = try RunDirectory(path: options.output, kind: TrainingRun.outputKind, files: TrainingRun.files,
                                            resume: options.resume, force: options.force)
        do {
            try runDirectory.makeSubdirectory("checkpoints")
            return try train(data: data, runDirectory: runDirectory, reporter: reporter)
        } catch {
            runDirectory.discard()
            throw error
        }
    }

    /// The objective asked for, or the dataset's natural one; checked against the dataset.
    /// A resumed run's objective is its checkpoint's unless `--loss` says otherwise.
    private func objective(_ data: OpenDataset, checkpoint: Architecture?) throws -> Objective {
        let natural: Objective = data.profiles != nil ? .profile : data.targets != nil ? .mse : .binary
        let objective = options.objective ?? checkpoint?.target ?? natural
        guard data.supports(objective) else {
            let why = objective == .profile ? "profiles (crick dataset --signal ... --profile)"
                : objective == .binary ? "peak labels (it tiles the genome for its signal: train --loss mse or profile)" : "signal targets (crick dataset --signal)"
            throw RunError.usage("--loss \(objective.rawValue) needs a dataset with \(why); \(options.dataset) has none")
        }
        if objective == .poisson, data.info.signal?.transform == "log1p" {
            throw RunError.usage("--loss poisson needs raw counts; \(options.dataset) stores log1p counts (build it with --transform none), or use --loss mse")
        }
        if (objective == .mse || objective == .poisson), (data.info.jitter ?? 0) > 0 {
            throw RunError.usage("--loss \(objective.rawValue) on a dataset stored with --jitter: its targets are the centre's counts, not the shifted window's; train --loss profile (counts summed from the shifted profile), or build the dataset without --jitter")
        }
        if objective != .profile && options.training.countWeight != 1 {
            throw RunError.usage("--count-weight applies to --loss profile only")
        }
        return objective
    }

    /// The architecture asked for, for the dataset's tasks and length.
    private func requestedArchitecture(_ data: OpenDataset, objective: Objective, defaultStrand: StrandMode = .rc, defaultPreset: String? = nil) throws -> Architecture {
        let profileLength = objective == .profile ? data.info.signal?.profileLength : nil
        let bin = data.info.signal?.bin ?? 1, pairs = data.info.signal?.pairs ?? []
        var a = try options.architecture.architecture(outputs: data.taskNames(for: objective).count, defaultStrand: defaultStrand,
                                                      defaultPreset: defaultPreset ?? (objective == .profile ? "bpnet" : "chip"), profileLength: profileLength,
                                                      profileBin: bin, profilePairs: pairs)
        a.inputLength = data.info.length
        a.objective = objective == .binary ? nil : objective
        if objective == .profile {
            guard a.profileLength == profileLength else {
                throw RunError.usage("--loss profile needs a model ending in a profilehead of \(profileLength ?? 0) positions (the dataset's profile); \(a.name) \(a.profileLength.map { "predicts \($0)" } ?? "has none") (use --preset bpnet)")
            }
            if let layout = ProfileLayout(a), layout.bin != bin || layout.pairs != pairs {
                throw RunError.usage("\(a.name)'s profilehead has bin \(layout.bin) and stranded pairs \(layout.pairs); the dataset's profiles have bin \(bin) and pairs \(pairs) (set \"bin\" and \"pairs\" in the architecture, or use --preset bpnet)")
            }
        } else if a.profileLength != nil {
            throw RunError.usage("\(a.name) ends in a profilehead: it needs --loss profile and a dataset with profiles")
        } else if objective != .binary, !pairs.isEmpty {
            // A count per strand is not RC-invariant (rc(x)'s plus count is x's minus count), and
            // only a profile head knows which outputs are the two strands of one signal.
            throw RunError.usage("--loss \(objective.rawValue) on stranded signals: their strands are paired in profile models only (--loss profile, with --profile in the dataset); for counts per strand, build the dataset with one --signal per strand")
        }
        return a
    }

    /// On resume, flags that shape the model must agree with the checkpoint's model.
    private func checkResumeFlags(_ data: OpenDataset, against saved: Architecture) throws {
        let asked = options.architecture
        if let strand = asked.strand, strand != saved.strand {
            throw RunError.usage("--strand \(strand.rawValue) disagrees with the checkpoint (strand \(saved.strand.rawValue)); resume without it, or start over with --force")
        }
        guard asked.preset != nil || asked.arch != nil || asked.firstActivation != nil else { return }
        let savedPreset = Architecture.presetNames.contains(saved.name) ? saved.name : "chip"
        guard try requestedArchitecture(data, objective: saved.target, defaultStrand: saved.strand, defaultPreset: savedPreset) == saved else {
            throw RunError.usage("\(asked.shapingFlags) disagrees with the checkpoint's architecture (\(saved.name)); resume without it, or start over with --force")
        }
    }

    private func train(data: OpenDataset, runDirectory: RunDirectory, reporter: RunReporter) throws -> Result {
        let out = options.output
        let checkpoint = out + "/checkpoints/last.safetensors"
        let saved = options.resume && FileManager.default.fileExists(atPath: checkpoint) ? try ModelFile.read(checkpoint) : nil
        let objective = try objective(data, checkpoint: saved?.model.architecture)
        let architecture = try requestedArchitecture(data, objective: objective)
        let tasks = data.taskNames(for: objective)
        var training = options.training
        if let weights = options.taskWeights {
            guard weights.count == tasks.count else {
                throw RunError.usage("--task-weights needs \(tasks.count) non-negative numbers, one per task (\(tasks.joined(separator: ","))), got \(weights.count)")
            }
            training.taskWeights = weights
        }
        training.monitor = options.monitor ?? (objective == .binary ? .auprc : .loss)
        let available = TrainingMonitor.available(for: objective)
        for m in [training.monitor, training.stoppingMonitor] where !available.contains(m) {
            throw RunError.usage("--monitor/--stop-monitor \(m.rawValue) does not apply to --loss \(objective.rawValue) (\(available.map(\.rawValue).joined(separator: ", ")))")
        }
        let model: Model
        let trainer: Trainer
        if let (m, contents) = saved {
            guard m.architecture.target == objective else {
                throw RunError.usage("--loss \(objective.rawValue) disagrees with the checkpoint (\(m.architecture.target.rawValue)); resume with it, or start over with --force")
            }
            try checkResumeFlags(data, against: m.architecture)
            if objective == .profile {
                let config = contents.metadata["training"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
                let savedWeight = config?["count_weight"] as? Double ?? 1
                guard Float(savedWeight) == training.countWeight else {
                    throw RunError.usage("--count-weight \(training.countWeight) disagrees with the checkpoint (\(savedWeight)); resume with it, or start over with --force")
                }
            }
            let config = contents.metadata["training"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let savedStatistics = config?["bn_statistics"] as? String ?? "ema"
            guard savedStatistics == (training.debiasedBatchNorm ? "debiased" : "ema") else {
                throw RunError.usage("--bn-statistics \(training.debiasedBatchNorm ? "debiased" : "ema") disagrees with the checkpoint (\(savedStatistics)); resume with it, or start over with --force")
            }
            model = m
            trainer = Trainer(model: model, options: training)
            try trainer.restore(contents: contents, source: checkpoint)
            // The checkpoint's best scores are of its monitors: they must be this run's too.
            let asked = (training.monitor.rawValue, training.stoppingMonitor.rawValue)
            guard (trainer.state.monitor, trainer.state.stopMonitor) == asked else {
                throw RunError.usage("--monitor \(asked.0) --stop-monitor \(asked.1) disagree with the checkpoint (--monitor \(trainer.state.monitor) --stop-monitor \(trainer.state.stopMonitor)); resume with those, or start over with --force")
            }
            // The stopping rule of this invocation (more epochs may continue a finished run).
            trainer.state.stopped = trainer.shouldStop()
            reporter.info("train: resuming after epoch \(trainer.state.epoch)")
        } else {
            model = try Model(architecture, seed: training.seed)
            trainer = Trainer(model: model, options: training)
        }
        let train = data.rows(split: 0, objective: objective), valid = data.rows(split: 1, objective: objective)
        if objective != .binary && trainer.state.epoch == 0 {
            // Regression starts from the training targets' mean (log rate of the mean count for
            // poisson); the best weights so far are these.
            let means = Self.meanTargets(train)
            if model.setCountBias(objective == .poisson ? means.map { log(max($0, 1e-6)) } : means) {
                trainer.bestWeights = Array(model.arena.values)
                reporter.info("train: count outputs start from the training mean (\(means.map { String(format: "%.4g", $0) }.joined(separator: ", ")))")
            }
        }
        if train.jitter > 0 && trainer.state.epoch == 0 {
            reporter.info("train: the dataset stores \(train.jitter) extra bases each side: each training window is shifted by a random -\(train.jitter)..\(train.jitter) bases every epoch")
        }
        try model.architecture.validate(batch: training.batchSize)
        guard !train.rows.isEmpty, !valid.rows.isEmpty else {
            throw DatasetError.invalid("dataset \(options.dataset) needs train and valid rows (has \(train.rows.count) and \(valid.rows.count))")
        }
        // metrics.tsv: keep the lines of the epochs the checkpoint covers.
        let metricsPath = out + "/metrics.tsv"
        var metrics = MetricsTable()
        if trainer.state.epoch > 0, var old = try? MetricsTable.read(path: metricsPath) {
            old.keep(epochs: trainer.state.epoch)
            metrics = old
        }
        let record = trainingRecord(options: training, data: data, objective: objective)
        reporter.log(EpochRecord.header(for: objective))
        let batch = training.batchSize
        while !trainer.state.stopped {
            // A live bar within the epoch on a terminal; logs get the epoch lines only.
            let batches = (train.rows.count + batch - 1) / batch
            let progress = reporter.progress(label: "epoch \(trainer.state.epoch + 1)", unit: "batches",
                                             total: training.rcAugment == .both ? (2 * train.rows.count + batch - 1) / batch : batches, liveOnly: true)
            let r = trainer.epoch(train: train, valid: valid) { _, _ in progress.advance(by: 1) }
            progress.finish()
            metrics.append(r)
            reporter.log(r.line)
            try writeText(metrics.text, to: metricsPath)
            let state = String(decoding: try sortedEncoder().encode(trainer.state), as: UTF8.self)
            try ModelFile.write(model, to: checkpoint, metadata: record.merging(["training_state": state]) { $1 }, extra: trainer.checkpointTensors())
            runDirectory.keep()
        }
        trainer.restoreFinal()
        let state = String(decoding: try sortedEncoder().encode(trainer.state), as: UTF8.self)
        let modelPath = out + "/model.safetensors"
        try ModelFile.write(model, to: modelPath, metadata: record.merging([
            "final_metrics": finalMetrics(trainer),
            "training_state": state]) { $1 })
        return Result(bestEpoch: trainer.state.bestEpoch, monitor: training.monitor,
                      bestValue: training.monitor.reported(trainer.state.bestScore), finalWeights: training.finalWeights,
                      epochs: trainer.state.epoch, modelPath: modelPath)
    }

    /// The mean per task of the count targets of `rows` (log(1 + total) for profiles).
    static func meanTargets(_ rows: LabelledRows) -> [Float] {
        let t = rows.tasks, width = rows.targetWidth, at = rows.objective == .profile ? rows.profileLength * t : 0
        var sums = [Double](repeating: 0, count: t)
        for start in stride(from: 0, to: rows.rows.count, by: 512) {
            let (_, y) = rows.batch(rows.rows[start..<min(start + 512, rows.rows.count)])
            for i in 0..<(y.count / width) { for k in 0..<t { sums[k] += Double(y[i * width + at + k]) } }
        }
        return sums.map { Float($0 / Double(max(rows.rows.count, 1))) }
    }

    /// The `final_metrics` metadata: the best epoch, its monitored value and which weights
    /// the file holds.
    private func finalMetrics(_ trainer: Trainer) -> String {
        let o = trainer.options
        let object: [String: Any] = ["best_epoch": trainer.state.bestEpoch, "monitor": o.monitor.rawValue,
                                     "valid_\(o.monitor.rawValue)": o.monitor.reported(trainer.state.bestScore),
                                     "weights": o.finalWeights.rawValue, "epochs": trainer.state.epoch]
        let json = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) }
        return json ?? "{}"
    }

    /// The metadata of the model files: the training settings, the tasks, crick's version.
    private func trainingRecord(options training: TrainingOptions, data: OpenDataset, objective: Objective) -> [String: String] {
        let tasks = data.taskNames(for: objective)
        var config: [String: Any] = ["dataset": options.dataset, "epochs": training.epochs, "batch": training.batchSize, "lr": Double(training.learningRate),
                                     "patience": training.patience, "lr_patience": training.lrPatience.map { $0 as Any } ?? NSNull(),
                                     "rc_augment": training.rcAugment.rawValue, "monitor": training.monitor.rawValue,
                                     "stop_monitor": training.stoppingMonitor.rawValue, "final_weights": training.finalWeights.rawValue,
                                     "l2": Double(training.l2), "weight_decay": Double(training.weightDecay), "seed": Int(training.seed),
                                     "threads": options.threads, "tasks": tasks, "jitter": data.info.jitter ?? 0,
                                     "bn_statistics": training.debiasedBatchNorm ? "debiased" : "ema"]
        if objective != .binary, let signal = data.info.signal {
            config["loss"] = objective.rawValue
            config["target_transform"] = signal.transform
            config["target_length"] = signal.targetLength
            if objective == .profile { config["count_weight"] = Double(training.countWeight) }
        }
        let json = (try? JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return ["training": json, "tasks": tasks.joined(separator: ","), "crick_version": CrickVersion.string]
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

/// The version recorded in model files and printed by `crick --version`.
public enum CrickVersion {
    public static let string = "0.1.0"
}
