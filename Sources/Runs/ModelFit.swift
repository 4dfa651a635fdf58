import Dataset
import Foundation
import NeuralNet

/// What a model predicts on a dataset, checked: the dataset holds the model's targets (labels,
/// signal targets or profiles, with the transform the model was trained on) in its shapes.
struct ModelFit {
    let objective: Objective
    /// The dataset's task names of the model's outputs.
    let tasks: [String]
    /// The profile loss's count weight the model was trained with (1 when not recorded).
    let countWeight: Float

    /// Checks `model` (read from `path`, with its file's `metadata`) against `data`.
    init(model: Model, metadata: [String: String], path: String, data: OpenDataset, dataset: String) throws {
        let arch = model.architecture
        guard data.info.length == arch.inputLength else {
            throw NetworkError.shape("model input length \(arch.inputLength) differs from dataset length \(data.info.length)")
        }
        objective = arch.target
        guard data.supports(objective) else {
            throw RunError.usage("\(path) is a \(objective.rawValue) model; \(dataset) has no \(objective == .profile ? "profiles" : objective == .binary ? "peak labels" : "signal targets") for it")
        }
        tasks = data.taskNames(for: objective)
        guard tasks.count == arch.outputs else {
            throw NetworkError.shape("model has \(arch.outputs) outputs, dataset \(tasks.count) \(objective == .binary ? "tasks" : "signal tasks")")
        }
        let training = metadata["training"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] } ?? [:]
        if let p = arch.profileLength, p != data.info.signal?.profileLength {
            throw NetworkError.shape("model predicts \(p) profile positions, dataset holds \(data.info.signal?.profileLength ?? 0)")
        }
        if let layout = ProfileLayout(arch), let signal = data.info.signal, layout.bin != signal.bin || layout.pairs != (signal.pairs ?? []) {
            throw NetworkError.shape("model predicts profiles in bins of \(layout.bin) with stranded pairs \(layout.pairs); dataset holds bins of \(signal.bin) with pairs \(signal.pairs ?? [])")
        }
        if objective != .binary, let transform = data.info.signal?.transform {
            if objective == .poisson && transform == "log1p" {
                throw RunError.usage("\(path) is a poisson model (raw counts); \(dataset) stores log1p counts")
            }
            if objective == .mse, let trained = training["target_transform"] as? String, trained != transform {
                throw RunError.usage("\(path) was trained on \(trained) counts; \(dataset) stores \(transform) counts")
            }
        }
        countWeight = Float(training["count_weight"] as? Double ?? 1)
    }
}
