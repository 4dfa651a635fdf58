import ArgumentParser
import NeuralNet
import Runs

/// `crick train`: a model from a dataset directory.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a CNN (standard, RC parameter-sharing or conjoined) on a dataset directory.",
        discussion: """
            Writes DIR/model.safetensors (the weights of the epoch with the best validation \
            --monitor score, or of the last epoch with --final-weights last), DIR/metrics.tsv (one \
            line per epoch, with the optimiser steps so far) and DIR/checkpoints/last.safetensors \
            (after every epoch, written atomically). Early stopping (--patience) and the \
            learning-rate schedule (--lr-patience, or --lr-schedule none) watch --stop-monitor, \
            which defaults to --monitor. --resume DIR continues a killed run from its last \
            checkpoint; the result equals an uninterrupted run with the same seed and threads.

            Example:
              crick train ds --preset chip --strand rc -o run
              crick train ds --preset zhou-sim --strand standard --rc-augment both --batch 500 \\
                --epochs 200 --monitor auroc --stop-monitor loss --lr-schedule none -o augwithin
            """)

    @Argument(help: "Dataset directory (crick dataset or crick simulate --dataset).")
    var dataset: String

    @OptionGroup var architecture: ArchitectureOptions

    @OptionGroup var training: TrainingFlags

    @Option(help: "Resume the run in this output directory from its last checkpoint.")
    var resume: String?

    @Option(name: .shortAndLong, help: "Output directory (default: the --resume directory).")
    var output: String?

    @OptionGroup var replace: ForceOption

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if output == nil && resume == nil { throw ValidationError("give -o DIR (or --resume DIR)") }
    }

    func run() throws {
        guard let out = output ?? resume else { throw ValidationError("give -o DIR (or --resume DIR)") }
        var options = TrainingRun.Options(dataset: dataset, output: out)
        options.resume = resume != nil
        options.force = replace.force
        options.architecture = architecture.request
        options.training = training.options
        options.taskWeights = training.taskWeights?.values
        options.objective = training.loss
        options.monitor = training.monitor
        options.threads = common.threads
        let result = try TrainingRun(options).run(reporter: ConsoleReporter(quiet: common.quiet))
        let kept = result.finalWeights == .best ? "" : "; kept the weights of epoch \(result.epochs), the last"
        Diagnostics.info("train: best epoch \(result.bestEpoch) of \(result.epochs) (valid \(result.monitor.rawValue) \(String(format: "%.4f", result.bestValue))\(kept)): \(result.modelPath)", quiet: common.quiet)
    }
}
