import Foundation
import NeuralNet

/// `crick model bench`: training and prediction throughput of an architecture on random
/// one-hot sequences (a training step is forward, backward and one Adam update).
public struct ThroughputRun {
    /// What to time.
    public struct Options: Sendable {
        public var architecture: Architecture
        /// Sequences per step.
        public var batch = 100
        /// Timed steps (after one warm-up step each).
        public var steps = 10
        public var threads = 1

        public init(architecture: Architecture) { self.architecture = architecture }
    }

    /// Sequences per second.
    public struct Result: Sendable {
        public var training: Double
        public var prediction: Double
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    public func run() throws -> Result {
        guard options.batch > 0, options.steps > 0 else { throw RunError.usage("--batch and --steps must be positive") }
        setBLASThreads(options.threads)
        let model = try Model(options.architecture)
        let n = options.batch, l = model.architecture.inputLength
        var rng = NetRandom(seed: 1)
        let codes = (0..<(n * l)).map { _ in UInt8(rng.next() % 4) }
        let x = codes.withUnsafeBufferPointer { oneHot(codes: $0, batch: n, length: l) }   // (n, L, 4)
        let y = (0..<n).map { Float($0 % 2) }                                              // (n, 1)
        let adam = Adam(), bce = BinaryCrossEntropy(), workspace = PassWorkspace()
        func step() {
            model.zeroGradients()
            let (_, g) = bce(logits: model.forward(x, training: true, workspace: workspace), labels: y)
            model.backward(g, workspace: workspace)
            adam.update(model.parameters)
        }
        step()
        var t = Date()
        for _ in 0..<options.steps { step() }
        let training = Double(options.steps * n) / Date().timeIntervalSince(t)
        _ = model.predict(x)
        t = Date()
        for _ in 0..<options.steps { _ = model.predict(x) }
        return Result(training: training, prediction: Double(options.steps * n) / Date().timeIntervalSince(t))
    }
}
