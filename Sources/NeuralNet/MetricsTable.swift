import Foundation

/// metrics.tsv of a training run: a header and one `EpochRecord` line per epoch. This type is
/// its one writer and its one reader.
public struct MetricsTable: Sendable, Equatable {
    /// The file's lines after the header, one per epoch, as written.
    public private(set) var lines: [String]

    /// An empty table.
    public init() { lines = [] }

    /// The text of the file.
    public var text: String { ([EpochRecord.header] + lines).joined(separator: "\n") + "\n" }

    /// Adds an epoch's line.
    public mutating func append(_ record: EpochRecord) { lines.append(record.line) }

    /// Keeps the first `epochs` lines (those a checkpoint covers).
    public mutating func keep(epochs: Int) { lines = Array(lines.prefix(max(0, epochs))) }

    /// One epoch's values as read back: epoch, train and valid loss, valid auROC and auPRC,
    /// learning rate and seconds.
    public struct Row: Sendable, Equatable {
        public var epoch: Int
        public var trainLoss: Double
        public var validLoss: Double
        public var validAuROC: Double
        public var validAuPRC: Double
        public var learningRate: Double
        public var seconds: Double
    }

    /// The rows of the table; lines that are not seven numbers are an error naming the line.
    public func rows(source: String) throws -> [Row] {
        try lines.enumerated().map { k, line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            let values = f.map { Double($0) }
            guard f.count == 7, values.allSatisfy({ $0 != nil }), let epoch = Int(f[0]) else {
                throw NetworkError.file(path: "\(source) line \(k + 2)", detail: "metrics line is not 7 numbers (\(EpochRecord.header.replacingOccurrences(of: "\t", with: ", ")))")
            }
            let v = values.map { $0 ?? 0 }
            return Row(epoch: epoch, trainLoss: v[1], validLoss: v[2], validAuROC: v[3], validAuPRC: v[4], learningRate: v[5], seconds: v[6])
        }
    }

    /// Reads metrics.tsv; the first line must be the header.
    public static func read(path: String) throws -> MetricsTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw NetworkError.file(path: path, detail: "cannot read training metrics") }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    /// Parses the text of metrics.tsv.
    public static func parse(_ text: String, source: String) throws -> MetricsTable {
        var all = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map(String.init)
        if all.last == "" { all.removeLast() }
        guard let first = all.first, first == EpochRecord.header else {
            throw NetworkError.file(path: source, detail: "not a crick metrics.tsv (its first line is not the header '\(EpochRecord.header.replacingOccurrences(of: "\t", with: " "))')")
        }
        var table = MetricsTable()
        table.lines = Array(all.dropFirst())
        _ = try table.rows(source: source)
        return table
    }
}
