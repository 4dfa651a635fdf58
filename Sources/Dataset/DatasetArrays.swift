/// A dataset directory's arrays, memory-mapped and checked against each other and against
/// `dataset.json`: sequences (N, L) uint8, labels (N, T) uint8, split (N,) uint8.
public struct DatasetArrays {
    public let directory: String
    public let info: DatasetInfo
    public let sequences: NPYFile
    public let labels: NPYFile
    public let split: NPYFile

    public init(directory: String) throws {
        self.directory = directory
        info = try DatasetInfo.read(directory: directory)
        sequences = try NPYFile(path: directory + "/sequences.npy")
        labels = try NPYFile(path: directory + "/labels.npy")
        split = try NPYFile(path: directory + "/split.npy")
        let n = sequences.shape.first ?? 0
        let t = info.tasks.count
        func bad(_ what: String) -> DatasetError { .invalid("inconsistent dataset (\(what)): \(directory)") }
        guard sequences.dtype.hasSuffix("u1"), sequences.shape == [n, info.length] else {
            throw bad("sequences.npy has shape \(sequences.shape), expected (N, \(info.length)) uint8")
        }
        guard labels.shape == [n, t], labels.dtype.hasSuffix("u1") else { throw bad("labels.npy has shape \(labels.shape), expected (\(n), \(t))") }
        guard split.shape == [n], split.dtype.hasSuffix("u1") else { throw bad("split.npy has shape \(split.shape), expected (\(n),)") }
    }
}
