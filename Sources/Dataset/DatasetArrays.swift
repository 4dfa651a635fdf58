import Foundation

/// A dataset directory's arrays, memory-mapped and checked against each other and against
/// `dataset.json`: sequences (N, L) uint8, labels (N, T) uint8, split (N,) uint8.
public struct DatasetArrays {
    public let directory: String
    public let info: DatasetInfo
    public let sequences: NPYFile
    public let labels: NPYFile
    public let split: NPYFile
    /// (N, T) float32 regression targets, and (N, T, W) float32 profiles (datasets with signal).
    public let targets: NPYFile?
    public let profiles: NPYFile?

    public init(directory: String) throws {
        self.directory = directory
        info = try DatasetInfo.read(directory: directory)
        sequences = try NPYFile(path: directory + "/sequences.npy")
        labels = try NPYFile(path: directory + "/labels.npy")
        split = try NPYFile(path: directory + "/split.npy")
        let n = sequences.shape.first ?? 0
        let t = info.tasks.count
        func bad(_ what: String) -> DatasetError { .invalid("inconsistent dataset (\(what)): \(directory)") }
        guard sequences.dtype.hasSuffix("u1"), sequences.shape == [n, info.storedLength] else {
            throw bad("sequences.npy has shape \(sequences.shape), expected (N, \(info.storedLength)) uint8")
        }
        guard labels.shape == [n, t], labels.dtype.hasSuffix("u1") else { throw bad("labels.npy has shape \(labels.shape), expected (\(n), \(t))") }
        guard split.shape == [n], split.dtype.hasSuffix("u1") else { throw bad("split.npy has shape \(split.shape), expected (\(n),)") }
        try DatasetArrays.requireCodes(labels, allowed: 1, what: "labels other than 0 and 1", tasks: info.tasks, directory: directory)
        try DatasetArrays.requireCodes(split, allowed: 2, what: "split codes other than 0 (train), 1 (valid) and 2 (test)", tasks: nil, directory: directory)
        if let signal = info.signal {
            let ts = signal.tasks.count
            let targets = try NPYFile(path: directory + "/targets.npy")
            guard targets.dtype == "<f4", targets.shape == [n, ts] else { throw bad("targets.npy has shape \(targets.shape) \(targets.dtype), expected (\(n), \(ts)) float32") }
            self.targets = targets
            if signal.profile, let w = signal.profileWidth {
                let profiles = try NPYFile(path: directory + "/profiles.npy")
                guard profiles.dtype == "<f4", profiles.shape == [n, ts, w] else {
                    throw bad("profiles.npy has shape \(profiles.shape) \(profiles.dtype), expected (\(n), \(ts), \(w)) float32")
                }
                self.profiles = profiles
            } else {
                profiles = nil
            }
        } else {
            targets = nil
            profiles = nil
        }
    }

    /// Refuses values above `allowed` in a uint8 array, with their count and the first.
    private static func requireCodes(_ array: NPYFile, allowed: UInt8, what: String, tasks: [String]?, directory: String) throws {
        let values = array.data.bindMemory(to: UInt8.self)
        let width = max(1, array.shape.dropFirst().reduce(1, *))
        var bad = 0
        var first: (index: Int, value: UInt8)?
        for (i, v) in values.enumerated() where v > allowed {
            bad += 1
            if first == nil { first = (i, v) }
        }
        guard let first else { return }
        let name = (array.path as NSString).lastPathComponent
        var at = "row \(first.index / width)"
        if let tasks, tasks.indices.contains(first.index % width) { at += ", task \(tasks[first.index % width])" }
        throw DatasetError.invalid("\(name) holds \(bad) \(what) (the first, \(first.value), at \(at)): \(directory)")
    }
}
