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
        let fit = try ModelFit(model: m, metadata: contents.metadata, path: options.model, data: data, dataset: options.dataset)
        let objective = fit.objective, tasks = fit.tasks
        let rows = data.rows(split: options.split.code, objective: objective)
        let policy = StrandPolicy(modelStrand: m.architecture.strand, requested: options.strandMode)
        return Result(evaluation: NeuralNet.evaluate(m, on: rows, combination: options.strandMode, countWeight: fit.countWeight), tasks: tasks,
                      rows: rows.rows.count, strand: m.architecture.strand, combination: policy.combination, objective: objective)
    }
}
