import ArgumentParser
import Dataset
import Foundation
import NeuralNet

extension ModelCommand {
    /// `crick model logits`: the model's logits for rows of a base-code NPY matrix.
    struct Logits: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a model's logits (one line per row, one column per task; a profile model's P x T profile logits, position-major, then its T log counts) for rows of a uint8 code matrix (N x L NPY).")

        @Argument(help: "Model file.")
        var model: String

        @Argument(help: "NPY matrix of base codes (sequences.npy of a dataset, or crick fetch --format npy).")
        var sequences: String

        @Option(help: "Rows to score, from the first (default: all).")
        var rows: Int?

        @OptionGroup var common: CommonOptions

        func run() throws {
            setBLASThreads(common.threads)
            let m = try ModelFile.read(model).model
            let npy = try NPYFile(path: sequences)
            guard npy.shape.count == 2, npy.shape[1] == m.architecture.inputLength, npy.dtype.hasSuffix("u1") else {
                throw NetworkError.shape("\(sequences) holds \(npy.dtype) \(npy.shape); the model needs uint8 (N, \(m.architecture.inputLength))")
            }
            let n = min(rows ?? npy.shape[0], npy.shape[0])
            let l = npy.shape[1]
            var out = ""
            for start in stride(from: 0, to: n, by: 256) {
                let b = min(256, n - start)
                let x = oneHot(codes: UnsafeBufferPointer(rebasing: npy.data.bindMemory(to: UInt8.self)[(start * l)..<((start + b) * l)]), batch: b, length: l)
                let y = m.predict(x)
                let t = m.architecture.outputWidth  // T, or P * T + T for profile models
                for i in 0..<b { out += (0..<t).map { String(format: "%.7g", y.data[i * t + $0]) }.joined(separator: "\t") + "\n" }
            }
            print(out, terminator: "")
        }
    }
}
