import ArgumentParser
import Foundation
import NeuralNet
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
            setBLASThreads(common.threads)
            let model = try Model(try architecture.request.architecture(outputs: 1))
            let n = batch, l = model.architecture.inputLength
            var rng = NetRandom(seed: 1)
            let codes = (0..<(n * l)).map { _ in UInt8(rng.next() % 4) }
            let x = codes.withUnsafeBufferPointer { oneHot(codes: $0, batch: n, length: l) }
            let y = (0..<n).map { Float($0 % 2) }
            let adam = Adam()
            let bce = BinaryCrossEntropy()
            let workspace = PassWorkspace()
            func step() {
                model.zeroGradients()
                let (_, g) = bce(logits: model.forward(x, training: true, workspace: workspace), labels: y)
                model.backward(g, workspace: workspace)
                adam.update(model.parameters)
            }
            step()
            var t = Date()
            for _ in 0..<steps { step() }
            let train = Double(steps * n) / Date().timeIntervalSince(t)
            _ = model.predict(x)
            t = Date()
            for _ in 0..<steps { _ = model.predict(x) }
            let predict = Double(steps * n) / Date().timeIntervalSince(t)
            print(String(format: "preset %@ strand %@ batch %d threads %d: training %.1f sequences/s, prediction %.1f sequences/s",
                         model.architecture.name, model.architecture.strand.rawValue, n, common.threads, train, predict))
        }
    }
}
