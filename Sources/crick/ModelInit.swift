import ArgumentParser
import NeuralNet

extension ModelCommand {
    /// `crick model init`: a freshly initialised model file of a preset or architecture.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a model file with initial (Glorot-uniform) weights of a preset or architecture.")

        @Option(help: "Preset: chip, koo-cnn2, koo-cnn50, koo-deep.")
        var preset = PresetName("chip")

        @Option(help: "Architecture JSON file instead of a preset.")
        var arch: String?

        @Option(help: "Strand mode.")
        var strand: StrandMode = .rc

        @Option(help: "Outputs (tasks).")
        var outputs: Int = 1

        @Option(help: "Input length (default: the preset's).")
        var length: Int?

        @Option(name: .customLong("first-activation"), help: "First-layer activation (default: relu).")
        var firstActivation: ActivationFunction?

        @Option(help: "Seed of the initialisation.")
        var seed: UInt64 = 1

        @Option(name: .shortAndLong, help: "Output model file.")
        var output: String

        func run() throws {
            var a: Architecture
            if let arch {
                a = try Architecture.read(path: arch)
                a.strand = strand
                a.outputs = outputs
            } else {
                a = try Architecture.preset(preset.name, outputs: outputs, strand: strand, firstActivation: firstActivation)
            }
            if let length { a.inputLength = length }
            try ModelFile.write(try Model(a, seed: seed), to: output, metadata: ["seed": String(seed)])
        }
    }
}
