import Foundation

/// metrics.tsv of a training run: a header and one `EpochRecord` line per epoch. This type is
/// its one writer and its one reader.
public struct MetricsTable: Sendable, Equatable {
    /// The file's lines after the header, one per epoch, as written.
    public private(set) var lines: [String]

    /// An empty table.
    public init() { lines = [] }

    /// The text of the file.
    public var text: String {
        ([columns == 8 ? EpochRecord.header : MetricsTable.headerWithoutStep] + lines).joined(separator: "\n") + "\n"
    }

    /// Adds an epoch's line (without its step when the table continues a file that has no
    /// step column, so that a resumed run's file stays one table).
    public mutating func append(_ record: EpochRecord) {
        var line = record.line
        if columns == 7, let tab = line.lastIndex(of: "\t") { line = String(line[..<tab]) }
        lines.append(line)
    }

    /// Keeps the first `epochs` lines (those a checkpoint covers).
    public mutating func keep(epochs: Int) { lines = Array(lines.prefix(max(0, epochs))) }

    /// The header of metrics.tsv written before the `step` column was added; such files are
    /// still read (their rows have no step).
    public static let headerWithoutStep = "epoch\ttrain_loss\tvalid_loss\tvalid_auroc\tvalid_auprc\tlearning_rate\tseconds"

    /// One epoch's values as read back: epoch, train and valid loss, valid auROC and auPRC,
    /// learning rate, seconds and the optimiser steps so far (nil in files without the column).
    public struct Row: Sendable, Equatable {
        public var epoch: Int
        public var trainLoss: Double
        public var validLoss: Double
        public var validAuROC: Double
        public var validAuPRC: Double
        public var learningRate: Double
        public var seconds: Double
        public var step: Int?
    }

    /// Columns of the table's lines: 8, or 7 in files without the step column.
    private var columns = 8

    /// The rows of the table; a line that is not a number per column is an error naming the line.
    public func rows(source: String) throws -> [Row] {
        let header = columns == 8 ? EpochRecord.header : MetricsTable.headerWithoutStep
        return try lines.enumerated().map { k, line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            let values = f.map { Double($0) }
            guard f.count == columns, values.allSatisfy({ $0 != nil }), let epoch = Int(f[0]),
                  columns == 7 || Int(f[7]) != nil else {
                throw NetworkError.file(path: "\(source) line \(k + 2)", detail: "metrics line is not \(columns) numbers (\(header.replacingOccurrences(of: "\t", with: ", ")))")
            }
            let v = values.map { $0 ?? 0 }
            return Row(epoch: epoch, trainLoss: v[1], validLoss: v[2], validAuROC: v[3], validAuPRC: v[4], learningRate: v[5], seconds: v[6],
                       step: columns == 8 ? Int(f[7]) : nil)
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
        guard let first = all.first, first == EpochRecord.header || first == MetricsTable.headerWithoutStep else {
            throw NetworkError.file(path: source, detail: "not a crick metrics.tsv (its first line is not the header '\(EpochRecord.header.replacingOccurrences(of: "\t", with: " "))')")
        }
        var table = MetricsTable()
        table.columns = first == EpochRecord.header ? 8 : 7
        table.lines = Array(all.dropFirst())
        _ = try table.rows(source: source)
        return table
    }
}
