import Foundation
import TestSupport
import XCTest

/// `crick dataset`, `crick inspect` and `crick simulate` end to end on the bundled yeast data.
final class DatasetCLITests: XCTestCase {
    func testYeastDatasetLoadsInNumpyAndIsThreadInvariant() throws {
        let dir = try TempDir("crick-ds-cli")
        defer { dir.remove() }
        let yeast = packageRoot + "/Pipelines/data/yeast/"
        var outputs: [[Data]] = []
        for threads in ["1", "4"] {
            let out = dir.file("ds\(threads)")
            let r = try runTool(crickBinary, ["dataset", "--fasta", yeast + "sacCer3.fa.gz", "--peaks", "atac=" + yeast + "yeast_atac.narrowPeak",
                                              "--length", "500", "--negatives", "background,shuffle", "--neg-ratio", "2", "--seed", "3",
                                              "-@", threads, "-o", out, "-q"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stderr.contains("skipped"), "peaks near chromosome ends are counted: \(r.stderr)")
            outputs.append(try ["sequences.npy", "labels.npy", "split.npy", "regions.bed", "dataset.json"].map {
                try Data(contentsOf: URL(fileURLWithPath: out + "/" + $0))
            })
        }
        XCTAssertEqual(outputs[0], outputs[1], "-@ 1 and -@ 4 differ")
        let script = """
            import json, sys
            import numpy as np
            d = sys.argv[1]
            s = np.load(d + "/sequences.npy", mmap_mode="r")
            y = np.load(d + "/labels.npy", mmap_mode="r")
            sp = np.load(d + "/split.npy", mmap_mode="r")
            info = json.load(open(d + "/dataset.json"))
            rows = [l.rstrip("\\n").split("\\t") for l in open(d + "/regions.bed")]
            assert s.dtype == np.uint8 and s.shape == (len(rows), 500), s.shape
            assert y.shape == (len(rows), 1) and sp.shape == (len(rows),)
            assert set(np.unique(sp)) <= {0, 1, 2} and s.max() <= 4
            kinds = [r[3] for r in rows]
            assert kinds.count("positive") == info["counts"]["kinds"]["positive"] == int(y.sum())
            assert kinds.count("background") + kinds.count("shuffle") == 2 * kinds.count("positive") - info["shortfall"].get("background", 0)
            assert all((r[7] == "atac") == bool(y[i, 0]) for i, r in enumerate(rows))
            assert all(["train", "valid", "test"][sp[i]] == r[6] for i, r in enumerate(rows))
            print(len(rows))
            """
        let python = FileManager.default.fileExists(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        let r = try runTool(python, ["-c", script, dir.file("ds1")])
        try requireOracle(!r.stderr.contains("No module named 'numpy'"), "numpy is the oracle")
        XCTAssertEqual(r.status, 0, r.stderr)
        let inspect = try runTool(crickBinary, ["inspect", dir.file("ds1")])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.text.contains("GC content by window kind"), inspect.text)
        XCTAssertTrue(inspect.text.contains("splits by chromosome"), inspect.text)
    }

    func testSimulateIsReproducibleAndFeedsDataset() throws {
        let dir = try TempDir("crick-sim-cli")
        defer { dir.remove() }
        for run in ["a", "b"] {
            let r = try runTool(crickBinary, ["simulate", "--mode", "genome", "--n", "60", "--seed", "4", "-o", dir.file("g\(run)"), "-q"])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        for f in ["genome.fa", "genome.fa.fai", "CEBPB.narrowPeak", "YY1.narrowPeak", "truth.bed", "motifs.meme"] {
            XCTAssertEqual(FileManager.default.contents(atPath: dir.file("ga/" + f)), FileManager.default.contents(atPath: dir.file("gb/" + f)), f)
        }
        let d = try runTool(crickBinary, ["dataset", "--fasta", dir.file("ga/genome.fa"), "--peaks", dir.file("ga/CEBPB.narrowPeak"),
                                          "--peaks", dir.file("ga/YY1.narrowPeak"), "-o", dir.file("ds"), "-q"])
        XCTAssertEqual(d.status, 0, d.stderr)
        let inspect = try runTool(crickBinary, ["inspect", dir.file("ds")])
        XCTAssertTrue(inspect.text.contains("CEBPB") && inspect.text.contains("YY1"), inspect.text)
        // Biopython reads the MEME file (every optional line is there).
        let bio = try runTool("/usr/bin/python3", ["-c", "import sys; from Bio import motifs; print(len(motifs.parse(open(sys.argv[1]), 'minimal')))", dir.file("ga/motifs.meme")])
        try requireOracle(!(bio.status != 0 && bio.stderr.contains("No module named")), "Biopython is the oracle")
        XCTAssertEqual(bio.text, "2\n", bio.stderr)
    }
}
