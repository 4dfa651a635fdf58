import Foundation
import TestSupport
import XCTest

/// `crick dataset import` against arrays written by h5py and numpy: the imported sequences,
/// labels and splits equal the source's exactly (numpy compares), and bad input is refused
/// with a count.
final class DatasetImportTests: XCTestCase {
    private var dir: TempDir!
    private let python = "/usr/bin/python3"

    override func setUpWithError() throws {
        dir = try TempDir("crick-import")
        try requireOracle((try? runTool(python, ["-c", "import h5py, numpy"]))?.status == 0, "h5py and numpy write the sources")
        let made = try runTool(python, ["-c", """
            import numpy as np, h5py, sys
            d = sys.argv[1]
            rng = np.random.default_rng(7)
            codes = {k: rng.integers(0, 5, size=(n, 60)).astype(np.uint8) for k, n in [("train", 40), ("valid", 11), ("test", 13)]}
            labels = {k: rng.integers(0, 2, size=(len(v), 3)) for k, v in codes.items()}
            def onehot(c):  # (N, L) codes -> (N, L, 4), code 4 all zero
                return (c[..., None] == np.arange(4)).astype(np.float32)
            with h5py.File(d + "/koo.h5", "w") as f:
                for k in codes:
                    f["x_" + k] = onehot(codes[k]).transpose(0, 2, 1)
                    f["y_" + k] = labels[k].astype(np.float32)
            with h5py.File(d + "/basset.h5", "w") as f:
                for k in codes:
                    f[k + "_in"] = onehot(codes[k]).transpose(0, 2, 1)[:, :, None, :].astype(np.uint8)
                    f[k + "_out"] = labels[k].astype(np.int8)
            with h5py.File(d + "/one.h5", "w") as f:
                f["seqs"] = onehot(codes["train"]).astype(np.float64)
                f["targets"] = labels["train"][:, 0].astype(np.float32)
            np.save(d + "/all_codes.npy", np.concatenate([codes[k] for k in ("train", "valid", "test")]))
            np.save(d + "/all_labels.npy", np.concatenate([labels[k] for k in ("train", "valid", "test")]).astype(np.uint8))
            np.save(d + "/all_split.npy", np.repeat([0, 1, 2], [40, 11, 13]).astype(np.uint8))
            np.save(d + "/x_last.npy", onehot(codes["train"]))
            np.save(d + "/y.npy", labels["train"].astype(np.float32))
            np.save(d + "/codes.npy", codes["train"])
            np.save(d + "/split.npy", rng.integers(0, 3, size=40).astype(np.uint8))
            bad = onehot(codes["train"]); bad[5, 9] = [0.5, 0.5, 0, 0]; bad[20, 0] = [1, 1, 0, 0]
            np.save(d + "/bad.npy", bad)
            y = labels["train"].astype(np.float32); y[3, 1] = 0.7
            np.save(d + "/bad_y.npy", y)
            with open(d + "/seqs.fa", "w") as f:
                for i, c in enumerate(codes["train"]):
                    f.write(">r%d\\n%s\\n" % (i, "".join("ACGTN"[b] for b in c)))
            with open(d + "/labels.tsv", "w") as f:
                f.write("name\\tA\\tB\\tC\\n")
                for i in reversed(range(40)):
                    f.write("r%d\\t%s\\n" % (i, "\\t".join(str(v) for v in labels["train"][i])))
            """, dir.path])
        XCTAssertEqual(made.status, 0, made.stderr)
    }

    override func tearDown() { dir.remove() }

    private func importing(_ args: [String], _ out: String) throws -> RunResult {
        try runTool(crickBinary, ["dataset", "import"] + args + ["-o", dir.file(out)])
    }

    /// numpy's verdict: the dataset's arrays equal the expected ones (rows `rows`, splits given or not).
    private func assertArrays(_ out: String, codes: String, labels: String, split: String?, rows: String = ":", column: String = ":",
                              file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try runTool(python, ["-c", """
            import numpy as np, sys
            d, codes, labels, split = sys.argv[1:5]
            s, y, sp = np.load(d + "/sequences.npy"), np.load(d + "/labels.npy"), np.load(d + "/split.npy")
            want_s, want_y = np.load(codes)[\(rows)], np.load(labels)[\(rows)]
            want_y = want_y[:, \(column)].reshape(len(want_y), -1)
            assert s.dtype == np.uint8 and (s == want_s).all(), "sequences differ"
            assert y.dtype == np.uint8 and (y == want_y).all(), "labels differ"
            if split != "-": assert (sp == np.load(split)).all(), "splits differ"
            assert set(np.unique(sp)) <= {0, 1, 2}
            print("ok")
            """, dir.file(out), dir.file(codes), dir.file(labels), split.map(dir.file) ?? "-"])
        XCTAssertEqual(r.status, 0, "\(out): \(r.stderr)", file: file, line: line)
    }

    func testHDF5LayoutsRoundTripExactly() throws {
        var r = try importing(["--h5", dir.file("koo.h5")], "koo")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("one-hot (N, 4, L) float32, 64 sequences of 60 bases, 3 tasks, splits from the file"), r.stderr)
        try assertArrays("koo", codes: "all_codes.npy", labels: "all_labels.npy", split: "all_split.npy")
        r = try importing(["--h5", dir.file("basset.h5"), "--tasks", "a,b,c"], "basset")
        XCTAssertEqual(r.status, 0, r.stderr)
        try assertArrays("basset", codes: "all_codes.npy", labels: "all_labels.npy", split: "all_split.npy")
        let info = try String(contentsOfFile: dir.file("basset/dataset.json"), encoding: .utf8)
        XCTAssertTrue(info.contains("\"tasks\" : [\n    \"a\",\n    \"b\",\n    \"c\"\n  ]"), info)
        XCTAssertTrue(info.contains("\"imported_layout\" : \"one-hot (N, 4, L)\""), info)
        // One X and one Y by key, channels last, float64; the split from --split.
        r = try importing(["--h5", dir.file("one.h5"), "--x", "seqs", "--y", "targets", "--split", dir.file("split.npy")], "one")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("one-hot (N, L, 4) float64, 40 sequences of 60 bases, 1 task"), r.stderr)
        try assertArrays("one", codes: "all_codes.npy", labels: "all_labels.npy", split: "split.npy", rows: ":40", column: "0")
        let missing = try importing(["--h5", dir.file("one.h5")], "none")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("holds neither x_train"), missing.stderr)
    }

    func testNPYAndFASTARoundTripExactly() throws {
        for (x, out) in [("x_last.npy", "last"), ("codes.npy", "codes")] {
            let r = try importing(["--x", dir.file(x), "--y", dir.file("y.npy"), "--split", dir.file("split.npy")], out)
            XCTAssertEqual(r.status, 0, r.stderr)
            try assertArrays(out, codes: "all_codes.npy", labels: "all_labels.npy", split: "split.npy", rows: ":40")
        }
        let r = try importing(["--fasta", dir.file("seqs.fa"), "--labels", dir.file("labels.tsv"), "--seed", "4"], "fasta")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("80/10/10 at random (seed 4)"), r.stderr)
        try assertArrays("fasta", codes: "all_codes.npy", labels: "all_labels.npy", split: nil, rows: ":40")
        let again = try importing(["--fasta", dir.file("seqs.fa"), "--labels", dir.file("labels.tsv"), "--seed", "4"], "fasta2")
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(FileManager.default.contents(atPath: dir.file("fasta/split.npy")), FileManager.default.contents(atPath: dir.file("fasta2/split.npy")))
        // The imported dataset trains.
        let arch = try dir.write("arch.json", """
            {"name": "tiny", "inputLength": 60, "outputs": 3, "strand": "rc", "layers": [
              {"type": "conv", "filters": 4, "kernel": 7, "padding": "valid", "bias": true},
              {"type": "activation", "function": "relu"}, {"type": "maxpool", "pool": 6, "stride": 6},
              {"type": "flatten"}, {"type": "dense", "units": 3}]}
            """)
        let t = try runTool(crickBinary, ["train", dir.file("fasta"), "--arch", arch, "--epochs", "1", "-q", "-o", dir.file("run")])
        XCTAssertEqual(t.status, 0, t.stderr)
    }

    func testBadInputIsRefusedWithACount() throws {
        var r = try importing(["--x", dir.file("bad.npy"), "--y", dir.file("y.npy")], "bad")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("2 of 40 sequences are not one-hot"), r.stderr)
        XCTAssertTrue(r.stderr.contains("row 6 of \(dir.file("bad.npy")), position 10"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("bad")), "a refused import left its directory")
        r = try importing(["--x", dir.file("codes.npy"), "--y", dir.file("bad_y.npy")], "bady")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("1 labels that are not 0 or 1 (the first: 0.7 at row 4, task 2)"), r.stderr)
        r = try importing(["--x", dir.file("codes.npy"), "--y", dir.file("y.npy"), "--split", dir.file("all_split.npy")], "badsplit")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("has shape [64], expected (40)"), r.stderr)
        let short = try dir.write("short.tsv", "name\tA\tB\tC\nr0\t1\t0\t1\n")
        r = try importing(["--fasta", dir.file("seqs.fa"), "--labels", short], "short")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("has no labels for record 'r1'"), r.stderr)
        r = try importing(["--x", dir.file("codes.npy")], "usage")
        XCTAssertEqual(r.status, 64, r.stderr)
        r = try importing(["--h5", dir.file("seqs.fa")], "nothdf5")
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("not an HDF5 file"), r.stderr)
    }
}
