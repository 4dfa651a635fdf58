import Foundation
import TestSupport
import XCTest

/// `crick train`, `evaluate` and `model summary` end to end on a small simulated dataset.
final class TrainCLITests: XCTestCase {
    private var dir: TempDir!

    override func setUpWithError() throws {
        dir = try TempDir("crick-train")
        let r = try runTool(crickBinary, ["simulate", "--mode", "density", "--n", "400", "--length", "120", "--seed", "2",
                                          "-o", dir.file("sim"), "--dataset", dir.file("ds"), "-q"])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    override func tearDown() { dir.remove() }

    private func arch() throws -> String {
        // A small model so that the debug build trains in seconds.
        try dir.write("arch.json", """
            {"name": "small", "inputLength": 120, "outputs": 3, "strand": "rc", "layers": [
              {"type": "conv", "filters": 8, "kernel": 11, "padding": "same", "bias": false},
              {"type": "batchnorm"}, {"type": "activation", "function": "exponential"},
              {"type": "dropout", "rate": 0.1}, {"type": "maxpool", "pool": 10, "stride": 10},
              {"type": "flatten"}, {"type": "dense", "units": 3}]}
            """)
    }

    private func train(_ extra: [String]) throws -> RunResult {
        try runTool(crickBinary, ["train", dir.file("ds"), "--arch", try arch(), "--batch", "50", "--seed", "7", "-q"] + extra)
    }

    func testSameSeedGivesIdenticalWeightsAndResumeContinuesExactly() throws {
        XCTAssertEqual(try train(["--epochs", "4", "-o", dir.file("a")]).status, 0)
        XCTAssertEqual(try train(["--epochs", "4", "-o", dir.file("b")]).status, 0)
        let a = FileManager.default.contents(atPath: dir.file("a/model.safetensors"))
        XCTAssertNotNil(a)
        XCTAssertEqual(a, FileManager.default.contents(atPath: dir.file("b/model.safetensors")), "same seed, different weights")
        // Two epochs, then resume to four: the same weights and metrics as four in one go.
        XCTAssertEqual(try train(["--epochs", "2", "-o", dir.file("c")]).status, 0)
        let r = try train(["--epochs", "4", "--resume", dir.file("c")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: dir.file("c/checkpoints/last.safetensors")),
                       FileManager.default.contents(atPath: dir.file("a/checkpoints/last.safetensors")))
        let metrics = try String(contentsOfFile: dir.file("c/metrics.tsv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(metrics.count, 5)
        XCTAssertEqual(metrics.map { $0.split(separator: "\t").prefix(5) }, try String(contentsOfFile: dir.file("a/metrics.tsv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t").prefix(5) })
    }

    func testKilledRunResumesToTheSameWeights() throws {
        let args = ["train", dir.file("ds"), "--arch", try arch(), "--batch", "50", "--seed", "9", "--epochs", "25", "--patience", "100", "-q"]
        XCTAssertEqual(try runTool(crickBinary, args + ["-o", dir.file("whole")]).status, 0)
        // Start the same run, SIGKILL it once a few epochs are checkpointed, then resume.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: crickBinary)
        p.arguments = args + ["-o", dir.file("killed")]
        p.standardError = FileHandle.nullDevice
        try p.run()
        let metrics = dir.file("killed/metrics.tsv")
        var waited = 0
        while waited < 600 {
            let lines = (try? String(contentsOfFile: metrics, encoding: .utf8))?.split(separator: "\n").count ?? 0
            if lines >= 4 || !p.isRunning { break }
            usleep(50_000)
            waited += 1
        }
        let killedEarly = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        try XCTSkipUnless(killedEarly, "the run finished before it could be killed")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.file("killed")) + FileManager.default.contentsOfDirectory(atPath: dir.file("killed/checkpoints"))
        XCTAssertFalse(leftovers.contains("model.safetensors"), "a killed run has no final model")
        let r = try runTool(crickBinary, args + ["--resume", dir.file("killed")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: dir.file("killed/model.safetensors")),
                       FileManager.default.contents(atPath: dir.file("whole/model.safetensors")))
    }

    func testEvaluateReportsZeroDiscrepancyForRCAndNotForStandard() throws {
        XCTAssertEqual(try train(["--epochs", "2", "-o", dir.file("rc")]).status, 0)
        XCTAssertEqual(try train(["--epochs", "2", "--strand", "standard", "-o", dir.file("std")]).status, 0)
        func discrepancy(_ run: String) throws -> (Double, Double) {
            let r = try runTool(crickBinary, ["evaluate", "--model", dir.file(run + "/model.safetensors"), dir.file("ds"), "--json"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let object = try JSONSerialization.jsonObject(with: r.stdout) as? [String: Any]
            XCTAssertNotNil(object?["mean_auroc"] as? Double)
            return (object?["rc_discrepancy_max"] as? Double ?? -1, object?["mean_auroc"] as? Double ?? -1)
        }
        XCTAssertLessThanOrEqual(try discrepancy("rc").0, 1e-5)
        XCTAssertEqual(try train(["--epochs", "2", "--strand", "conjoined", "--task-weights", "1,2,0.5", "-o", dir.file("conj")]).status, 0)
        XCTAssertLessThanOrEqual(try discrepancy("conj").0, 1e-5)
        XCTAssertGreaterThan(try discrepancy("std").0, 1e-3)
    }

    /// metrics.tsv as columns by name.
    private func metrics(_ run: String) throws -> [[String: Double]] {
        let lines = try String(contentsOfFile: dir.file(run + "/metrics.tsv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        return lines.dropFirst().map { row in Dictionary(uniqueKeysWithValues: zip(lines[0], row.map { Double($0) ?? .nan })) }
    }

    /// The best epoch and the epochs trained, from `final_metrics` in the header of the run's
    /// model file (safetensors: an 8-byte little-endian length, then JSON).
    private func bestAndLast(_ run: String) throws -> (Int, Int) {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.file(run + "/model.safetensors")))
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any]
        let text = try XCTUnwrap((header?["__metadata__"] as? [String: String])?["final_metrics"])
        let metrics = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        return (try XCTUnwrap(metrics?["best_epoch"] as? Int), try XCTUnwrap(metrics?["epochs"] as? Int))
    }

    /// The stopping epoch a patience rule gives on a column of per-epoch values (`lower`: the
    /// loss), computed from metrics.tsv independently of the trainer.
    private func expectedStop(_ values: [Double], lower: Bool, patience: Int) -> Int {
        var best = lower ? Double.infinity : -Double.infinity, since = 0
        for (i, v) in values.enumerated() {
            if lower ? v < best : v > best { best = v; since = 0 } else { since += 1 }
            if since >= patience { return i + 1 }
        }
        return values.count
    }

    /// --monitor picks the kept epoch, --stop-monitor and --patience the last one, and
    /// --final-weights last keeps the last epoch's weights: each checked against the epochs of
    /// metrics.tsv. The step column counts optimiser steps (AugWithin: twice a plain epoch's).
    func testMonitorsStoppingAndFinalWeights() throws {
        var r = try train(["--epochs", "30", "--monitor", "auroc", "--stop-monitor", "loss", "--patience", "2", "--lr-schedule", "none", "-o", dir.file("m")])
        XCTAssertEqual(r.status, 0, r.stderr)
        var m = try metrics("m")
        let (best, last) = try bestAndLast("m")
        XCTAssertEqual(last, m.count)
        XCTAssertEqual(last, expectedStop(m.map { $0["valid_loss"] ?? .nan }, lower: true, patience: 2))
        let aurocs = m.map { $0["valid_auroc"] ?? .nan }
        XCTAssertEqual(best, (aurocs.firstIndex(of: aurocs.max() ?? .nan) ?? -1) + 1, "best auROC epoch")
        XCTAssertEqual(Set(m.map { $0["learning_rate"] ?? 0 }), [0.001], "--lr-schedule none keeps the rate")
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("ds/dataset.json")))) as? [String: Any]
        let rows = try XCTUnwrap(((info?["counts"] as? [String: Any])?["splits"] as? [String: Any])?["train"] as? Int)
        let perEpoch = (rows + 49) / 50
        XCTAssertEqual(m.map { Int($0["step"] ?? 0) }, (1...m.count).map { $0 * perEpoch })

        r = try train(["--epochs", "30", "--monitor", "loss", "--patience", "3", "--lr-patience", "1", "-o", dir.file("l")])
        XCTAssertEqual(r.status, 0, r.stderr)
        m = try metrics("l")
        let losses = m.map { $0["valid_loss"] ?? .nan }
        XCTAssertEqual(try bestAndLast("l").1, expectedStop(losses, lower: true, patience: 3))
        XCTAssertEqual(try bestAndLast("l").0, (losses.firstIndex(of: losses.min() ?? .nan) ?? -1) + 1, "best loss epoch")
        if m.count > 1 {
            // The plateau schedule: after an epoch without a lower loss, the rate drops by 0.2.
            for k in 1..<m.count where losses[k - 1] >= (losses[..<(k - 1)].min() ?? .infinity) {
                XCTAssertLessThan(m[k]["learning_rate"] ?? 1, m[k - 1]["learning_rate"] ?? 0, "epoch \(k + 1)")
            }
        }

        // --final-weights last: the model file scores as the last checkpoint does.
        r = try train(["--epochs", "6", "--patience", "100", "--final-weights", "last", "-o", dir.file("f")])
        XCTAssertEqual(r.status, 0, r.stderr)
        func evaluation(_ model: String) throws -> String {
            let e = try runTool(crickBinary, ["evaluate", "--model", model, dir.file("ds"), "--split", "valid", "--json"])
            XCTAssertEqual(e.status, 0, e.stderr)
            var object = try JSONSerialization.jsonObject(with: e.stdout) as? [String: Any] ?? [:]
            object["model"] = nil
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }
        XCTAssertEqual(try evaluation(dir.file("f/model.safetensors")), try evaluation(dir.file("f/checkpoints/last.safetensors")))
        XCTAssertEqual(try bestAndLast("f").1, 6)

        // --rc-augment both: every row and its reverse complement, so twice the steps; a bare
        // --rc-augment is still random flips.
        r = try train(["--epochs", "2", "--strand", "standard", "--rc-augment", "both", "-o", dir.file("b")])
        XCTAssertEqual(r.status, 0, r.stderr)
        let both = (2 * rows + 49) / 50
        XCTAssertEqual(try metrics("b").map { Int($0["step"] ?? 0) }, [both, 2 * both])
        r = try train(["--epochs", "1", "--strand", "standard", "--rc-augment", "-o", dir.file("bare")])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try metrics("bare").map { Int($0["step"] ?? 0) }, [perEpoch])
        r = try train(["--epochs", "1", "--rc-augment", "sometimes", "-o", dir.file("bad")])
        XCTAssertEqual(r.status, 64, r.stderr)
    }

    /// evaluate --strand-mode average scores a standard model as its post-hoc conjoined model:
    /// the auROC of the mean of the logits of x and rc(x) (numpy, from `model logits` of the
    /// sequences and of their reverse complements), and no strand discrepancy.
    func testEvaluateStrandModeAverageIsThePostHocConjoinedModel() throws {
        XCTAssertEqual(try train(["--epochs", "2", "--strand", "standard", "-o", dir.file("std")]).status, 0)
        let model = dir.file("std/model.safetensors")
        let e = try runTool(crickBinary, ["evaluate", "--model", model, dir.file("ds"), "--strand-mode", "average", "--json"])
        XCTAssertEqual(e.status, 0, e.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: e.stdout) as? [String: Any])
        XCTAssertEqual(object["strand_mode"] as? String, "average")
        XCTAssertLessThanOrEqual(object["rc_discrepancy_max"] as? Double ?? 1, 1e-6)
        let python = "/usr/bin/python3"
        try requireOracle(FileManager.default.fileExists(atPath: python) && (try runTool(python, ["-c", "import numpy"])).status == 0, "numpy")
        let rc = try runTool(python, ["-c", "import numpy as np, sys; s = np.load(sys.argv[1]); r = np.where(s < 4, 3 - s, 4)[:, ::-1]; np.save(sys.argv[2], np.ascontiguousarray(r).astype(np.uint8))",
                                      dir.file("ds/sequences.npy"), dir.file("rc.npy")])
        XCTAssertEqual(rc.status, 0, rc.stderr)
        for (input, name) in [(dir.file("ds/sequences.npy"), "fwd.txt"), (dir.file("rc.npy"), "rev.txt")] {
            let l = try runTool(crickBinary, ["model", "logits", model, input])
            XCTAssertEqual(l.status, 0, l.stderr)
            XCTAssertTrue(FileManager.default.createFile(atPath: dir.file(name), contents: l.stdout))
        }
        let oracle = try runTool(python, ["-c", """
            import numpy as np, sys
            f, r = np.loadtxt(sys.argv[1], ndmin=2), np.loadtxt(sys.argv[2], ndmin=2)
            y, split = np.load(sys.argv[3]), np.load(sys.argv[4])
            z = ((f + r) / 2)[split == 2]; y = y[split == 2]
            def auroc(s, t):
                pos, neg = s[t == 1], s[t == 0]
                return ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg))
            print(np.mean([auroc(z[:, k], y[:, k]) for k in range(y.shape[1])]))
            """, dir.file("fwd.txt"), dir.file("rev.txt"), dir.file("ds/labels.npy"), dir.file("ds/split.npy")])
        XCTAssertEqual(oracle.status, 0, oracle.stderr)
        let expected = try XCTUnwrap(Double(oracle.text.trimmingCharacters(in: .whitespacesAndNewlines)))
        XCTAssertEqual(object["mean_auroc"] as? Double ?? -1, expected, accuracy: 2e-4)
        // An rc model ignores it, and says so.
        XCTAssertEqual(try train(["--epochs", "1", "-o", dir.file("rc")]).status, 0)
        let ignored = try runTool(crickBinary, ["evaluate", "--model", dir.file("rc/model.safetensors"), dir.file("ds"), "--strand-mode", "average"])
        XCTAssertEqual(ignored.status, 0, ignored.stderr)
        XCTAssertTrue(ignored.stderr.contains("--strand-mode does not apply"), ignored.stderr)
    }

    /// A checkpoint's best scores belong to its monitors: resuming with others is refused.
    func testResumeRefusesOtherMonitors() throws {
        XCTAssertEqual(try train(["--epochs", "2", "--monitor", "loss", "-o", dir.file("m")]).status, 0)
        let r = try train(["--epochs", "3", "--resume", dir.file("m")])
        XCTAssertEqual(r.status, 64, r.stderr)
        XCTAssertTrue(r.stderr.contains("--monitor auprc --stop-monitor auprc disagree with the checkpoint (--monitor loss --stop-monitor loss)"), r.stderr)
        XCTAssertEqual(try train(["--epochs", "3", "--monitor", "loss", "--resume", dir.file("m")]).status, 0)
    }

    func testResumeRefusesFlagsThatDisagreeWithTheCheckpoint() throws {
        XCTAssertEqual(try train(["--epochs", "1", "-o", dir.file("r")]).status, 0)
        for (flags, message) in [(["--strand", "standard"], "--strand standard disagrees with the checkpoint (strand rc)"),
                                 (["--preset", "koo-cnn2"], "--preset koo-cnn2 disagrees with the checkpoint's architecture")] {
            // train() passes --arch; the preset case needs it dropped.
            let args = ["train", dir.file("ds"), "--batch", "50", "--seed", "7", "-q", "--epochs", "2", "--resume", dir.file("r")]
                + (flags[0] == "--preset" ? [] : ["--arch", try arch()]) + flags
            let r = try runTool(crickBinary, args)
            XCTAssertEqual(r.status, 64, r.stderr)
            XCTAssertTrue(r.stderr.contains(message), r.stderr)
        }
        let metrics = try String(contentsOfFile: dir.file("r/metrics.tsv"), encoding: .utf8)
        XCTAssertEqual(metrics.split(separator: "\n").count, 2, "refused resumes trained nothing")
        // The run's own flags (or none) resume it.
        XCTAssertEqual(try train(["--epochs", "2", "--strand", "rc", "--resume", dir.file("r")]).status, 0)
        XCTAssertEqual(try String(contentsOfFile: dir.file("r/metrics.tsv"), encoding: .utf8).split(separator: "\n").count, 3)
        let both = try train(["--epochs", "1", "--first-activation", "relu", "-o", dir.file("x")])
        XCTAssertEqual(both.status, 64)
        XCTAssertTrue(both.stderr.contains("with --arch, set it in the architecture file"), both.stderr)
    }

    func testModelSummaryOfPresetAndFile() throws {
        let r = try runTool(crickBinary, ["model", "summary", "--preset", "chip", "--strand", "rc"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.text.contains("bn1 (RevCompConv1DBatchNorm)"))
        XCTAssertTrue(r.text.contains("Trainable params: 16193"), r.text)
        XCTAssertEqual(try train(["--epochs", "1", "-o", dir.file("s")]).status, 0)
        let f = try runTool(crickBinary, ["model", "summary", dir.file("s/model.safetensors")])
        XCTAssertTrue(f.text.contains("Model: small (strand rc"), f.text)
    }
}
