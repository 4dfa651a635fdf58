/// Errors of scoring runs that are about the inputs' fit to each other.
public enum ScoringError: Error, CustomStringConvertible, Equatable, Sendable {
    /// `--task` names a task the model does not have.
    case unknownTask(name: String, model: String, tasks: [String])
    /// Options that contradict the model or each other.
    case invalid(String)

    public var description: String {
        switch self {
        case .unknownTask(let name, let model, let tasks):
            return "the model has no task '\(name)' (it has \(tasks.joined(separator: ", "))): \(model)"
        case .invalid(let s): return s
        }
    }
}

/// The task names of a model file's metadata (comma-separated `tasks`), or task1..taskT.
public func modelTaskNames(metadata: [String: String], outputs: Int) -> [String] {
    if let t = metadata["tasks"] {
        let names = t.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if names.count == outputs { return names }
    }
    return (1...max(1, outputs)).map { "task\($0)" }
}

/// The output paths for `tasks`: `output` itself for one task, else PREFIX.TASK.EXT with
/// PREFIX the output without a track extension and EXT the extension of `format`.
public func taskOutputPaths(_ output: String, tasks: [String], extension ext: String) -> [String] {
    guard tasks.count > 1 else { return [output] }
    var prefix = output
    for e in [".bedGraph", ".bedgraph", ".bg", ".bw", ".bigWig", ".bigwig", ".bed"] where prefix.hasSuffix(e) {
        prefix = String(prefix.dropLast(e.count))
        break
    }
    return tasks.map { "\(prefix).\($0).\(ext)" }
}
