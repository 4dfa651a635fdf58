import Foundation
import TestSupport
import XCTest

/// `crick dataset` splits that cannot leak and peak filters, on one yeast chromosome (a
/// one-contig genome) with its real ATAC-seq peaks: bedtools and awk are the oracles.
final class DatasetSplitTests: XCTestCase {
    private var dir: TempDir!
    private var fasta = "", peaks = ""

    override func setUpWithError() throws {
        dir = try TempDir("crick-split")
        try requireOracle(hasTool("samtools") && hasTool("bedtools"), "samtools and bedtools are the oracles")
        let yeast = packageRoot + "/Pipelines/data/yeast/"
        fasta = dir.file("chrIV.fa")
        let fa = try runTool("samtools", ["faidx", yeast + "sacCer3.fa.gz", "chrIV", "-o", fasta])
        XCTAssertEqual(fa.status, 0, fa.stderr)
        let lines = try String(contentsOfFile: yeast + "yeast_atac.narrowPeak", encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("chrIV\t") }
        peaks = try dir.write("iv.narrowPeak", lines.joined(separator: "\n") + "\n")
        XCTAssertGreaterThan(lines.count, 100)
    }

    override func tearDown() { dir.remove() }

    private func dataset(_ extra: [String], _ out: String) throws -> RunResult {
        try runTool(crickBinary, ["dataset", "--fasta", fasta, "--peaks", "atac=" + peaks, "--length", "500", "-o", dir.file(out)] + extra)
    }

    /// regions.bed rows as (chrom, start, end, kind, split).
    private func rows(_ out: String) throws -> [[String]] {
        try String(contentsOfFile: dir.file(out + "/regions.bed"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
    }

    /// Lines bedtools reports for windows of split `a` overlapping windows of split `b`.
    private func bedtoolsOverlaps(_ out: String, _ a: String, _ b: String) throws -> Int {
        let all = try rows(out)
        let fa = try dir.write("\(out)-\(a).bed", all.filter { $0[6] == a }.map { $0[0..<3].joined(separator: "\t") }.joined(separator: "\n") + "\n")
        let fb = try dir.write("\(out)-\(b).bed", all.filter { $0[6] == b }.map { $0[0..<3].joined(separator: "\t") }.joined(separator: "\n") + "\n")
        let r = try runTool("bedtools", ["intersect", "-u", "-a", fa, "-b", fb])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.text.split(separator: "\n").count
    }

    /// One contig: the split is by region blocks (said on stderr), no window of one split
    /// overlaps a window of another (bedtools, and inspect), and shuffles follow their positive.
    func testOneContigGenomeSplitsByRegionWithoutLeaks() throws {
        let r = try dataset(["--negatives", "background,shuffle", "--neg-ratio", "2", "--seed", "5"], "ds")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stderr.contains("too few for a split by contig; split by region blocks"), r.stderr)
        let all = try rows("ds")
        XCTAssertEqual(Set(all.map { $0[6] }), ["train", "valid", "test"])
        for (a, b) in [("train", "valid"), ("train", "test"), ("valid", "test")] {
            XCTAssertEqual(try bedtoolsOverlaps("ds", a, b), 0, "\(a) windows overlap \(b) windows")
        }
        var splitAt: [String: Set<String>] = [:]
        for row in all { splitAt[row[0] + ":" + row[1], default: []].insert(row[6]) }
        XCTAssertTrue(splitAt.values.allSatisfy { $0.count == 1 }, "a shuffle and its positive in different splits")
        XCTAssertGreaterThan(all.filter { $0[3] == "shuffle" }.count, 100)
        let inspect = try runTool(crickBinary, ["inspect", dir.file("ds")])
        XCTAssertTrue(inspect.text.contains("windows overlapping a window of another split: 0\n"), inspect.text)
        XCTAssertTrue(inspect.text.contains("splits by region (blocks of"), inspect.text)
        // Small blocks: windows across two splits' blocks are dropped and counted, still no leak.
        let small = try dataset(["--split-by", "region", "--block-size", "2000", "--seed", "5"], "small")
        XCTAssertEqual(small.status, 0, small.stderr)
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("small/dataset.json")))) as? [String: Any]
        let splits = try XCTUnwrap(info?["splits"] as? [String: Any])
        XCTAssertEqual(splits["method"] as? String, "region")
        XCTAssertEqual(splits["block_size"] as? Int, 2000)
        XCTAssertGreaterThan(splits["dropped_across_splits"] as? Int ?? 0, 0)
        for (a, b) in [("train", "valid"), ("train", "test"), ("valid", "test")] {
            XCTAssertEqual(try bedtoolsOverlaps("small", a, b), 0, "\(a) windows overlap \(b) windows")
        }
    }

    /// --valid-regions and --test-regions: windows inside a region take its split (bedtools
    /// -f 1.0), windows partly in one are dropped, the rest train; overlapping files are refused.
    func testNamedRegions() throws {
        let valid = try dir.write("valid.bed", "chrIV\t0\t300000\n")
        let test = try dir.write("test.bed", "chrIV\t600000\t900000\n")
        let r = try dataset(["--valid-regions", valid, "--test-regions", test], "named")
        XCTAssertEqual(r.status, 0, r.stderr)
        let all = try rows("named")
        for (split, bed) in [("valid", valid), ("test", test)] {
            let mine = try dir.write("mine-\(split).bed", all.filter { $0[6] == split }.map { $0[0..<3].joined(separator: "\t") }.joined(separator: "\n") + "\n")
            let inside = try runTool("bedtools", ["intersect", "-u", "-f", "1.0", "-a", mine, "-b", bed])
            XCTAssertEqual(inside.text.split(separator: "\n").count, all.filter { $0[6] == split }.count, "\(split) windows outside their regions")
            XCTAssertGreaterThan(all.filter { $0[6] == split }.count, 0)
        }
        let train = try dir.write("mine-train.bed", all.filter { $0[6] == "train" }.map { $0[0..<3].joined(separator: "\t") }.joined(separator: "\n") + "\n")
        let touching = try runTool("bedtools", ["intersect", "-u", "-a", train, "-b", valid, test])
        XCTAssertEqual(touching.text, "", "training windows touch the named regions")
        let clash = try dir.write("clash.bed", "chrIV\t250000\t260000\n")
        let bad = try dataset(["--valid-regions", valid, "--test-regions", clash], "clash")
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("overlap"), bad.stderr)
        let mixed = try dataset(["--valid-regions", valid, "--valid-chroms", "chrIV"], "mixed")
        XCTAssertEqual(mixed.status, 1, mixed.stderr)
        let chrom = try dataset(["--split-by", "chrom"], "chrom")
        XCTAssertEqual(chrom.status, 1, chrom.stderr)
        XCTAssertTrue(chrom.stderr.contains("--split-by chrom needs windows on at least 3 contigs"), chrom.stderr)
    }

    /// --min-score and --top keep exactly the peaks awk and sort keep (positive windows are
    /// centred on the kept peaks' summits), and say how many.
    func testPeakFiltersKeepWhatAwkKeeps() throws {
        func positiveStarts(_ out: String) throws -> [Int] {
            try rows(out).filter { $0[3] == "positive" }.compactMap { Int($0[1]) }.sorted()
        }
        func oracle(_ program: String) throws -> [Int] {
            let r = try runTool("/bin/sh", ["-c", program + " | awk '{ print $2 + $10 - 250 }'"])
            XCTAssertEqual(r.status, 0, r.stderr)
            return r.text.split(separator: "\n").compactMap { Int($0) }.sorted()
        }
        let all = try dataset(["-q"], "all")
        XCTAssertEqual(all.status, 0, all.stderr)
        let everything = try positiveStarts("all")
        let r = try dataset(["--min-score", "40"], "min")
        XCTAssertEqual(r.status, 0, r.stderr)
        let kept = try oracle("awk '$5 >= 40' \(peaks)").filter(everything.contains)
        XCTAssertEqual(try positiveStarts("min"), kept)
        XCTAssertGreaterThan(kept.count, 10)
        XCTAssertLessThan(kept.count, everything.count)
        let total = try String(contentsOfFile: peaks, encoding: .utf8).split(separator: "\n").count
        let awkKept = try oracle("awk '$5 >= 40' \(peaks)").count
        XCTAssertTrue(r.stderr.contains("--min-score 40 on score kept \(awkKept) of \(total) peaks"), r.stderr)
        let top = try dataset(["--top", "25", "--score-column", "score"], "top")
        XCTAssertEqual(top.status, 0, top.stderr)
        XCTAssertEqual(try positiveStarts("top"), try oracle("sort -s -t '\t' -k5,5gr \(peaks) | head -25").filter(everything.contains))
        let info = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("top/dataset.json")))) as? [String: Any]
        let skipped = (info?["skipped"] as? [String: Any])?["atac"] as? [String: Any]
        XCTAssertEqual(skipped?["filtered"] as? Int, total - 25)
        let missing = try dataset(["--min-score", "1", "--score-column", "signalValue"], "none")
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("dropped by --min-score 1 on signalValue"), missing.stderr)
    }

    /// --jitter N stores N more bases each side (N past a contig end): the centre of every row is
    /// the row without jitter (numpy), a model scores the centre (evaluate gives the same on both
    /// datasets), and training shifts the windows (other weights than without jitter).
    func testJitterStoresFlanksAndTrainingShiftsWindows() throws {
        for (j, out) in [("0", "j0"), ("40", "j40")] {
            let r = try dataset(["--jitter", j, "--negatives", "background,flank,shuffle", "-q"], out)
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let python = "/usr/bin/python3"
        try requireOracle((try? runTool(python, ["-c", "import numpy"]))?.status == 0, "numpy")
        let check = try runTool(python, ["-c", """
            import json, sys, numpy as np
            a, b = np.load(sys.argv[1] + "/sequences.npy"), np.load(sys.argv[2] + "/sequences.npy")
            assert a.shape[1] == 500 and b.shape[1] == 580, (a.shape, b.shape)
            info = json.load(open(sys.argv[2] + "/dataset.json"))
            assert info["jitter"] == 40 and info["length"] == 500 and "jitter" not in json.load(open(sys.argv[1] + "/dataset.json"))
            # Rows by (contig, start, kind): the jittered split drops a few more windows at block borders.
            def rows(d):
                return {tuple(l.split("\t")[:4]): i for i, l in enumerate(open(d + "/regions.bed"))}
            ra, rb = rows(sys.argv[1]), rows(sys.argv[2])
            common = [k for k in ra if k in rb]
            assert len(common) >= 0.95 * len(ra), (len(common), len(ra))
            for k in common:
                assert (b[rb[k], 40:540] == a[ra[k]]).all(), k
            shuffles = [k for k in common if k[3] == "shuffle"]
            assert len(shuffles) > 50
            print("ok")
            """, dir.file("j0"), dir.file("j40")])
        XCTAssertEqual(check.status, 0, check.stderr)
        let arch = try dir.write("arch.json", """
            {"name": "small", "inputLength": 500, "outputs": 1, "strand": "standard", "layers": [
              {"type": "conv", "filters": 4, "kernel": 9, "padding": "valid", "bias": true},
              {"type": "activation", "function": "relu"}, {"type": "maxpool", "pool": 40, "stride": 40},
              {"type": "flatten"}, {"type": "dense", "units": 1}]}
            """)
        for out in ["j0", "j40"] {
            let r = try runTool(crickBinary, ["train", dir.file(out), "--arch", arch, "--epochs", "2", "--seed", "3", "-o", dir.file("run-" + out)])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertEqual(r.stderr.contains("shifted by a random -40..40 bases"), out == "j40", r.stderr)
        }
        XCTAssertNotEqual(FileManager.default.contents(atPath: dir.file("run-j0/model.safetensors")),
                          FileManager.default.contents(atPath: dir.file("run-j40/model.safetensors")), "jitter changed nothing")
        func evaluation(_ data: String) throws -> [String: Double] {
            let e = try runTool(crickBinary, ["evaluate", "--model", dir.file("run-j40"), dir.file(data), "--split", "train", "--json"])
            XCTAssertEqual(e.status, 0, e.stderr)
            let o = try JSONSerialization.jsonObject(with: e.stdout) as? [String: Any] ?? [:]
            return ["loss": o["loss"] as? Double ?? -1, "auroc": o["mean_auroc"] as? Double ?? -1]
        }
        XCTAssertEqual(try evaluation("j0"), try evaluation("j40"), "evaluation takes the centre of a jittered row")
    }
}
