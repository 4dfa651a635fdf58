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

    /// Opens a dataset directory (or the directory of a dataset.json path).
    public init(_ directory: String) throws {
        let directory = DatasetInfo.directory(named: directory)
        let arrays = try DatasetArrays(directory: directory)
        self.directory = directory
        info = arrays.info
        sequences = arrays.sequences
        labels = arrays.labels
        split = arrays.split
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
