import ArgumentParser
import Foundation
import NeuralNet
import Runs

/// `crick evaluate`: test metrics and the forward-vs-reverse-complement discrepancy.
struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A model's metrics on a dataset split: auROC and auPRC per task (classifiers), or Pearson, Spearman and MSE of log counts and the median JSD and Pearson of profiles (count and profile models); and the strand discrepancy |f(x) - f(rc x)|.")

    @Option(help: "Model file (model.safetensors), or a crick train run directory.")
    var model: String

    @Argument(help: "Dataset directory.")
    var dataset: String

    @Option(help: "train, valid or test.")
    var split: DatasetSplit = .test

    @Option(name: .customLong("strand-mode"), help: "Standard models: forward, average (the post-hoc conjoined model: mean logit of x and rc(x)) or max. rc and conjoined models are RC-invariant and ignore it. (default: forward)")
    var strandMode: StrandPolicy.Combination?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        var options = EvaluationRun.Options(model: model, dataset: dataset)
        options.split = split
        options.strandMode = strandMode
        options.threads = common.threads
        let result = try EvaluationRun(options).run()
        let e = result.evaluation
        if strandMode != nil && result.strand != .standard {
            Diagnostics.info("the model is \(result.strand.rawValue) (RC-invariant): --strand-mode does not apply", quiet: common.quiet)
        }
        if result.objective != .binary {
            try printRegression(result, json: json)
            return
        }
        if json {
            var tasks: [[String: Any]] = []
            for (i, t) in result.tasks.enumerated() {
                tasks.append(["task": t, "auroc": e.auROC[i] ?? NSNull(), "auprc": e.auPRC[i] ?? NSNull()])
            }
            let object: [String: Any] = ["model": model, "dataset": dataset, "split": split.rawValue, "rows": result.rows,
                                         "strand": result.strand.rawValue, "strand_mode": result.combination.rawValue, "loss": finite(e.loss), "tasks": tasks,
                                         "mean_auroc": finite(Evaluation.mean(e.auROC)), "mean_auprc": finite(Evaluation.mean(e.auPRC)),
                                         "rc_discrepancy_mean": e.meanRCDifference, "rc_discrepancy_max": e.maxRCDifference]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let combined = result.strand == .standard && result.combination != .forward ? ", strands \(result.combination.rawValue)" : ""
        print("model \(model) (strand \(result.strand.rawValue)\(combined)) on \(dataset) split \(split.rawValue): \(result.rows) rows, loss \(String(format: "%.4f", e.loss))")
        print("task\tauROC\tauPRC")
        for (i, t) in result.tasks.enumerated() {
            print("\(t)\t\(e.auROC[i].map { String(format: "%.4f", $0) } ?? "NA")\t\(e.auPRC[i].map { String(format: "%.4f", $0) } ?? "NA")")
        }
        print(String(format: "mean\t%.4f\t%.4f", Evaluation.mean(e.auROC), Evaluation.mean(e.auPRC)))
        print(String(format: "|p(x) - p(rc x)|: mean %.3g, max %.3g", e.meanRCDifference, e.maxRCDifference))
    }

    /// A number for JSON, or null when it is not finite (JSONSerialization refuses NaN).
    private func finite(_ v: Double) -> Any { v.isFinite ? v : NSNull() }

    /// The metrics of a count or profile model: per task Pearson and Spearman of log counts,
    /// their MSE, and for profiles the median JSD and profile Pearson.
    private func printRegression(_ result: EvaluationRun.Result, json: Bool) throws {
        let e = result.evaluation
        let profile = result.objective == .profile
        // JSON has no NaN (JSONSerialization refuses it): a metric without a value is null.
        func value(_ v: Double?) -> Any { v.flatMap { $0.isFinite ? $0 as Any : nil } ?? NSNull() }
        func text(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "NA" }
        let means = e.metrics(for: result.objective)
        if json {
            var tasks: [[String: Any]] = []
            for (i, t) in result.tasks.enumerated() {
                let r = e.regression[i]
                var entry: [String: Any] = ["task": t, "pearson": value(r.pearson), "spearman": value(r.spearman), "mse": value(r.mse)]
                if profile { entry["median_jsd"] = value(r.medianJSD); entry["median_profile_pearson"] = value(r.medianProfilePearson) }
                tasks.append(entry)
            }
            var object: [String: Any] = ["model": model, "dataset": dataset, "split": split.rawValue, "rows": result.rows, "loss_kind": result.objective.rawValue,
                                         "strand": result.strand.rawValue, "strand_mode": result.combination.rawValue, "loss": value(e.loss), "tasks": tasks,
                                         "mean_pearson": value(means[0]), "mean_spearman": value(means[1]), "mean_mse": value(means[2]),
                                         "rc_discrepancy_mean": value(e.meanRCDifference), "rc_discrepancy_max": value(e.maxRCDifference)]
            if profile { object["mean_median_jsd"] = value(means[3]); object["mean_median_profile_pearson"] = value(means[4]) }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        let combined = result.strand == .standard && result.combination != .forward ? ", strands \(result.combination.rawValue)" : ""
        print("model \(model) (strand \(result.strand.rawValue)\(combined), loss \(result.objective.rawValue)) on \(dataset) split \(split.rawValue): \(result.rows) rows, loss \(String(format: "%.4f", e.loss))")
        print("task\tpearson\tspearman\tmse" + (profile ? "\tmedian_jsd\tmedian_profile_pearson" : "") + "   (log counts)")
        for (i, t) in result.tasks.enumerated() {
            let r = e.regression[i]
            print("\(t)\t\(text(r.pearson))\t\(text(r.spearman))\t\(text(r.mse))" + (profile ? "\t\(text(r.medianJSD))\t\(text(r.medianProfilePearson))" : ""))
        }
        print("mean\t" + means.map { text($0.isNaN ? nil : $0) }.joined(separator: "\t"))
        print(String(format: "|f(x) - f(rc x)| (outputs, profiles of rc x reversed back): mean %.3g, max %.3g", e.meanRCDifference, e.maxRCDifference))
    }
}
