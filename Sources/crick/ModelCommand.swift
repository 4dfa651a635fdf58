import ArgumentParser
import NeuralNet
import Runs

/// `crick model`: model inspection.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "Inspect models and presets.", subcommands: [Summary.self, Bench.self, Logits.self, Init.self])

    /// `crick model summary`: layers, output shapes and parameter counts, as Keras prints them.
    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Layers, output shapes and parameter counts of a preset or a model file.")

        @Argument(help: "A model file (or use --preset).")
        var file: String?

        @OptionGroup var architecture: ArchitectureOptions

        @Option(help: "Outputs (tasks) of the preset.")
        var outputs: Int = 1

        func validate() throws {
            let asked = architecture.preset != nil || architecture.arch != nil
            if (file == nil) == !asked { throw ValidationError("give a model file or --preset (or --arch)") }
        }

        func run() throws {
            let model = try file.map { try ModelFile.read($0).model } ?? Model(try architecture.request.architecture(outputs: outputs))
            print(model.summary(), terminator: "")
        }
    }
}
