import Foundation

/// metrics.tsv of a training run: a header and one `EpochRecord` line per epoch. This type is
/// its one writer and its one reader.
public struct MetricsTable: Sendable, Equatable {
    /// The file's lines after the header, one per epoch, as written.
    public private(set) var lines: [String]

    /// An empty table.
    public init() { lines = [] }

    /// The header line: a binary model's, or the one of the records appended or read.
    public private(set) var header = EpochRecord.header

    /// The text of the file.
    public var text: String {
        ([header] + lines).joined(separator: "\n") + "\n"
    }

    /// Adds an epoch's line (without its step when the table continues a file that has no
    /// step column, so that a resumed run's file stays one table); the first line sets the
    /// header from the record's metrics.
    public mutating func append(_ record: EpochRecord) {
        var line = record.line
        if columns == 7, let tab = line.lastIndex(of: "\t") { line = String(line[..<tab]) }
        if lines.isEmpty && columns != 7 {
            header = (["epoch", "train_loss", "valid_loss"] + record.metricNames.map { "valid_" + $0 } + ["learning_rate", "seconds", "step"])
                .joined(separator: "\t")
            columns = header.split(separator: "\t").count
        }
        lines.append(line)
    }

    /// Keeps the first `epochs` lines (those a checkpoint covers).
    public mutating func keep(epochs: Int) { lines = Array(lines.prefix(max(0, epochs))) }

    /// The header of metrics.tsv written before the `step` column was added; such files are
    /// still read (their rows have no step).
    public static let headerWithoutStep = "epoch\ttrain_loss\tvalid_loss\tvalid_auroc\tvalid_auprc\tlearning_rate\tseconds"

    /// One epoch's values as read back: epoch, train and valid loss, the validation metrics
    /// by name (auroc and auprc for classifiers; pearson, spearman, mse, and jsd and
    /// profile_pearson for profiles), learning rate, seconds and the optimiser steps so far
    /// (nil in files without the column).
    public struct Row: Sendable, Equatable {
        public var epoch: Int
        public var trainLoss: Double
        public var validLoss: Double
        public var metrics: [String: Double]
        public var learningRate: Double
        public var seconds: Double
        public var step: Int?

        /// Validation auROC and auPRC (NaN in a regression model's table).
        public var validAuROC: Double { metrics["auroc"] ?? .nan }
        public var validAuPRC: Double { metrics["auprc"] ?? .nan }
    }

    /// Columns of the table's lines: the header's (7 in files without the step column).
    private var columns = 8

    /// The rows of the table; a line that is not a number per column is an error naming the line.
    public func rows(source: String) throws -> [Row] {
        let names = header.split(separator: "\t").map(String.init)
        let hasStep = names.last == "step"
        let metricNames = names[3..<(names.count - (hasStep ? 3 : 2))].map { String($0.dropFirst("valid_".count)) }
        return try lines.enumerated().map { k, line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            let values = f.map { Double($0) }
            guard f.count == columns, values.allSatisfy({ $0 != nil }), let epoch = Int(f[0]),
                  !hasStep || Int(f[columns - 1]) != nil else {
                throw NetworkError.file(path: "\(source) line \(k + 2)", detail: "metrics line is not \(columns) numbers (\(header.replacingOccurrences(of: "\t", with: ", ")))")
            }
            let v = values.map { $0 ?? 0 }
            var metrics: [String: Double] = [:]
            for (i, name) in metricNames.enumerated() { metrics[name] = v[3 + i] }
            let rest = 3 + metricNames.count
            return Row(epoch: epoch, trainLoss: v[1], validLoss: v[2], metrics: metrics, learningRate: v[rest], seconds: v[rest + 1],
                       step: hasStep ? Int(f[rest + 2]) : nil)
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
        let known = [MetricsTable.headerWithoutStep] + Objective.allCases.map { EpochRecord.header(for: $0) }
        guard let first = all.first, known.contains(first) else {
            throw NetworkError.file(path: source, detail: "not a crick metrics.tsv (its first line is not the header '\(EpochRecord.header.replacingOccurrences(of: "\t", with: " "))')")
        }
        var table = MetricsTable()
        table.header = first
        table.columns = first.split(separator: "\t").count
        table.lines = Array(all.dropFirst())
        _ = try table.rows(source: source)
        return table
    }
}
