import Foundation
import NeuralNet
import Scoring

/// What a scoring run asks of its model: which file, which task, how to score strands.
public struct ModelRequest: Sendable {
    /// A model file, or a crick train run directory (its model.safetensors).
    public var path: String
    /// Score only this task (nil: every task).
    public var task: String?
    /// Probabilities or logits, or counts (nil: prob for classifiers, count for count models).
    public var outputType: ScoreType?
    /// For standard models: how the two strands combine (nil: forward).
    public var strandMode: StrandCombination?

    public init(path: String, task: String? = nil, outputType: ScoreType? = nil, strandMode: StrandCombination? = nil) {
        self.path = path
        self.task = task
        self.outputType = outputType
        self.strandMode = strandMode
    }
}

/// Refuses a profile model (its outputs are a profile and counts, not one value per task):
/// attribute takes classifiers and count models, variants classifiers.
func refuseProfileModel(_ architecture: Architecture, path: String) throws {
    guard architecture.target == .profile || architecture.profileLength != nil else { return }
    throw RunError.usage("\(path) is a profile model: attribute takes classifiers and count models, variants classifiers; crick scan writes its profiles and counts, crick predict its counts, crick evaluate its metrics")
}

/// The model of a scoring run, read once: its inference serves every worker thread.
public struct LoadedModel {
    /// The model file read.
    public let path: String
    /// The model (shared by the workers: inference keeps no state in it).
    public let model: Model
    /// The task names of the model file (task1..taskT when it names none).
    public let taskNames: [String]
    /// Indices of the tasks written.
    public let selected: [Int]
    /// How windows are scored (strands, output type).
    public let settings: ScoreSettings

    /// Reads the model of `request`; tells `reporter` when `--strand-mode` does not apply.
    /// `profiles`: the run can score profile models (scan, predict).
    public init(_ request: ModelRequest, reporter: RunReporter, profiles: Bool = false) throws {
        path = request.path
        let (m, contents) = try ModelFile.read(request.path)
        model = m
        taskNames = modelTaskNames(metadata: contents.metadata, outputs: m.architecture.outputs)
        if let t = request.task {
            guard let i = taskNames.firstIndex(of: t) else {
                throw ScoringError.unknownTask(name: t, model: request.path, tasks: taskNames)
            }
            selected = [i]
        } else {
            selected = Array(taskNames.indices)
        }
        if !profiles { try refuseProfileModel(m.architecture, path: request.path) }
        let objective = m.architecture.target
        let type = request.outputType ?? (objective == .binary ? .prob : .count)
        if objective == .binary && type == .count {
            throw RunError.usage("--output-type count needs a count model; \(request.path) is a classifier (prob or logit)")
        }
        if objective != .binary && type == .prob {
            throw RunError.usage("--output-type prob needs a classifier; \(request.path) is a count model (count or logit)")
        }
        if objective == .profile && type != .count {
            throw RunError.usage("--output-type \(type.rawValue): a profile model's scores are predicted counts (count)")
        }
        let training = contents.metadata["training"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let log1p = objective == .mse && training?["target_transform"] as? String == "log1p"
        settings = ScoreSettings(modelStrand: m.architecture.strand, requested: request.strandMode, type: type, objective: objective, log1pCounts: log1p)
        if request.strandMode != nil && m.architecture.strand != .standard {
            reporter.info("the model is \(m.architecture.strand.rawValue) (RC-invariant): --strand-mode does not apply")
        }
    }

    /// The names of the selected tasks.
    public var selectedNames: [String] { selected.map { taskNames[$0] } }

    /// The track line of task `task` for `command`.
    public func trackLine(command: String, task: Int, extra: String = "") -> String {
        let name = taskNames[task]
        let model = (path as NSString).lastPathComponent
        return "track type=bedGraph name=\"crick \(name)\" description=\"crick \(command) \(model) task=\(name) output=\(settings.type.rawValue) strand=\(settings.strandLabel)\(extra)\""
    }

    /// The output path of each selected task: `output` itself for one task, PREFIX.TASK.EXT
    /// for several (see `taskOutputPaths`); several tasks cannot go to stdout.
    public func outputPaths(_ output: String, extension ext: String) throws -> [String] {
        let names = selectedNames
        if names.count > 1 && output == "-" {
            throw RunError.usage("the model has \(names.count) tasks: give -o PREFIX (writes PREFIX.TASK.\(ext)) or --task")
        }
        return taskOutputPaths(output, tasks: names, extension: ext)
    }
}
