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
