import ArgumentParser
import Foundation
import Runs

extension ModelCommand {
    /// `crick model bench`: training and prediction throughput of a preset on random data.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure training (forward, backward, Adam) and prediction throughput of a preset on random sequences.")

        @OptionGroup var architecture: ArchitectureOptions

        @Option(help: "Batch size.")
        var batch: Int = 100

        @Option(help: "Timed training steps (after one warm-up step).")
        var steps: Int = 10

        @OptionGroup var common: CommonOptions

        func run() throws {
            var options = ThroughputRun.Options(architecture: try architecture.request.architecture(outputs: 1))
            options.batch = batch
            options.steps = steps
            options.threads = common.threads
            let result = try ThroughputRun(options).run()
            print(String(format: "preset %@ strand %@ batch %d threads %d: training %.1f sequences/s, prediction %.1f sequences/s",
                         options.architecture.name, options.architecture.strand.rawValue, batch, common.threads,
                         result.training, result.prediction))
        }
    }
}
