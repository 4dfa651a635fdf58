import Foundation
import TestSupport
import XCTest

/// crick variants end to end: scores against crick predict on alternative genomes built by
/// bcftools consensus, VCF/BCF output read back by bcftools, REF policies, stdin, threads and
/// shards.
final class VariantsCLITests: XCTestCase {
    var dir: TempDir!
    var fasta = ""
    var sequences: [(String, String)] = []
    var rcModel = ""
    var stdModel = ""
    /// 1-based POS, REF, ALT (comma-separated) of the test records, on chr1 and chr2.
    var records: [(chrom: String, pos: Int, ref: String, alt: String)] = []
    /// The input length of the model being checked (koo-cnn2: 200, chip: 1000).
    var length = 200

    override func setUpWithError() throws {
        try requireOracle(FileManager.default.isExecutableFile(atPath: "/usr/bin/bcftools"), "bcftools")
        try requireOracle(FileManager.default.isExecutableFile(atPath: "/usr/bin/bgzip"), "bgzip")
        dir = try TempDir("crick-variants")
        var rng = TestRNG(seed: 77)
        sequences = [("chr1", randomSequence(3_000, alphabet: "ACGT", rng: &rng)), ("chr2", randomSequence(1_500, alphabet: "ACGT", rng: &rng))]
        fasta = try dir.write("g.fa", fastaText(sequences, width: 60))
        rcModel = dir.file("rc.safetensors")
        stdModel = dir.file("std.safetensors")
        try ok(["model", "init", "--preset", "koo-cnn2", "--strand", "rc", "--outputs", "2", "--seed", "5", "-o", rcModel])
        try ok(["model", "init", "--preset", "koo-cnn2", "--strand", "standard", "--seed", "6", "-o", stdModel])
        func base(_ chrom: String, _ pos: Int, _ n: Int = 1) -> String {
            let s = sequences.first { $0.0 == chrom }?.1 ?? ""
            let a = s.index(s.startIndex, offsetBy: pos - 1)
            return String(s[a..<s.index(a, offsetBy: n)])
        }
        func other(_ b: String) -> String { b == "A" ? "G" : b == "G" ? "T" : b == "T" ? "C" : "A" }
        let b500 = base("chr1", 500), b1200 = base("chr1", 1200, 3)
        records = [
            ("chr1", 5, base("chr1", 5), other(base("chr1", 5))),                         // SNV near the start (padded)
            ("chr1", 500, b500, other(b500) + "," + other(other(b500))),                 // multi-allelic SNVs
            ("chr1", 800, base("chr1", 800, 2), other(base("chr1", 800)) + other(base("chr1", 801))), // MNP
            ("chr1", 1200, b1200, String(b1200.prefix(1))),                              // deletion of 2
            ("chr1", 1700, base("chr1", 1700), base("chr1", 1700) + "ACGTAC"),            // insertion of 6
            ("chr1", 2100, base("chr1", 2100), base("chr1", 2100) + "TTT"),               // insertion of 3 (odd)
            ("chr1", 2400, base("chr1", 2400), "<DEL>"),                                 // symbolic: skipped
            ("chr2", 700, base("chr2", 700, 4), base("chr2", 700)),                      // deletion of 3
            ("chr2", 1495, base("chr2", 1495), other(base("chr2", 1495))),                // SNV near the end (padded)
        ]
    }

    override func tearDown() { dir?.remove() }

    @discardableResult
    func ok(_ args: [String], stdin: Data? = nil) throws -> RunResult {
        let r = try runTool(crickBinary, args, stdin: stdin)
        XCTAssertEqual(r.status, 0, "crick \(args.joined(separator: " ")): \(r.stderr)")
        return r
    }

    func vcfText(_ list: [(chrom: String, pos: Int, ref: String, alt: String)]) -> String {
        var t = "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=3000>\n##contig=<ID=chr2,length=1500>\n"
        t += "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        for (i, r) in list.enumerated() { t += "\(r.chrom)\t\(r.pos)\tv\(i + 1)\t\(r.ref)\t\(r.alt)\t50\tPASS\tDP=\(10 + i)\n" }
        return t
    }

    /// TSV data rows as dictionaries of the header's columns.
    func rows(_ text: String) -> [[String: String]] {
        let lines = text.split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: "\t").map(String.init) else { return [] }
        return lines.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(header, $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init))) }
    }

    /// The score of crick predict (probability, per task) on the window [start, start + L) of `genome`.
    func predict(_ model: String, genome: String, chrom: String, start: Int, extra: [String] = []) throws -> [Double] {
        // The window as a summit (predict centres the window on it: start = summit - L/2),
        // which also reaches windows that run past a contig end.
        let centre = start + length / 2
        let narrow = try dir.write("w.narrowPeak", "\(chrom)\t\(centre)\t\(centre + 1)\tw\t0\t.\t0\t0\t0\t0\n")
        let r = try ok(["predict", "--model", model, "--fasta", genome, "--regions", narrow, "--format", "bed", "--max-n", "100000"] + extra)
        return r.text.split(separator: "\n").first.map { $0.split(separator: "\t").suffix(model == stdModel ? 1 : 2).compactMap { Double($0) } } ?? []
    }

    /// For every scored allele, ref_prob equals predict on the reference genome and alt_prob
    /// equals predict on the genome bcftools consensus builds with that allele alone, at the
    /// window of the documented rule.
    func testScoresEqualPredictOnConsensusGenomes() throws {
        try checkScoresEqualPredict(model: rcModel)
    }

    /// The same with the chip preset (1 kb windows): its valid convolutions let the reference
    /// windows of nearby records share one pass along the stretch they cover (every record
    /// here overlaps the next one's window).
    func testSharedReferenceSpansEqualPredictOnConsensusGenomes() throws {
        let chip = dir.file("chip.safetensors")
        try ok(["model", "init", "--preset", "chip", "--strand", "rc", "--outputs", "2", "--seed", "8", "-o", chip])
        length = 1000
        try checkScoresEqualPredict(model: chip)
    }

    func checkScoresEqualPredict(model: String) throws {
        let vcf = try dir.write("v.vcf", vcfText(records))
        let out = dir.file("scores.tsv")
        let run = try ok(["variants", vcf, "--fasta", fasta, "--model", model, "-o", out])
        XCTAssertTrue(run.stderr.contains("1 symbolic"), run.stderr)
        let table = rows(try String(contentsOfFile: out, encoding: .utf8))
        XCTAssertEqual(table.count, 9, "one row per sequence ALT (the <DEL> skipped)")
        XCTAssertEqual(table.map { $0["alt_index"] ?? "" }, ["1", "1", "2", "1", "1", "1", "1", "1", "1"])
        var checked = 0
        for row in table {
            guard let chrom = row["#chrom"], let pos = row["pos"].flatMap(Int.init), let ref = row["ref"], let alt = row["alt"] else { continue }
            let p = pos - 1, c = length / 2, d = alt.count - ref.count
            let refStart = p - c
            let refScores = try predict(model, genome: fasta, chrom: chrom, start: refStart)
            // The genome with this allele alone.
            let one = try dir.write("one.vcf", vcfText([(chrom, pos, ref, alt)]))
            XCTAssertEqual(try runTool("/usr/bin/bgzip", ["-f", one]).status, 0)
            XCTAssertEqual(try runTool("/usr/bin/bcftools", ["index", "-f", one + ".gz"]).status, 0)
            let consensus = try runTool("/usr/bin/bcftools", ["consensus", "-f", fasta, one + ".gz"])
            XCTAssertEqual(consensus.status, 0, consensus.stderr)
            let altGenome = dir.file("alt.fa")
            try consensus.stdout.write(to: URL(fileURLWithPath: altGenome))
            try? FileManager.default.removeItem(atPath: altGenome + ".fai")
            let altScores = try predict(model, genome: altGenome, chrom: chrom, start: refStart + (d > 0 ? d / 2 : 0))
            for (k, task) in ["task1", "task2"].enumerated() {
                let r = Double(row["\(task).ref_prob"] ?? "") ?? .nan, a = Double(row["\(task).alt_prob"] ?? "") ?? .nan
                XCTAssertEqual(r, refScores[k], accuracy: 2e-6, "ref \(chrom):\(pos) \(ref)>\(alt) \(task)")
                XCTAssertEqual(a, altScores[k], accuracy: 2e-6, "alt \(chrom):\(pos) \(ref)>\(alt) \(task)")
                let diff = Double(row["\(task).diff"] ?? "") ?? .nan
                XCTAssertEqual(diff, a - r, accuracy: 1e-6)
            }
            checked += 1
        }
        XCTAssertEqual(checked, 9)
    }

    /// VCF, bgzip VCF and BCF outputs keep every record and INFO field, read back by bcftools
    /// with the same values as the TSV; the .tbi serves bcftools view -r; the split agrees with
    /// bcftools norm -m-.
    func testVCFOutputsReadBackByBcftools() throws {
        let vcf = try dir.write("v.vcf", vcfText(records))
        let tsv = try ok(["variants", vcf, "--fasta", fasta, "--model", stdModel, "--scores", "diff,logit_diff"]).text
        let expected = rows(tsv).map { "\($0["#chrom"] ?? "")\t\($0["pos"] ?? "")\t\($0["alt"] ?? "")\t\($0["diff"] ?? "")" }
        for name in ["out.vcf", "out.vcf.gz", "out.bcf"] {
            let out = dir.file(name)
            try ok(["variants", vcf, "--fasta", fasta, "--model", stdModel, "--scores", "diff,logit_diff", "-o", out])
            let view = try runTool("/usr/bin/bcftools", ["view", "-H", out])
            XCTAssertEqual(view.status, 0, view.stderr)
            XCTAssertEqual(view.text.split(separator: "\n").count, records.count, "\(name) keeps every record")
            let header = try runTool("/usr/bin/bcftools", ["view", "-h", out]).text
            XCTAssertTrue(header.contains("##INFO=<ID=CRICK_DIFF,Number=A,Type=Float"), header)
            XCTAssertTrue(header.contains("##INFO=<ID=DP,"), "the input's header lines stay")
            // Split per ALT as bcftools norm -m- does; values as in the TSV (6 significant digits).
            let norm = try runTool("/bin/sh", ["-c", "/usr/bin/bcftools norm -m- \(out) 2>/dev/null | /usr/bin/bcftools query -i 'INFO/CRICK_DIFF!=\".\"' -f '%CHROM\\t%POS\\t%ALT\\t%INFO/CRICK_DIFF\\t%INFO/DP\\n'"])
            XCTAssertEqual(norm.status, 0, norm.stderr)
            let got = norm.text.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
            XCTAssertEqual(got.count, expected.count, "\(name): \(norm.text)")
            for (g, e) in zip(got, expected) {
                let ef = e.split(separator: "\t").map(String.init)
                XCTAssertEqual(Array(g.prefix(3)), Array(ef.prefix(3)))
                XCTAssertEqual(Double(g[3]) ?? .nan, Double(ef[3]) ?? .nan, accuracy: 1e-6 + 1e-5 * abs(Double(ef[3]) ?? 0))
            }
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.file("out.vcf.gz.tbi")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.file("out.bcf.csi")))
        let region = try runTool("/usr/bin/bcftools", ["view", "-H", "-r", "chr2", dir.file("out.vcf.gz")])
        XCTAssertEqual(region.status, 0, region.stderr)
        XCTAssertEqual(region.text.split(separator: "\n").count, 2)
        // An index crick did not write (the .csi of an earlier out.vcf.gz) is left and named.
        try dir.write("out.vcf.gz.csi", "an earlier index")
        let again = try ok(["variants", vcf, "--fasta", fasta, "--model", stdModel, "-o", dir.file("out.vcf.gz")])
        XCTAssertTrue(again.stderr.contains("crick: warning: \(dir.file("out.vcf.gz.csi")) was left in place"), again.stderr)
        XCTAssertEqual(try String(contentsOfFile: dir.file("out.vcf.gz.csi"), encoding: .utf8), "an earlier index")
    }

    /// Threads, stdin, and shards merged: the same bytes.
    func testThreadsStdinAndShardsGiveTheSameRows() throws {
        let vcf = try dir.write("v.vcf", vcfText(records))
        let base = ["--fasta", fasta, "--model", rcModel, "--model", rcModel, "--per-model"]
        let one = try ok(["variants", vcf] + base + ["-@", "1"]).text
        XCTAssertEqual(try ok(["variants", vcf] + base + ["-@", "2"]).text, one)
        XCTAssertEqual(try ok(["variants", "-"] + base, stdin: Data(vcfText(records).utf8)).text, one)
        let s1 = try ok(["variants", vcf] + base + ["--shard", "1/2"]).text
        let s2 = try ok(["variants", vcf] + base + ["--shard", "2/2"]).text
        let merged = s1 + s2.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n")
        XCTAssertEqual(merged, one)
        XCTAssertTrue(one.split(separator: "\n")[0].contains("task1.diff.m2"))
    }

    /// REF mismatches: skipped and counted by default, scored with --ref-mismatch warn, an
    /// error naming the file and record with error; bad input is one line, exit 1, no output.
    func testRefMismatchPoliciesAndBadInput() throws {
        var bad = records
        bad[2].ref = bad[2].ref == "AA" ? "CC" : "AA"    // the MNP's REF no longer matches
        let vcf = try dir.write("bad.vcf", vcfText(bad))
        let skip = try ok(["variants", vcf, "--fasta", fasta, "--model", rcModel])
        XCTAssertEqual(rows(skip.text).count, 8)
        XCTAssertTrue(skip.stderr.contains("REF"), skip.stderr)
        let warn = try ok(["variants", vcf, "--fasta", fasta, "--model", rcModel, "--ref-mismatch", "warn"])
        XCTAssertEqual(rows(warn.text).count, 9)
        let out = dir.file("never.tsv")
        let error = try runTool(crickBinary, ["variants", vcf, "--fasta", fasta, "--model", rcModel, "--ref-mismatch", "error", "-o", out])
        XCTAssertEqual(error.status, 1)
        XCTAssertEqual(error.stderr.split(separator: "\n").count, 1, error.stderr)
        XCTAssertTrue(error.stderr.hasPrefix("crick: error: ") && error.stderr.contains("bad.vcf"), error.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let malformed = try dir.write("m.vcf", vcfText(records) + "chr1\tnotanumber\t.\tA\tC\t.\t.\t.\n")
        let m = try runTool(crickBinary, ["variants", malformed, "--fasta", fasta, "--model", rcModel, "-o", out])
        XCTAssertEqual(m.status, 1)
        XCTAssertEqual(m.stderr.split(separator: "\n").count, 1, m.stderr)
        XCTAssertTrue(m.stderr.contains("m.vcf"), m.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let missing = try dir.write("c.vcf", vcfText([("chr9", 10, "A", "C")]))
        let c = try runTool(crickBinary, ["variants", missing, "--fasta", fasta, "--model", rcModel, "--ref-mismatch", "error"])
        XCTAssertEqual(c.status, 1)
        XCTAssertTrue(c.stderr.contains("chr9"), c.stderr)
    }

    /// p-values: in (0, 1], seeded (the same twice), and a TSV input gives the VCF's rows.
    func testShufflePValuesAndTSVInput() throws {
        let vcf = try dir.write("v.vcf", vcfText(records))
        let a = try ok(["variants", vcf, "--fasta", fasta, "--model", rcModel, "--task", "task2", "--shuffles", "9", "--seed", "4"]).text
        XCTAssertEqual(try ok(["variants", vcf, "--fasta", fasta, "--model", rcModel, "--task", "task2", "--shuffles", "9", "--seed", "4", "-@", "2"]).text, a)
        let p = rows(a).compactMap { $0["p_value"].flatMap(Double.init) }
        XCTAssertEqual(p.count, 9)
        XCTAssertTrue(p.allSatisfy { $0 >= 0.1 - 1e-9 && $0 <= 1 }, "\(p)")
        let tsvInput = try dir.write("v.tsv", records.enumerated().map { "\($0.element.chrom)\t\($0.element.pos)\t\($0.element.ref)\t\($0.element.alt)\tv\($0.offset + 1)" }.joined(separator: "\n") + "\n")
        let fromTSV = try ok(["variants", tsvInput, "--fasta", fasta, "--model", rcModel, "--task", "task2", "--shuffles", "9", "--seed", "4"]).text
        XCTAssertEqual(fromTSV, a)
    }
}
