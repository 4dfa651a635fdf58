import Dataset
import Foundation
import NeuralNet
import Tracks

/// A training run's learning curves (metrics.tsv of `crick train`).
public struct RunCurves: Sendable {
    public let name: String
    public let epochs: [Double]
    public let trainLoss: [Double]
    public let validLoss: [Double]
    /// The validation metric drawn: auPRC for classifiers, Pearson of log counts for
    /// regression (`regression` true).
    public let validAuPRC: [Double]
    public let regression: Bool

    /// Reads a run's `metrics.tsv` through its reader (`MetricsTable`).
    public static func read(name: String, path: String) throws -> RunCurves {
        let rows = try MetricsTable.read(path: path).rows(source: path)
        let regression = rows.first?.metrics["pearson"] != nil
        return RunCurves(name: name, epochs: rows.map { Double($0.epoch) }, trainLoss: rows.map(\.trainLoss),
                         validLoss: rows.map(\.validLoss), validAuPRC: rows.map { regression ? $0.metrics["pearson"] ?? .nan : $0.validAuPRC },
                         regression: regression)
    }

    /// The metric's name.
    public var metricName: String { regression ? "Pearson (log counts)" : "auPRC" }
}

/// A count or profile model's predictions on test rows: log counts against the observed, and
/// for profile models the windows with the most observed signal, observed against predicted.
public struct SignalPredictions: Sendable {
    public let name: String
    public let strand: String
    /// Predicted and observed log counts of the first task, one per row.
    public let predicted: [Double]
    public let observed: [Double]
    /// Profile models: up to three windows (most observed counts first), observed counts per
    /// position and predicted counts (softmax times the observed total).
    public let examples: [(observed: [Double], predicted: [Double])]

    /// Predicts at most `maxRows` rows of `data` (evenly spaced), first task.
    public static func compute(name: String, model: Model, data: LabelledRows, maxRows: Int = 2000) -> SignalPredictions {
        let step = max(1, data.rows.count / maxRows)
        let rows = Array(Swift.stride(from: 0, to: data.rows.count, by: step).map { data.rows[$0] }.prefix(maxRows))
        let t = data.tasks, p = data.profileLength, width = data.targetWidth
        var predicted: [Double] = [], observed: [Double] = []
        var windows: [(total: Double, observed: [Double], predicted: [Double])] = []
        for start in Swift.stride(from: 0, to: rows.count, by: 256) {
            let order = Array(rows[start..<min(start + 256, rows.count)])
            let (x, y) = data.batch(order[...])
            let out = model.predict(x)
            for i in 0..<order.count {
                switch data.objective {
                case .binary: break
                case .mse:
                    predicted.append(Double(out.data[i * width])); observed.append(Double(y[i * width]))
                case .poisson:
                    predicted.append(log1p(exp(Double(out.data[i * width])))); observed.append(log1p(Double(y[i * width])))
                case .profile:
                    predicted.append(Double(out.data[i * width + p * t])); observed.append(Double(y[i * width + p * t]))
                    let obs = (0..<p).map { Double(y[i * width + $0 * t]) }
                    let logits = (0..<p).map { Double(out.data[i * width + $0 * t]) }
                    let top = logits.max() ?? 0
                    let e = logits.map { exp($0 - top) }, sum = e.reduce(0, +)
                    let total = obs.reduce(0, +)
                    windows.append((total, obs, e.map { $0 / sum * total }))
                }
            }
        }
        let examples = windows.sorted { $0.total > $1.total }.prefix(3).map { ($0.observed, $0.predicted) }
        return SignalPredictions(name: name, strand: model.architecture.strand.rawValue, predicted: predicted, observed: observed, examples: examples)
    }
}

/// Predictions of a model on rows, on both strands (probabilities), with the labels.
public struct StrandPredictions: Sendable {
    public let name: String
    public let strand: String
    /// [task][row]
    public let forward: [[Float]]
    public let reverse: [[Float]]
    public let labels: [[Bool]]

    /// Predicts at most `maxRows` rows of `data` (evenly spaced) on x and rc(x).
    public static func compute(name: String, model: Model, data: LabelledRows, maxRows: Int = 2000) -> StrandPredictions {
        let t = data.tasks
        let step = max(1, data.rows.count / maxRows)
        let rows = Array(Swift.stride(from: 0, to: data.rows.count, by: step).map { data.rows[$0] }.prefix(maxRows))
        var f = [[Float]](repeating: [], count: t), r = f
        var y = [[Bool]](repeating: [], count: t)
        for start in Swift.stride(from: 0, to: rows.count, by: 256) {
            let order = Array(rows[start..<min(start + 256, rows.count)])
            let (x, labels) = data.batch(order[...])
            let a = model.predict(x), b = model.predict(x.reverseComplemented())
            for i in 0..<order.count {
                for k in 0..<t {
                    f[k].append(1 / (1 + expf(-a.data[i * t + k])))
                    r[k].append(1 / (1 + expf(-b.data[i * t + k])))
                    y[k].append(labels[i * t + k] > 0.5)
                }
            }
        }
        return StrandPredictions(name: name, strand: model.architecture.strand.rawValue, forward: f, reverse: r, labels: y)
    }
}

/// A track's coverage, score distribution and top intervals.
public struct TrackSummary: Sendable {
    public let name: String
    public let intervals: Int
    public let coveredBases: Int
    public let genomeBases: Int
    public let scores: [Float]
    public let top: [TrackInterval]

    public init(name: String, intervals list: [TrackInterval], genome: TrackGenome, top n: Int = 10) {
        self.name = name
        intervals = list.count
        coveredBases = list.reduce(0) { $0 + $1.end - $1.start }
        genomeBases = genome.lengths.reduce(0, +)
        scores = list.map(\.value)
        top = Array(list.sorted { ($0.value, $1.start) > ($1.value, $0.start) }.prefix(n))
    }
}

/// ROC and precision-recall curves of scores against labels: (fpr, tpr) and (recall, precision).
/// A point is placed only after a whole group of tied scores (so ties give one diagonal step, as
/// in scikit-learn's roc_curve), and at most about `points` of them, evenly spread over the rows.
public func curves(scores: [Float], labels: [Bool], points: Int = 400) -> (roc: [(Double, Double)], pr: [(Double, Double)]) {
    let order = scores.indices.sorted { (scores[$0], $1) > (scores[$1], $0) }   // descending, stable
    let p = Double(labels.filter { $0 }.count), n = Double(labels.count) - p
    guard p > 0, n > 0 else { return ([], []) }
    var tp = 0.0, fp = 0.0
    var roc: [(Double, Double)] = [(0, 0)], pr: [(Double, Double)] = []
    let every = max(1, order.count / max(points, 1))
    var next = 0
    for (k, i) in order.enumerated() {
        if labels[i] { tp += 1 } else { fp += 1 }
        let groupEnds = k == order.count - 1 || scores[order[k + 1]] != scores[i]
        if groupEnds && k >= next {
            roc.append((fp / n, tp / p))
            pr.append((tp / p, tp / (tp + fp)))
            next = k + every
        }
    }
    return (roc, pr)
}
