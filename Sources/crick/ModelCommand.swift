import ArgumentParser
import NeuralNet

/// `crick model`: model inspection.
struct ModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "model", abstract: "Inspect models and presets.", subcommands: [Summary.self, Bench.self, Logits.self, Init.self])

    /// `crick model summary`: layers, output shapes and parameter counts, as Keras prints them.
    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Layers, output shapes and parameter counts of a preset or a model file.")

        @Argument(help: "A model file (or use --preset).")
        var file: String?

        @Option(help: "Preset: chip, koo-cnn2, koo-cnn50, koo-deep.")
        var preset: PresetName?

        @Option(help: "Strand mode of the preset.")
        var strand: StrandMode = .rc

        @Option(help: "Outputs (tasks) of the preset.")
        var outputs: Int = 1

        @Option(name: .customLong("first-activation"), help: "First-layer activation of the preset (default: relu).")
        var firstActivation: ActivationFunction?

        func validate() throws {
            if (file == nil) == (preset == nil) { throw ValidationError("give a model file or --preset") }
        }

        func run() throws {
            let model = try file.map { try ModelFile.read($0).model }
                ?? Model(try Architecture.preset(preset?.name ?? "chip", outputs: outputs, strand: strand, firstActivation: firstActivation))
            print(model.summary(), terminator: "")
        }
    }
}
