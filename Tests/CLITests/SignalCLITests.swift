import Foundation
import TestSupport
import XCTest

/// Datasets with signal (`crick dataset --signal`) and count and profile models end to end:
/// targets and profiles against numpy's coverage of the same fragments, a trained profile
/// model's loss and metrics against the PyTorch twin and scipy on crick's own weights, and
/// the refusals.
final class SignalCLITests: XCTestCase {
    private var dir: TempDir!
    private let python = "/usr/bin/python3"

    override func setUpWithError() throws {
        dir = try TempDir("crick-signal")
        // Three contigs of 6 kb, 30 peaks each, and fragments piling up around the summits.
        var rng = TestRNG(seed: 41)
        var contigs: [(String, String)] = []
        var peaks = "", fragments = ""
        for c in 1...3 {
            contigs.append(("c\(c)", randomSequence(6000, alphabet: "ACGT", rng: &rng)))
            for k in 0..<30 {
                let summit = 300 + k * 180 + Int(rng.next() % 60)
                peaks += "c\(c)\t\(summit - 50)\t\(summit + 50)\tp\(c)_\(k)\t100\t.\t5\t-1\t-1\t50\n"
                for _ in 0..<Int(rng.next() % 40) {
                    let start = summit - 80 + Int(rng.next() % 120)
                    fragments += "c\(c)\t\(start)\t\(start + 20 + Int(rng.next() % 60))\n"
                }
            }
        }
        _ = try dir.write("g.fa", fastaText(contigs, width: 60))
        XCTAssertEqual(try runTool("/usr/bin/env", ["samtools", "faidx", dir.file("g.fa")]).status, 0)
        _ = try dir.write("peaks.narrowPeak", peaks)
        _ = try dir.write("frags.bed", fragments)
        for out in ["cov.bw", "cov.bedgraph"] {
            let r = try runTool(crickBinary, ["coverage", dir.file("frags.bed"), "--genome", dir.file("g.fa"), "-q", "-o", dir.file(out)])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
    }

    /// Python helpers of the scan tests: contig c2's base codes, windows at given starts and
    /// their reverse complements, and `crick model logits` on windows.
    private static let windowHelpers = """
        import subprocess, numpy as np
        def c2_codes(d):
            seq = "".join(l.strip() for l in open(d + "/g.fa").read().split(">c2")[1].split(">")[0].splitlines()[1:])
            code = {"A": 0, "C": 1, "G": 2, "T": 3}
            return np.array([code.get(b, 4) for b in seq.upper()], dtype=np.uint8)
        def windows(x, starts):
            w = np.stack([x[s:s + 200] for s in starts])
            return w, np.where(w[:, ::-1] < 4, 3 - w[:, ::-1], 4).astype(np.uint8)
        def model_logits(crick, model, d, a):
            np.save(d + "/w.npy", a)
            out = subprocess.run([crick, "model", "logits", model, d + "/w.npy"], capture_output=True, text=True, check=True).stdout
            return np.array([[float(v) for v in l.split()] for l in out.splitlines()])

        """

    override func tearDown() { dir.remove() }

    private func dataset(_ name: String, _ extra: [String]) throws -> RunResult {
        try runTool(crickBinary, ["dataset", "--fasta", dir.file("g.fa"), "--peaks", "p=" + dir.file("peaks.narrowPeak"), "--length", "200",
                                  "--label-core", "100", "--neg-ratio", "0.5", "--valid-chroms", "c2", "--test-chroms", "c3", "-q", "-o", dir.file(name)] + extra)
    }

    func testTargetsAndProfilesEqualNumpyCoverage() throws {
        try requireOracle((try? runTool(python, ["-c", "import numpy"]))?.status == 0, "numpy is not importable by \(python)")
        XCTAssertEqual(try dataset("bw", ["--signal", "atac=" + dir.file("cov.bw"), "--profile"]).status, 0)
        XCTAssertEqual(try dataset("bg", ["--signal", "atac=" + dir.file("cov.bedgraph"), "--profile"]).status, 0)
        let binned = try dataset("bin", ["--signal", "atac=" + dir.file("cov.bw"), "--profile", "--bin", "10", "--transform", "none", "--jitter", "0"])
        XCTAssertEqual(binned.status, 0, binned.stderr)
        let jittered = try dataset("jit", ["--signal", dir.file("cov.bw"), "--profile", "--jitter", "7", "--target-length", "60"])
        XCTAssertEqual(jittered.status, 0, jittered.stderr)
        // numpy: coverage of every fragment's span, then each window's central bases.
        let script = """
            import sys, json, numpy as np
            d = sys.argv[1]
            cov = {f"c{c}": np.zeros(6000) for c in (1, 2, 3)}
            for line in open(d + "/frags.bed"):
                c, s, e = line.split()
                cov[c][int(s):int(e)] += 1
            def expect(ds, target, jitter, bin_, log):
                regions = [l.split("\\t") for l in open(f"{d}/{ds}/regions.bed")]
                counts, profiles = [], []
                for r in regions:
                    start = int(r[1]) + (200 - target) // 2
                    if r[3] == "shuffle":
                        counts.append(0.0); profiles.append(np.zeros(target + 2 * jitter)); continue
                    v = cov[r[0]][start - jitter:start + target + jitter]
                    counts.append(np.log1p(v[jitter:jitter + target].sum()) if log else v[jitter:jitter + target].sum())
                    profiles.append(v)
                p = np.array(profiles)
                if bin_ > 1:
                    p = p.reshape(len(p), target // bin_, bin_).sum(axis=2)
                return np.array(counts)[:, None], p[:, None, :]
            for ds, target, jitter, bin_, log in [("bw", 100, 0, 1, True), ("bg", 100, 0, 1, True), ("bin", 100, 0, 10, False), ("jit", 60, 7, 1, True)]:
                c, p = expect(ds, target, jitter, bin_, log)
                t, q = np.load(f"{d}/{ds}/targets.npy"), np.load(f"{d}/{ds}/profiles.npy")
                assert t.dtype == np.float32 and q.dtype == np.float32, (t.dtype, q.dtype)
                assert t.shape == c.shape and q.shape == p.shape, (ds, t.shape, c.shape, q.shape, p.shape)
                assert np.abs(t - c).max() < 1e-5 and np.abs(q - p).max() == 0, ds
                info = json.load(open(f"{d}/{ds}/dataset.json"))["signal"]
                assert info["target_length"] == target and info["bin"] == bin_ and info["transform"] == ("log1p" if log else "none"), info
            print("ok", int(np.load(f"{d}/bw/targets.npy").astype(bool).sum()))
            """
        let r = try runTool(python, ["-c", script, dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.text.hasPrefix("ok"), r.text)
        // Windows with signal exist (the comparison is not of zeros).
        XCTAssertGreaterThan(Int(r.text.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0, 20)
    }

    /// A small rc profile model trained two epochs: crick's test loss and metrics equal the
    /// PyTorch twin's loss (BPNet's multinomial NLL plus weighted log-count MSE) and scipy's
    /// Pearson, Spearman and Jensen-Shannon distance on crick's weights; the profile of rc(x)
    /// is the reversed profile of x.
    func testProfileModelLossAndMetricsEqualPyTorchAndScipy() throws {
        try requireOracle((try? runTool(python, ["-c", "import torch, numpy, scipy"]))?.status == 0, "torch and scipy are not importable by \(python)")
        XCTAssertEqual(try dataset("ds", ["--signal", "atac=" + dir.file("cov.bw"), "--profile"]).status, 0)
        let arch = try dir.write("arch.json", """
            {"name": "tiny-profile", "inputLength": 200, "outputs": 1, "strand": "rc", "layers": [
              {"type": "conv", "filters": 8, "kernel": 9, "padding": "valid", "bias": true},
              {"type": "batchnorm"}, {"type": "activation", "function": "relu"},
              {"type": "conv", "filters": 8, "kernel": 5, "padding": "valid", "bias": true},
              {"type": "activation", "function": "relu"},
              {"type": "profilehead", "kernel": 7, "profile": 100}]}
            """)
        let train = try runTool(crickBinary, ["train", dir.file("ds"), "--arch", arch, "--epochs", "2", "--batch", "16", "--count-weight", "2.5",
                                              "--seed", "3", "-q", "-o", dir.file("run")])
        XCTAssertEqual(train.status, 0, train.stderr)
        let header = try String(contentsOfFile: dir.file("run/metrics.tsv"), encoding: .utf8).split(separator: "\n").first.map(String.init)
        XCTAssertEqual(header, "epoch\ttrain_loss\tvalid_loss\tvalid_pearson\tvalid_spearman\tvalid_mse\tvalid_jsd\tvalid_profile_pearson\tlearning_rate\tseconds\tstep")
        let eval = try runTool(crickBinary, ["evaluate", "--model", dir.file("run"), dir.file("ds"), "--split", "test", "--json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let script = """
            import sys, json, numpy as np, torch, scipy.stats, scipy.spatial.distance as dist
            sys.path.insert(0, sys.argv[1])
            from torch_models import from_file, load_safetensors, profile_loss, reverse_profiles
            d = sys.argv[2]
            tensors, meta = load_safetensors(d + "/run/model.safetensors")
            model = from_file(tensors, meta)
            rows = np.load(d + "/ds/split.npy") == 2
            x = torch.nn.functional.one_hot(torch.from_numpy(np.load(d + "/ds/sequences.npy")[rows].astype(np.int64)), 5)[..., :4].double()
            y = torch.from_numpy(np.load(d + "/ds/profiles.npy")[rows]).double().transpose(1, 2)  # (B, P, T)
            model = model.double()
            with torch.no_grad():
                out = model(x)
                rc = reverse_profiles(model(x.flip(1, 2)), 100, 1)
            crick = json.loads(sys.stdin.read())
            loss = profile_loss(out, y, 100, 1, 2.5).item()
            pred, obs = out[:, 100].numpy(), torch.log1p(y.sum(dim=1))[:, 0].numpy()
            probs = torch.softmax(out[:, :100], dim=1).numpy()
            yp = y[:, :, 0].numpy()
            keep = yp.sum(axis=1) > 0
            jsd = np.median([dist.jensenshannon(p, o) for p, o in zip(probs[keep], yp[keep])])
            pp = np.median([scipy.stats.pearsonr(p, o)[0] for p, o in zip(probs[keep], yp[keep]) if o.std() > 0])
            task = crick["tasks"][0]
            checks = {"loss": (crick["loss"], loss), "pearson": (task["pearson"], scipy.stats.pearsonr(pred, obs)[0]),
                      "spearman": (task["spearman"], scipy.stats.spearmanr(pred, obs)[0]), "mse": (task["mse"], float(((pred - obs) ** 2).mean())),
                      "jsd": (task["median_jsd"], jsd), "profile_pearson": (task["median_profile_pearson"], pp)}
            bad = {k: v for k, v in checks.items() if abs(v[0] - v[1]) > 1e-4 * max(1, abs(v[1]))}
            assert not bad, bad
            assert crick["rows"] == int(rows.sum()) and crick["loss_kind"] == "profile"
            assert (out - rc).abs().max().item() < 1e-9, "twin rc"
            assert crick["rc_discrepancy_max"] < 1e-4, crick["rc_discrepancy_max"]
            print("ok", checks)
            """
        let r = try runTool(python, ["-c", script, packageRoot + "/Benchmarks/nn", dir.path], stdin: Data(eval.text.utf8))
        XCTAssertEqual(r.status, 0, r.stderr + r.text)
        XCTAssertTrue(r.text.hasPrefix("ok"), r.text)
        // The report: a signal section with the test Pearson evaluate gives, profile examples,
        // validation Pearson curves, and no NaN drawn.
        let report = try runTool(crickBinary, ["report", "--run", "tiny=" + dir.file("run"), "--dataset", dir.file("ds"), "-o", dir.file("r.html")])
        XCTAssertEqual(report.status, 0, report.stderr)
        let page = try String(contentsOfFile: dir.file("r.html"), encoding: .utf8)
        let pearson = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(eval.text.utf8)) as? [String: Any])?["mean_pearson"] as? Double)
        XCTAssertTrue(page.contains("id=\"signal\""), "no signal section")
        XCTAssertTrue(page.contains("Pearson \(String(format: "%.3f", pearson))"), "the report's Pearson differs from evaluate's \(pearson)")
        XCTAssertTrue(page.contains("tiny: window 3"), "no profile examples")
        XCTAssertTrue(page.contains("Validation Pearson"))
        XCTAssertFalse(page.contains("NaN") || page.contains("nan"), "NaN in the page")
    }

    func testCountModelsAndRefusals() throws {
        XCTAssertEqual(try dataset("ds", ["--signal", "atac=" + dir.file("cov.bedgraph")]).status, 0)
        XCTAssertEqual(try dataset("raw", ["--signal", "atac=" + dir.file("cov.bedgraph"), "--transform", "none"]).status, 0)
        let arch = try dir.write("arch.json", """
            {"name": "tiny-counts", "inputLength": 200, "outputs": 1, "strand": "rc", "layers": [
              {"type": "conv", "filters": 8, "kernel": 9, "padding": "valid", "bias": true},
              {"type": "activation", "function": "relu"}, {"type": "maxpool", "pool": 8, "stride": 8},
              {"type": "flatten"}, {"type": "dense", "units": 1}]}
            """)
        // mse by default on a dataset with targets; poisson on raw counts.
        let mse = try runTool(crickBinary, ["train", dir.file("ds"), "--arch", arch, "--epochs", "2", "--seed", "1", "-q", "-o", dir.file("mse")])
        XCTAssertEqual(mse.status, 0, mse.stderr)
        let poisson = try runTool(crickBinary, ["train", dir.file("raw"), "--arch", arch, "--loss", "poisson", "--monitor", "pearson",
                                                "--epochs", "2", "--seed", "1", "-q", "-o", dir.file("poisson")])
        XCTAssertEqual(poisson.status, 0, poisson.stderr)
        let eval = try runTool(crickBinary, ["evaluate", "--model", dir.file("poisson"), dir.file("raw"), "--split", "test"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(eval.text.contains("loss poisson"), eval.text)
        // Predicted counts as a track: exp of the log rate, identical to the model's outputs.
        let bed = try dir.write("r.bed", "c1\t100\t300\nc2\t1000\t1200\n")
        let predicted = try runTool(crickBinary, ["predict", "--model", dir.file("poisson"), "--fasta", dir.file("g.fa"), "--regions", bed,
                                                  "--no-track-line", "-o", "-"])
        XCTAssertEqual(predicted.status, 0, predicted.stderr)
        let values = predicted.text.split(separator: "\n").compactMap { $0.split(separator: "\t").last.flatMap { Double($0) } }
        XCTAssertEqual(values.count, 2, predicted.text)
        XCTAssertTrue(values.allSatisfy { $0 > 0 }, "poisson counts are exp of a log rate: \(values)")
        // Refusals: poisson on log1p targets, a profile loss without profiles, prob output of a
        // count model, a binary monitor for regression (usage errors, exit 64).
        for (args, expected) in [(["train", dir.file("ds"), "--arch", arch, "--loss", "poisson", "-o", dir.file("x")], "log1p"),
                                 (["train", dir.file("ds"), "--loss", "profile", "-o", dir.file("x")], "profiles"),
                                 (["train", dir.file("ds"), "--arch", arch, "--monitor", "auprc", "-o", dir.file("x")], "does not apply"),
                                 (["predict", "--model", dir.file("poisson"), "--fasta", dir.file("g.fa"), "--regions", bed, "--output-type", "prob", "-o", "-"], "count model"),
                                 (["variants", "--model", dir.file("poisson"), "--fasta", dir.file("g.fa"), try dir.write("v.vcf", "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nc1\t150\t.\tA\tC\t.\t.\t.\n"), "-o", "-"], "count model")] {
            let r = try runTool(crickBinary, args)
            XCTAssertEqual(r.status, 64, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains(expected), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("x/model.safetensors")))
        }
        // Bad signal options and values: one error line, exit 1.
        _ = try dir.write("neg.bedgraph", "c1\t0\t6000\t-1\n")
        for (extra, expected) in [(["--signal", dir.file("cov.bw"), "--profile", "--bin", "7"], "--bin 7 must divide"),
                                  (["--signal", dir.file("neg.bedgraph")], "not a finite count >= 0")] {
            let r = try dataset("bad", extra)
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("crick: error:") && r.stderr.contains(expected), r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("bad")))
        }
    }

    /// A profile model's scan: windows every P bp, each writing its central P bp; the values
    /// equal numpy's softmax times expm1(log count) of `crick model logits` on the same
    /// windows (rc model; a standard model with --strand-mode average, whose reverse-strand
    /// profile must be reversed back), and the counts track holds each window's total.
    func testProfileScanEqualsNumpyOnWindowLogits() throws {
        try requireOracle((try? runTool(python, ["-c", "import numpy"]))?.status == 0, "numpy is not importable by \(python)")
        let arch = try dir.write("arch.json", """
            {"name": "tiny-profile", "inputLength": 200, "outputs": 1, "strand": "rc", "layers": [
              {"type": "conv", "filters": 6, "kernel": 9, "padding": "valid", "bias": true},
              {"type": "activation", "function": "relu"},
              {"type": "profilehead", "kernel": 7, "profile": 100}]}
            """)
        for strand in ["rc", "standard"] {
            let model = dir.file("m-\(strand).safetensors")
            XCTAssertEqual(try runTool(crickBinary, ["model", "init", "--arch", arch, "--strand", strand, "--seed", "5", "-o", model]).status, 0)
            // A count bias of 3 (about 20 reads per window), so that the tracks are not zeros.
            let patch = """
                import sys, json, struct
                raw = bytearray(open(sys.argv[1], "rb").read())
                n = struct.unpack("<Q", raw[:8])[0]
                a, b = json.loads(raw[8:8 + n])["head1.count.bias"]["data_offsets"]
                raw[8 + n + a:8 + n + b] = struct.pack("<f", 3.0)
                open(sys.argv[1], "wb").write(raw)
                """
            XCTAssertEqual(try runTool(python, ["-c", patch, model]).status, 0)
            let mode = strand == "standard" ? ["--strand-mode", "average"] : []
            let scan = try runTool(crickBinary, ["scan", "--model", model, "--fasta", dir.file("g.fa"), "--chroms", "c2", "--no-track-line", "-q",
                                                 "--counts-output", dir.file("counts-\(strand).bedgraph"), "-o", dir.file("prof-\(strand).bedgraph")] + mode)
            XCTAssertEqual(scan.status, 0, scan.stderr)
            // The windows start at 50, 150, ... (their centres abut from 100 on); numpy cuts
            // them from the FASTA text and asks crick for their raw logits on both strands.
            let script = """
                import sys, subprocess, numpy as np
                crick, d, model, strand = sys.argv[1:5]
                x = c2_codes(d)
                prof = np.loadtxt(d + f"/prof-{strand}.bedgraph", usecols=(1, 2, 3))
                counts = np.loadtxt(d + f"/counts-{strand}.bedgraph", usecols=(1, 2, 3))
                starts = counts[:, 0].astype(int) - 50          # window = centre 100 bp +- 50
                assert (counts[:, 1] - counts[:, 0] == 100).all() and len(starts) == (6000 - 200 - 50) // 100 + 1, (len(starts), counts[:3])
                w, rcw = windows(x, starts)
                logits = lambda a: model_logits(crick, model, d, a)
                f = logits(w)
                if strand == "standard":
                    r = logits(rcw)
                    r[:, :100] = r[:, :100][:, ::-1]
                    f = (f + r) / 2
                total = np.maximum(np.expm1(f[:, 100]), 0)
                assert total.min() > 1, total.min()
                p = np.exp(f[:, :100] - f[:, :100].max(axis=1, keepdims=True))
                expect = (p / p.sum(axis=1, keepdims=True)) * total[:, None]
                assert np.allclose(prof[:, 2].reshape(-1, 100), expect, rtol=1e-4, atol=1e-6), np.abs(prof[:, 2].reshape(-1, 100) - expect).max()
                assert (prof[:, 0].reshape(-1, 100)[:, 0] == counts[:, 0]).all()
                assert np.allclose(counts[:, 2], total, rtol=1e-4, atol=1e-6)
                print("ok", len(starts))
                """
            let r = try runTool(python, ["-c", Self.windowHelpers + script, crickBinary, dir.path, model, strand])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.text.hasPrefix("ok"), r.text + r.stderr)
            // predict on a bin as a region: the same window, so the same total as the counts track.
            let bin = try dir.write("bin.bed", "c2\t1100\t1200\n")
            let predicted = try runTool(crickBinary, ["predict", "--model", model, "--fasta", dir.file("g.fa"), "--regions", bin, "--center", "midpoint",
                                                      "--no-track-line", "-q", "-o", "-"] + mode)
            XCTAssertEqual(predicted.status, 0, predicted.stderr)
            let counts = try String(contentsOfFile: dir.file("counts-\(strand).bedgraph"), encoding: .utf8)
            let expected = counts.split(separator: "\n").first { $0.hasPrefix("c2\t1100\t1200\t") }.flatMap { $0.split(separator: "\t").last }.flatMap { Double($0) }
            let got = predicted.text.split(separator: "\t").last.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            XCTAssertEqual(try XCTUnwrap(got), try XCTUnwrap(expected), accuracy: 1e-4 * max(1, abs(expected ?? 0)), predicted.text)
        }
    }

    /// Stranded signals in bins: `--stranded-signal` stores the pair (dataset.json, profiles
    /// equal to numpy's binned coverage of each strand's fragments); an rc profile model
    /// trained on it predicts rc(x) as x's profiles reversed with the strands swapped (numpy on
    /// `crick model logits`); evaluate reports its metrics; scan writes one 10 bp interval per
    /// bin whose values are numpy's softmax of the bin logits times the total, per base.
    func testStrandedBinnedProfilesEndToEnd() throws {
        try requireOracle((try? runTool(python, ["-c", "import numpy"]))?.status == 0, "numpy is not importable by \(python)")
        // The fragments split in two: every other one on each strand.
        let lines = try String(contentsOfFile: dir.file("frags.bed"), encoding: .utf8).split(separator: "\n")
        _ = try dir.write("plus.bed", lines.enumerated().filter { $0.offset % 2 == 0 }.map { $0.element + "\n" }.joined())
        _ = try dir.write("minus.bed", lines.enumerated().filter { $0.offset % 2 == 1 }.map { $0.element + "\n" }.joined())
        for strand in ["plus", "minus"] {
            let r = try runTool(crickBinary, ["coverage", dir.file(strand + ".bed"), "--genome", dir.file("g.fa"), "-q", "-o", dir.file(strand + ".bw")])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let built = try dataset("st", ["--signal", "u=" + dir.file("cov.bw"), "--stranded-signal", "atac=" + dir.file("plus.bw") + "," + dir.file("minus.bw"),
                                       "--profile", "--bin", "10", "--transform", "none"])
        XCTAssertEqual(built.status, 0, built.stderr)
        let bad = try dataset("bad", ["--stranded-signal", "atac=" + dir.file("plus.bw"), "--profile"])
        XCTAssertEqual(bad.status, 64, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("NAME=PLUS,MINUS"), bad.stderr)
        let arch = try dir.write("arch.json", """
            {"name": "tiny-stranded", "inputLength": 200, "outputs": 3, "strand": "rc", "layers": [
              {"type": "conv", "filters": 6, "kernel": 9, "padding": "valid", "bias": true},
              {"type": "activation", "function": "relu"},
              {"type": "profilehead", "kernel": 7, "profile": 10, "bin": 10, "pairs": [[1, 2]]}]}
            """)
        let unpaired = try dir.write("unpaired.json", """
            {"name": "tiny-unpaired", "inputLength": 200, "outputs": 3, "strand": "rc", "layers": [
              {"type": "conv", "filters": 6, "kernel": 9, "padding": "valid", "bias": true},
              {"type": "activation", "function": "relu"},
              {"type": "profilehead", "kernel": 7, "profile": 10}]}
            """)
        let refused = try runTool(crickBinary, ["train", dir.file("st"), "--arch", unpaired, "--epochs", "1", "-q", "-o", dir.file("refused")])
        XCTAssertEqual(refused.status, 64, refused.stderr)
        XCTAssertTrue(refused.stderr.contains("pairs"), refused.stderr)
        let train = try runTool(crickBinary, ["train", dir.file("st"), "--arch", arch, "--epochs", "2", "--seed", "3", "-q", "-o", dir.file("run")])
        XCTAssertEqual(train.status, 0, train.stderr)
        // Augmented with both strands of every row (their strands swapped), and counts refused.
        let augmented = try runTool(crickBinary, ["train", dir.file("st"), "--arch", arch, "--epochs", "1", "--rc-augment", "both", "-q", "-o", dir.file("run-aug")])
        XCTAssertEqual(augmented.status, 0, augmented.stderr)
        let counts = try runTool(crickBinary, ["train", dir.file("st"), "--loss", "mse", "--strand", "standard", "--epochs", "1", "-q", "-o", dir.file("run-mse")])
        XCTAssertEqual(counts.status, 64, counts.stderr)
        XCTAssertTrue(counts.stderr.contains("one --signal per strand"), counts.stderr)
        let evaluation = try runTool(crickBinary, ["evaluate", "--model", dir.file("run"), dir.file("st"), "--json"])
        XCTAssertEqual(evaluation.status, 0, evaluation.stderr)
        XCTAssertTrue(evaluation.text.contains("atac.minus") && evaluation.text.contains("jsd"), evaluation.text)
        let model = dir.file("run/model.safetensors")
        let scan = try runTool(crickBinary, ["scan", "--model", model, "--fasta", dir.file("g.fa"), "--chroms", "c2", "--no-track-line", "-q",
                                             "--format", "bedgraph", "--counts-output", dir.file("st-counts"), "-o", dir.file("st-prof")])
        XCTAssertEqual(scan.status, 0, scan.stderr)
        let script = """
            import sys, json, subprocess, numpy as np
            crick, d, model = sys.argv[1:4]
            info = json.load(open(d + "/st/dataset.json"))["signal"]
            assert info["tasks"] == ["u", "atac.plus", "atac.minus"] and info["pairs"] == [[1, 2]] and info["bin"] == 10, info
            cov = {}
            for name, path in (("u", "frags.bed"), ("atac.plus", "plus.bed"), ("atac.minus", "minus.bed")):
                cov[name] = {f"c{c}": np.zeros(6000) for c in (1, 2, 3)}
                for line in open(d + "/" + path):
                    c, s, e = line.split()
                    cov[name][c][int(s):int(e)] += 1
            regions = [l.split("\t") for l in open(d + "/st/regions.bed")]
            q = np.load(d + "/st/profiles.npy")
            assert q.shape == (len(regions), 3, 10), q.shape
            for i, r in enumerate(regions):
                for t, name in enumerate(info["tasks"]):
                    v = np.zeros(100) if r[3] == "shuffle" else cov[name][r[0]][int(r[1]) + 50:int(r[1]) + 150]
                    assert (q[i, t] == v.reshape(10, 10).sum(axis=1)).all(), (i, t)
            assert q[:, 1].sum() > 0 and q[:, 2].sum() > 0
            x = c2_codes(d)
            counts = {t: np.loadtxt(f"{d}/st-counts.{t}.bedGraph", usecols=(1, 2, 3)) for t in info["tasks"]}
            prof = {t: np.loadtxt(f"{d}/st-prof.{t}.bedGraph", usecols=(1, 2, 3)) for t in info["tasks"]}
            starts = counts["u"][:, 0].astype(int) - 50
            w, rcw = windows(x, starts)
            logits = lambda a: model_logits(crick, model, d, a)
            f, r = logits(w), logits(rcw)
            fp, rp = f[:, :30].reshape(-1, 10, 3), r[:, :30].reshape(-1, 10, 3)
            swap = [0, 2, 1]
            assert np.abs(fp - rp[:, ::-1, swap]).max() < 1e-4, np.abs(fp - rp[:, ::-1, swap]).max()
            assert np.abs(f[:, 30:] - r[:, 30:][:, swap]).max() < 1e-4
            assert np.abs(fp[:, :, 1] - rp[:, ::-1, 1]).max() > 1e-3, "strands must swap"
            # The scan: per task one 10 bp interval per bin, valued softmax(bins) * total / 10.
            total = np.maximum(np.expm1(f[:, 30:]), 0)
            share = np.exp(fp - fp.max(axis=1, keepdims=True))
            share /= share.sum(axis=1, keepdims=True)
            for t, name in enumerate(info["tasks"]):
                p = prof[name]
                assert (p[:, 1] - p[:, 0] == 10).all() and len(p) == 10 * len(starts), (name, len(p))
                expect = share[:, :, t] * total[:, t][:, None] / 10
                assert np.allclose(p[:, 2].reshape(-1, 10), expect, rtol=1e-4, atol=1e-6), np.abs(p[:, 2].reshape(-1, 10) - expect).max()
                assert np.allclose(counts[name][:, 2], total[:, t], rtol=1e-4, atol=1e-6)
            print("ok", len(starts))
            """
        let r = try runTool(python, ["-c", Self.windowHelpers + script, crickBinary, dir.path, model])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.text.hasPrefix("ok"), r.text + r.stderr)
    }

    /// Signal without peaks: the windows tile each contig every --stride bp, leaving out those
    /// touching --exclude or holding more N than --max-n (numpy's tiling of the same genome),
    /// with numpy's coverage as targets and no labels; a profile model trains on it, and
    /// a classifier, --stride with --peaks and --negatives tile are refused.
    func testSignalWithoutPeaksTilesTheGenome() throws {
        try requireOracle((try? runTool(python, ["-c", "import numpy"]))?.status == 0, "numpy is not importable by \(python)")
        // c1 with 400 N from 1000: windows of 200 bp holding more than 20 N are left out.
        var text = try String(contentsOfFile: dir.file("g.fa"), encoding: .utf8)
        let seq = text.split(separator: "\n").filter { !$0.hasPrefix(">") }.joined()
        var c1 = Array(seq.prefix(6000))
        for i in 1000..<1400 { c1[i] = "N" }
        text = fastaText([("c1", String(c1)), ("c2", String(Array(seq.dropFirst(6000).prefix(6000)))), ("c3", String(Array(seq.dropFirst(12000))))], width: 60)
        _ = try dir.write("gn.fa", text)
        XCTAssertEqual(try runTool("/usr/bin/env", ["samtools", "faidx", dir.file("gn.fa")]).status, 0)
        let exclude = try dir.write("exclude.bed", "c2\t3000\t3100\n")
        let built = try runTool(crickBinary, ["dataset", "--fasta", dir.file("gn.fa"), "--signal", "atac=" + dir.file("cov.bw"), "--length", "200",
                                              "--target-length", "100", "--stride", "150", "--exclude", exclude, "--transform", "none",
                                              "--valid-chroms", "c2", "--test-chroms", "c3", "-q", "-o", dir.file("tiles")])
        XCTAssertEqual(built.status, 0, built.stderr)
        let script = """
            import sys, json, numpy as np
            d = sys.argv[1]
            seq = {}
            name = None
            for line in open(d + "/gn.fa"):
                line = line.strip()
                if line.startswith(">"): name = line[1:].split()[0]; seq[name] = ""
                else: seq[name] += line
            cov = {c: np.zeros(6000) for c in seq}
            for line in open(d + "/frags.bed"):
                c, s, e = line.split()
                cov[c][int(s):int(e)] += 1
            expect = []
            for c in ("c1", "c2", "c3"):
                for s in range(0, len(seq[c]) - 200 + 1, 150):
                    if c == "c2" and s < 3100 and s + 200 > 3000: continue
                    if seq[c][s:s + 200].upper().count("N") > 20: continue
                    expect.append((c, s))
            regions = [l.split("\t") for l in open(d + "/tiles/regions.bed")]
            got = [(r[0], int(r[1])) for r in regions]
            assert got == expect, (len(got), len(expect), sorted(set(expect) - set(got))[:5], sorted(set(got) - set(expect))[:5])
            assert all(r[3] == "tile" for r in regions)
            t = np.load(d + "/tiles/targets.npy")
            c = np.array([cov[r][s + 50:s + 150].sum() for r, s in expect])
            assert np.abs(t[:, 0] - c).max() < 1e-4 and c.sum() > 0
            assert np.load(d + "/tiles/labels.npy").shape == (len(expect), 0)
            split = np.load(d + "/tiles/split.npy")
            assert (split == np.array([{"c1": 0, "c2": 1, "c3": 2}[r] for r, _ in expect])).all()
            info = json.load(open(d + "/tiles/dataset.json"))
            assert info["tasks"] == [] and info["options"]["tile_stride"] == 150 and info["counts"]["kinds"] == {"tile": len(expect)}, info
            print("ok", len(expect))
            """
        let r = try runTool(python, ["-c", script, dir.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.text.hasPrefix("ok"), r.text + r.stderr)
        let train = try runTool(crickBinary, ["train", dir.file("tiles"), "--loss", "mse", "--strand", "standard", "--epochs", "1", "-q", "-o", dir.file("tile-run"),
                                              "--arch", try dir.write("count.json", """
                                                  {"name": "tiny-count", "inputLength": 200, "outputs": 1, "strand": "standard", "layers": [
                                                    {"type": "conv", "filters": 4, "kernel": 9, "padding": "valid", "bias": true},
                                                    {"type": "activation", "function": "relu"}, {"type": "globalavgpool"}, {"type": "dense", "units": 1}]}
                                                  """)])
        XCTAssertEqual(train.status, 0, train.stderr)
        let classifier = try runTool(crickBinary, ["train", dir.file("tiles"), "--loss", "bce", "--epochs", "1", "-q", "-o", dir.file("bce")])
        XCTAssertEqual(classifier.status, 64, classifier.stderr)
        XCTAssertTrue(classifier.stderr.contains("peak labels"), classifier.stderr)
        let stride = try dataset("bad", ["--signal", dir.file("cov.bw"), "--stride", "100"])
        XCTAssertEqual(stride.status, 64, stride.stderr)
        XCTAssertTrue(stride.stderr.contains("--stride tiles the genome"), stride.stderr)
        let tile = try dataset("bad2", ["--negatives", "tile"])
        XCTAssertEqual(tile.status, 64, tile.stderr)
        XCTAssertTrue(tile.stderr.contains("unknown negative kind 'tile'"), tile.stderr)
        // --strict: an N-rich tile is an error, as an N-rich peak is.
        let strict = try runTool(crickBinary, ["dataset", "--fasta", dir.file("gn.fa"), "--signal", "atac=" + dir.file("cov.bw"), "--length", "200",
                                               "--target-length", "100", "--strict", "-q", "-o", dir.file("strict-tiles")])
        XCTAssertEqual(strict.status, 1, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("N bases"), strict.stderr)
    }

    /// A profile run resumes from its checkpoint to the same weights as an uninterrupted run,
    /// its metrics.tsv one table with the regression header; resuming with another
    /// --count-weight, an objective that does not fit its last layer, an off-centre crop, a
    /// track that names none of the genome's contigs and other mistakes are refused.
    func testProfileRunResumesAndMistakesAreRefused() throws {
        XCTAssertEqual(try dataset("ds", ["--signal", "atac=" + dir.file("cov.bw"), "--profile"]).status, 0)
        let arch = try dir.write("arch.json", """
            {"name": "tiny-profile", "inputLength": 200, "outputs": 1, "strand": "rc", "layers": [
              {"type": "conv", "filters": 6, "kernel": 9, "padding": "valid", "bias": true},
              {"type": "batchnorm"}, {"type": "activation", "function": "relu"},
              {"type": "profilehead", "kernel": 7, "profile": 100}]}
            """)
        func train(_ extra: [String]) throws -> RunResult {
            try runTool(crickBinary, ["train", dir.file("ds"), "--arch", arch, "--batch", "16", "--count-weight", "3", "--seed", "4", "-q"] + extra)
        }
        XCTAssertEqual(try train(["--epochs", "3", "-o", dir.file("whole")]).status, 0)
        XCTAssertEqual(try train(["--epochs", "2", "-o", dir.file("part")]).status, 0)
        let resumed = try runTool(crickBinary, ["train", dir.file("ds"), "--batch", "16", "--count-weight", "3", "--seed", "4", "--epochs", "3", "-q", "--resume", dir.file("part")])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: dir.file("part/model.safetensors")), FileManager.default.contents(atPath: dir.file("whole/model.safetensors")))
        let metrics = try String(contentsOfFile: dir.file("part/metrics.tsv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(metrics.count, 4)
        XCTAssertTrue(metrics[0].hasPrefix("epoch\ttrain_loss\tvalid_loss\tvalid_pearson"), String(metrics[0]))
        let other = try runTool(crickBinary, ["train", dir.file("ds"), "--count-weight", "1", "--epochs", "4", "-q", "--resume", dir.file("part")])
        XCTAssertEqual(other.status, 64, other.stderr)
        XCTAssertTrue(other.stderr.contains("--count-weight"), other.stderr)
        // An architecture whose objective does not fit its last layer, and an off-centre crop.
        let mismatched = try dir.write("mse-head.json", try String(contentsOfFile: arch, encoding: .utf8).replacingOccurrences(of: "\"strand\": \"rc\",", with: "\"strand\": \"rc\", \"objective\": \"mse\","))
        let offCentre = try dir.write("odd.json", try String(contentsOfFile: arch, encoding: .utf8).replacingOccurrences(of: "\"kernel\": 7", with: "\"kernel\": 8"))
        for (file, expected) in [(mismatched, "needs the objective profile"), (offCentre, "must be even")] {
            let r = try runTool(crickBinary, ["model", "init", "--arch", file, "-o", dir.file("m.safetensors")])
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("crick: error:") && r.stderr.contains(expected), r.stderr)
        }
        // A track on other contig names; --jitter without --profile; counts over the profile's path.
        _ = try dir.write("other.bedgraph", "chr1\t0\t100\t3\n")
        let renamed = try dataset("bad", ["--signal", dir.file("other.bedgraph")])
        XCTAssertEqual(renamed.status, 1, renamed.stderr)
        XCTAssertTrue(renamed.stderr.contains("none of the windows' contigs"), renamed.stderr)
        XCTAssertEqual(try dataset("bad", ["--signal", dir.file("cov.bw"), "--jitter", "5"]).status, 64)
        let same = try runTool(crickBinary, ["scan", "--model", dir.file("whole"), "--fasta", dir.file("g.fa"), "--chroms", "c1", "-o", dir.file("t.bedgraph"),
                                             "--counts-output", dir.file("t.bedgraph")])
        XCTAssertEqual(same.status, 64, same.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("t.bedgraph")))
        // The model does not fit a dataset with another profile length.
        XCTAssertEqual(try dataset("wide", ["--signal", dir.file("cov.bw"), "--profile", "--target-length", "120"]).status, 0)
        for command in [["evaluate", "--model", dir.file("whole"), dir.file("wide")], ["report", "--run", "w=" + dir.file("whole"), "--dataset", dir.file("wide"), "-o", dir.file("r.html")]] {
            let r = try runTool(crickBinary, command)
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.contains("profile positions"), r.stderr)
        }
    }
}
