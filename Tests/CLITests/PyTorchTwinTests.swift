import Foundation
import TestSupport
import XCTest

/// crick's logits equal those of an independent PyTorch implementation of the same
/// architecture (Benchmarks/nn/torch_models.py) on crick's own weights, for every preset and
/// strand mode, within 1e-5. Skipped only where torch is not importable (`make deps` installs
/// the CPU wheel when it can), and failed for that under CI.
final class PyTorchTwinTests: XCTestCase {
    func testLogitsEqualPyTorchTwinOnEveryPresetAndStrand() throws {
        let python = "/usr/bin/python3"
        try requireOracle((try? runTool(python, ["-c", "import torch, numpy"]))?.status == 0, "torch is not importable by \(python)")
        let dir = try TempDir()
        defer { dir.remove() }
        let script = """
            import sys, numpy as np, torch
            sys.path.insert(0, sys.argv[1])
            from torch_models import from_file, load_safetensors
            torch.set_num_threads(1)
            model_path, npy = sys.argv[2], sys.argv[3]
            tensors, meta = load_safetensors(model_path)
            model = from_file(tensors, meta).eval()
            seqs = np.load(npy)
            with torch.no_grad():
                x = torch.nn.functional.one_hot(torch.from_numpy(seqs.astype(np.int64)), 5)[..., :4].float()
                logits = model(x).double().numpy()
            for row in logits:
                print("\\t".join(repr(float(v)) for v in row))
            """
        let scriptPath = try dir.write("twin.py", script)
        var rng = SystemRandomNumberGenerator()
        for preset in ["chip", "zhou-sim", "koo-cnn2", "koo-cnn50", "koo-deep", "bpnet"] {
            let length = ["chip", "zhou-sim", "bpnet"].contains(preset) ? 1000 : 200
            // bpnet: a 200-position profile and a log count per task (201 values each).
            let width = preset == "bpnet" ? 201 * 3 : 3
            // 16 sequences of codes 0-4 (N included), as an NPY matrix written by numpy.
            let seed = Int.random(in: 0..<1_000_000, using: &rng)
            let npy = dir.file("codes-\(preset).npy")
            let made = try runTool(python, ["-c", "import numpy as np, sys; np.save(sys.argv[1], np.random.default_rng(\(seed)).integers(0, 5, size=(16, \(length)), dtype=np.uint8))", npy])
            XCTAssertEqual(made.status, 0, made.stderr)
            for strand in ["standard", "rc", "conjoined"] {
                let model = dir.file("\(preset)-\(strand).safetensors")
                let initRun = try runTool(crickBinary, ["model", "init", "--preset", preset, "--strand", strand, "--outputs", "3",
                                                        "--first-activation", "exponential", "--seed", "\(seed)", "-o", model])
                XCTAssertEqual(initRun.status, 0, initRun.stderr)
                let ours = try runTool(crickBinary, ["model", "logits", model, npy])
                XCTAssertEqual(ours.status, 0, ours.stderr)
                let theirs = try runTool(python, [scriptPath, packageRoot + "/Benchmarks/nn", model, npy])
                XCTAssertEqual(theirs.status, 0, theirs.stderr)
                let a = numbers(ours.text), b = numbers(theirs.text)
                XCTAssertEqual(a.count, 16 * width, "\(preset) \(strand)")
                XCTAssertEqual(a.count, b.count, "\(preset) \(strand)")
                let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
                XCTAssertLessThanOrEqual(worst, 1e-5, "\(preset) \(strand): crick and PyTorch logits differ by \(worst) (seed \(seed))")
            }
        }
    }

    private func numbers(_ text: String) -> [Double] {
        text.split(whereSeparator: { $0 == "\t" || $0 == "\n" }).compactMap { Double($0) }
    }
}
