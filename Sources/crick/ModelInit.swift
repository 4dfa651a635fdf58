import ArgumentParser
import NeuralNet
import Runs

extension ModelCommand {
    /// `crick model init`: a freshly initialised model file of a preset or architecture.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a model file with initial (Glorot-uniform) weights of a preset or architecture.")

        @OptionGroup var architecture: ArchitectureOptions

        @Option(help: "Outputs (tasks).")
        var outputs: Int = 1

        @Option(help: "Input length (default: the preset's).")
        var length: Int?

        @Option(help: "Seed of the initialisation.")
        var seed: UInt64 = 1

        @Option(name: .shortAndLong, help: "Output model file.")
        var output: String

        func run() throws {
            var a = try architecture.request.architecture(outputs: outputs)
            if let length { a.inputLength = length }
            try ModelFile.write(try Model(a, seed: seed), to: output, metadata: ["seed": String(seed)])
        }
    }
}
