import Foundation
import NeuralNet

/// `crick evaluate`: a model's metrics on a dataset split.
public struct EvaluationRun {
    /// Which model on which split.
    public struct Options: Sendable {
        /// A model file or a train run directory.
        public var model: String
        public var dataset: String
        public var split: DatasetSplit = .test
        /// How a standard model's strands combine (`average`: the post-hoc conjoined model of
        /// Zhou et al. 2021); nil: the forward strand. rc and conjoined models ignore it.
        public var strandMode: StrandPolicy.Combination?
        public var threads = 1

        public init(model: String, dataset: String) {
            self.model = model
            self.dataset = dataset
        }
    }

    /// The metrics, with what they were computed on.
    public struct Result: Sendable {
        public var evaluation: Evaluation
        /// The dataset's task names.
        public var tasks: [String]
        /// Rows of the split.
        public var rows: Int
        /// The model's strand mode.
        public var strand: StrandMode
        /// The strand combination applied.
        public var combination: StrandPolicy.Combination
        /// What the model predicts.
        public var objective: Objective
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// Evaluates; the model must fit the dataset (input length, tasks).
    public func run() throws -> Result {
        setBLASThreads(options.threads)
        let (m, contents) = try ModelFile.read(options.model)
        let data = try OpenDataset(options.dataset)
        guard data.info.length == m.architecture.inputLength else {
            throw NetworkError.shape("model input length \(m.architecture.inputLength) differs from dataset length \(data.info.length)")
        }
        let objective = m.architecture.target
        guard data.supports(objective) else {
            throw RunError.usage("\(options.model) is a \(objective.rawValue) model; \(options.dataset) has no \(objective == .profile ? "profiles" : "signal targets") for it")
        }
        let tasks = data.taskNames(for: objective)
        guard tasks.count == m.architecture.outputs else {
            throw NetworkError.shape("model has \(m.architecture.outputs) outputs, dataset \(tasks.count) \(objective == .binary ? "tasks" : "signal tasks")")
        }
        let rows = data.rows(split: options.split.code, objective: objective)
        if let p = m.architecture.profileLength, p != rows.profileLength {
            throw NetworkError.shape("model predicts \(p) profile positions, dataset holds \(rows.profileLength)")
        }
        let policy = StrandPolicy(modelStrand: m.architecture.strand, requested: options.strandMode)
        let countWeight = Float(contents.metadata["training"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }?["count_weight"] as? Double ?? 1)
        return Result(evaluation: NeuralNet.evaluate(m, on: rows, combination: options.strandMode, countWeight: countWeight), tasks: tasks,
                      rows: rows.rows.count, strand: m.architecture.strand, combination: policy.combination, objective: objective)
    }
}
