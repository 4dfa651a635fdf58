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
        // Targets: 0/1 labels, or for a profile model counts 0-3 per position and their log totals.
        let arch = model.architecture, width = arch.outputWidth, p = arch.profileLength ?? 0, tasks = arch.outputs
        var y = (0..<(n * width)).map { Float($0 % 2) }                                    // (n, width)
        if p > 0 {
            for i in 0..<n {
                for k in 0..<tasks {
                    var total: Float = 0
                    for q in 0..<p { let v = Float(rng.next() % 4); y[i * width + q * tasks + k] = v; total += v }
                    y[i * width + p * tasks + k] = log1p(total)
                }
            }
        }
        let adam = Adam(), workspace = PassWorkspace()
        let loss = ObjectiveLoss(objective: arch.target, profileLength: p)
        func step() {
            model.zeroGradients()
            let (_, g) = loss(outputs: model.forward(x, training: true, workspace: workspace), targets: y)
            model.trainingBackward(g, workspace: workspace)
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
