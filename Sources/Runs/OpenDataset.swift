import Dataset
import NeuralNet

/// A dataset directory opened for the network: memory-mapped arrays and the rows of each split.
public final class OpenDataset {
    /// The dataset directory.
    public let directory: String
    /// Its dataset.json.
    public let info: DatasetInfo
    /// (N, L + 2 * jitter) uint8 base codes.
    public let sequences: NPYFile
    /// (N, T) uint8 labels.
    public let labels: NPYFile
    /// (N) uint8 split codes.
    public let split: NPYFile
    /// Regression targets and profiles (datasets with signal).
    public let targets: NPYFile?
    public let profiles: NPYFile?

    /// Opens a dataset directory (or the directory of a dataset.json path).
    public init(_ directory: String) throws {
        let directory = DatasetInfo.directory(named: directory)
        let arrays = try DatasetArrays(directory: directory)
        self.directory = directory
        info = arrays.info
        sequences = arrays.sequences
        labels = arrays.labels
        split = arrays.split
        targets = arrays.targets
        profiles = arrays.profiles
    }

    /// The objectives this dataset can train: binary with peak tasks (all but genome tilings
    /// of signal); mse and poisson with targets; profile with profiles.
    public func supports(_ objective: Objective) -> Bool {
        switch objective {
        case .binary: return !info.tasks.isEmpty
        case .mse, .poisson: return targets != nil
        case .profile: return profiles != nil
        }
    }

    /// The rows of split `code` as `objective` reads them: labels, or the signal tasks'
    /// targets or profiles.
    public func rows(split code: UInt8, objective: Objective) -> LabelledRows {
        var r = rows(split: code)
        guard objective != .binary, let signal = info.signal else { return r }
        r = LabelledRows(length: info.length, tasks: signal.tasks.count, rows: r.rows, jitter: info.jitter ?? 0, sequence: r.sequence, labels: r.labels)
        r.objective = objective
        if let pairs = signal.pairs, !pairs.isEmpty { r.partner = ProfileLayout.partners(pairs, tasks: signal.tasks.count) }
        if let t = targets { r.targets = { t.floatRow($0) } }
        if let p = profiles {
            r.profiles = { p.floatRow($0) }
            r.profileLength = signal.profileLength
        }
        return r
    }

    /// The model outputs' task names for `objective`: the peak tasks, or the signal tasks.
    public func taskNames(for objective: Objective) -> [String] {
        objective == .binary ? info.tasks : (info.signal?.tasks ?? info.tasks)
    }

    /// The rows of split `code` (0 train, 1 valid, 2 test).
    public func rows(split code: UInt8) -> LabelledRows {
        let n = sequences.shape[0]
        let s = split.data.bindMemory(to: UInt8.self)
        let rows = (0..<n).filter { s[$0] == code }
        let seqs = sequences, labs = labels
        return LabelledRows(length: info.length, tasks: info.tasks.count, rows: rows, jitter: info.jitter ?? 0,
                            sequence: { seqs.row($0) }, labels: { labs.row($0) })
    }
}
