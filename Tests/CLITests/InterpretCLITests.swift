import Foundation
import TestSupport
import XCTest

/// crick motifs and crick attribute end to end.
final class InterpretCLITests: XCTestCase {
    var dir: TempDir!

    override func setUpWithError() throws { dir = try TempDir("crick-interpret") }
    override func tearDown() { dir.remove() }

    @discardableResult
    func ok(_ args: [String]) throws -> RunResult {
        let r = try runTool(crickBinary, args)
        XCTAssertEqual(r.status, 0, "crick \(args.joined(separator: " ")): \(r.stderr)")
        return r
    }

    func testMotifsFromADatasetAndFromFastaWithComparisonAndTruth() throws {
        let sim = dir.file("sim"), ds = dir.file("ds"), model = dir.file("m.safetensors")
        try ok(["simulate", "--mode", "koo", "--n", "600", "-o", sim, "--dataset", ds, "-q"])
        try ok(["model", "init", "--preset", "koo-cnn2", "--strand", "rc", "--outputs", "12", "--first-activation", "exponential", "-o", model])
        let jaspar = packageRoot + "/Pipelines/data/motifs/JASPAR2024_CORE_fungi_non-redundant.meme"
        let out = dir.file("motifs")
        let r = try ok(["motifs", "--model", model, ds, "--split", "test", "--compare", jaspar, "--truth", sim, "-o", out, "-q"])
        XCTAssertTrue(r.text.hasPrefix("match fraction "), r.text)
        let tsv = try String(contentsOfFile: out + "/filters.tsv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(tsv.count, 33, "a header and 32 filters")
        XCTAssertEqual(tsv[0], "filter\tsites\twidth\tinformation_content\tconsensus\tbest_match\tbest_match_name\tbest_e_value")
        let matches = try String(contentsOfFile: out + "/matches.tsv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(matches.count, 1 + 32 * 5)
        let truth = try String(contentsOfFile: out + "/truth.tsv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(truth[0], "match_fraction\tmatch_any\tcoverage\tfilters\ttruth_motifs\trecovered\tmatch_fraction_any_hit\tcoverage_any_hit")
        XCTAssertEqual(truth[1].split(separator: "\t")[4], "12")
        let meme = try String(contentsOfFile: out + "/filters.meme", encoding: .utf8)
        XCTAssertEqual(meme.components(separatedBy: "\nMOTIF filter").count, 33)
        // The same from the sequences as FASTA: an earlier output is replaced only with --force,
        // and then crick's files of the earlier run that the new one lacks are gone.
        let fasta = try dir.write("seqs.fa", ">a\nACGTACGTACGTACGTACGTACGTACGTGGGCCCAAATTTACGATCGATCG\n>short\nACGT\n")
        let refused = try runTool(crickBinary, ["motifs", "--model", model, fasta, "-o", out, "-q"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("pass --force"), refused.stderr)
        try ok(["motifs", "--model", model, fasta, "-o", out, "--force", "-q"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/matches.tsv"), "the old output's matches were replaced")
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/filters.meme"))
    }

    func testAttributeWritesMatrixWindowsAndPerBaseTrack() throws {
        var rng = TestRNG(seed: 5)
        let fasta = try dir.write("g.fa", fastaText([("c1", randomSequence(3000, alphabet: "ACGT", rng: &rng)), ("c2", randomSequence(500, alphabet: "ACGTN", rng: &rng))], width: 60))
        let regions = try dir.write("r.bed", "c1\t1000\t1100\tr1\nc1\t1050\t1150\tr2\nc2\t0\t50\tr3\n")
        let model = dir.file("m.safetensors")
        try ok(["model", "init", "--preset", "koo-cnn2", "--strand", "standard", "--outputs", "2", "-o", model])
        for method in ["saliency", "ism"] {
            let prefix = dir.file(method)
            try ok(["attribute", "--model", model, "--fasta", fasta, "--regions", regions, "--method", method, "--task", "task2",
                    "--strand-average", "-o", prefix, "-q", "-@2"])
            let npy = try XCTUnwrap(FileManager.default.contents(atPath: prefix + ".npy"))
            XCTAssertEqual(npy.count, 128 + 3 * 200 * 4 * 4)
            XCTAssertTrue(String(decoding: npy.prefix(128), as: UTF8.self).contains("'shape': (3, 200, 4)"))
            let windows = try String(contentsOfFile: prefix + ".windows.bed", encoding: .utf8).split(separator: "\n")
            // Clipped to the chromosome (r3's window starts 75 bp before c2), column 5 the matrix column of the start.
            XCTAssertEqual(windows, ["c1\t950\t1150\tr1\t0", "c1\t1000\t1200\tr2\t0", "c2\t0\t125\tr3\t75"])
            let track = try String(contentsOfFile: prefix + ".bedGraph", encoding: .utf8).split(separator: "\n")
            XCTAssertTrue(track[0].hasPrefix("track type=bedGraph"))
            let values = track.dropFirst().map { $0.split(separator: "\t") }
            // Per base over c1:950-1200 and c2:0-125 (the part of r3's window inside c2), equal
            // neighbours joined: the intervals tile exactly those bases.
            let covered = values.reduce(0) { $0 + (Int($1[2]) ?? 0) - (Int($1[1]) ?? 0) }
            XCTAssertEqual(covered, 250 + 125)
            // Where only r1 covers (c1:950-1000), the track is r1's saliency at the present base.
            if method == "saliency" {
                let floats = npy.dropFirst(128).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
                let first = values[0]
                XCTAssertEqual(first[1], "950")
                let sum = floats[0..<4].reduce(0, +)
                XCTAssertEqual(Float(first[3]) ?? .nan, sum, accuracy: 1e-6)
            }
        }
        // The incremental ISM engine (the default) against every mutant through the full network.
        let full = dir.file("ism-full")
        try ok(["attribute", "--model", model, "--fasta", fasta, "--regions", regions, "--method", "ism", "--ism-engine", "full",
                "--task", "task2", "--strand-average", "-o", full, "-q", "-@2"])
        func floats(_ prefix: String) throws -> [Float] {
            try XCTUnwrap(FileManager.default.contents(atPath: prefix + ".npy")).dropFirst(128).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        let incremental = try floats(dir.file("ism")), reference = try floats(full)
        XCTAssertEqual(incremental.count, reference.count)
        XCTAssertLessThanOrEqual(zip(incremental, reference).map { abs($0 - $1) }.max() ?? 1, 1e-5)
        XCTAssertGreaterThan(reference.map(abs).max() ?? 0, 0, "a map that is not all zero")
        // One worker thread gives the same bytes as two (the scorer is shared, workspaces are not).
        let serial = dir.file("ism-serial")
        try ok(["attribute", "--model", model, "--fasta", fasta, "--regions", regions, "--method", "ism",
                "--task", "task2", "--strand-average", "-o", serial, "-q", "-@1"])
        XCTAssertEqual(FileManager.default.contents(atPath: serial + ".npy"), FileManager.default.contents(atPath: dir.file("ism") + ".npy"))
    }

    /// `--queries FILE` compares a motif file's motifs (TF-MoDISco's patterns) in place of a
    /// model's filters: the planted motifs given as queries find themselves.
    func testMotifsCompareAMotifFile() throws {
        let sim = dir.file("sim"), ds = dir.file("ds")
        try ok(["simulate", "--mode", "koo", "--n", "200", "-o", sim, "--dataset", ds, "-q"])
        let jaspar = packageRoot + "/Pipelines/data/motifs/JASPAR_CORE_2016_vertebrates.meme"
        let out = dir.file("q")
        let r = try ok(["motifs", "--queries", sim + "/motifs.meme", "--compare", jaspar, "--truth", sim, "-o", out, "-q"])
        XCTAssertTrue(r.text.contains("12 of 12 motifs match with E < 0.1"), r.text)
        let truth = try String(contentsOfFile: out + "/truth.tsv", encoding: .utf8).split(separator: "\n")
        // Each planted motif is among the significant matches of itself as a query (any-hit
        // coverage 1); MAX's E-box best-matches another E-box motif of the database (Id2).
        let fields = truth[1].split(separator: "\t")
        XCTAssertEqual(fields[7], "1.0000", "every planted motif is among some query's significant matches")
        XCTAssertGreaterThanOrEqual(Double(fields[2]) ?? 0, 0.9, "coverage")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/untrained.tsv"), "no model, no untrained baseline")
        let both = try runTool(crickBinary, ["motifs", "--queries", sim + "/motifs.meme", "--model", "m.safetensors", ds, "-o", dir.file("x")])
        XCTAssertEqual(both.status, 64, both.stderr)
        XCTAssertTrue(both.stderr.contains("--queries"), both.stderr)
    }

    /// DeepLIFT/SHAP and integrated gradients write TF-MoDISco's arrays (regions x 4 x L), are
    /// the same at every thread count and seed their references; a references file of the wrong
    /// shape or with a non-base value is one error line, exit 1, nothing written.
    func testContributionScoresWriteModiscoArrays() throws {
        var rng = TestRNG(seed: 8)
        let fasta = try dir.write("g.fa", fastaText([("c1", randomSequence(3000, alphabet: "ACGT", rng: &rng))], width: 60))
        let regions = try dir.write("r.bed", "c1\t1000\t1100\tr1\nc1\t2000\t2100\tr2\n")
        let model = dir.file("m.safetensors")
        try ok(["model", "init", "--preset", "koo-cnn2", "--strand", "rc", "--outputs", "1", "--first-activation", "exponential", "-o", model])
        func arrays(_ prefix: String) throws -> (ohe: Data, hyp: Data, map: Data) {
            (try XCTUnwrap(FileManager.default.contents(atPath: prefix + ".ohe.npy")),
             try XCTUnwrap(FileManager.default.contents(atPath: prefix + ".hyp.npy")),
             try XCTUnwrap(FileManager.default.contents(atPath: prefix + ".npy")))
        }
        for method in ["deepliftshap", "integrated-gradients"] {
            let one = dir.file(method + "-1"), two = dir.file(method + "-2")
            let r = try ok(["attribute", "--model", model, "--fasta", fasta, "--regions", regions, "--method", method,
                            "--references", "shuffle:4", "--steps", "8", "-o", one, "-@1"])
            XCTAssertTrue(r.stderr.contains("completeness:"), r.stderr)
            try ok(["attribute", "--model", model, "--fasta", fasta, "--regions", regions, "--method", method,
                    "--references", "shuffle:4", "--steps", "8", "-o", two, "-q", "-@2"])
            let a = try arrays(one), b = try arrays(two)
            XCTAssertEqual(a.ohe, b.ohe)
            XCTAssertEqual(a.hyp, b.hyp, "\(method): the same bytes at one and two threads")
            XCTAssertEqual(a.map, b.map)
            XCTAssertTrue(String(decoding: a.hyp.prefix(128), as: UTF8.self).contains("'shape': (2, 4, 200)"))
            XCTAssertEqual(a.hyp.count, 128 + 2 * 4 * 200 * 4)
            // The one-hot array holds exactly one 1 per position.
            let ohe = a.ohe.dropFirst(128).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            XCTAssertEqual(ohe.reduce(0, +), 2 * 200)
        }
        // Another seed draws other shuffles.
        let seeded = dir.file("seed2")
        try ok(["attribute", "--model", model, "--fasta", fasta, "--regions", regions, "--method", "deepliftshap",
                "--references", "shuffle:4", "--seed", "2", "-o", seeded, "-q"])
        XCTAssertNotEqual(try arrays(seeded).hyp, try arrays(dir.file("deepliftshap-1")).hyp)
        // References files: the wrong shape, then a value that is not a base code.
        let made = try runTool("/usr/bin/python3", ["-c", """
            import numpy as np, sys
            np.save(sys.argv[1], np.zeros((3, 2, 200), dtype=np.uint8))
            a = np.zeros((2, 2, 200), dtype=np.uint8); a[1, 1, 7] = 9; np.save(sys.argv[2], a)
            """, dir.file("shape.npy"), dir.file("value.npy")])
        XCTAssertEqual(made.status, 0, made.stderr)
        for (file, message) in [("shape.npy", "expected (2 regions"), ("value.npy", "is not a base code")] {
            let out = dir.file("bad-" + file)
            let r = try runTool(crickBinary, ["attribute", "--model", model, "--fasta", fasta, "--regions", regions,
                                              "--method", "deepliftshap", "--references", dir.file(file), "-o", out])
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("crick: error: ") && r.stderr.contains(message), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out + ".hyp.npy"))
        }
        let usage = try runTool(crickBinary, ["attribute", "--model", model, "--fasta", fasta, "--regions", regions,
                                              "--method", "deepliftshap", "--references", "shuffle:x", "-o", dir.file("u")])
        XCTAssertEqual(usage.status, 64, usage.stderr)
    }

    /// `crick motifs` streams a FASTA record in chunks: on a 12 Mb record its peak resident
    /// memory stays under 150 MB (reading the record whole took about 34 bytes a base with this
    /// model, 268 with koo-cnn2: a 100 Mb record asked for 26.8 GB).
    func testMotifsOnALongFastaRecordRunInBoundedMemory() throws {
        // AddressSanitizer's shadow memory would count against the bound.
        try XCTSkipIf(ProcessInfo.processInfo.environment["LSAN_OPTIONS"] != nil, "resident memory under AddressSanitizer")
        try XCTSkipUnless(FileManager.default.fileExists(atPath: "/proc/self/status"), "needs /proc")
        let model = dir.file("m.safetensors")
        try ok(["model", "init", "--arch", packageRoot + "/Tests/Fuzz/seeds/arch/good.json", "-o", model])
        var rng = TestRNG(seed: 9)
        let block = Array(randomSequence(6_000, alphabet: "ACGT", rng: &rng).utf8)
        var lines = Data()
        for i in 0..<100 { lines += Data(block[(i * 60)..<(i * 60 + 60)]) + Data("\n".utf8) }
        var text = Data(">chrLong\n".utf8)
        for _ in 0..<2_000 { text += lines }  // 12 Mb
        let path = dir.file("long.fa")
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: text))
        let out = dir.file("motifs")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: crickBinary)
        p.arguments = ["motifs", "--model", model, path, "-o", out, "-q"]
        try p.run()
        // The kernel's high-water mark of resident memory, read until the process exits.
        var peakKB = 0
        while p.isRunning {
            if let status = try? String(contentsOfFile: "/proc/\(p.processIdentifier)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
               let kb = Int(line.split(separator: " ").dropFirst().first ?? "") {
                peakKB = max(peakKB, kb)
            }
            usleep(20_000)
        }
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertGreaterThan(peakKB, 0, "no memory reading")
        XCTAssertLessThan(peakKB, 150_000, "peak resident memory \(peakKB) kB")
        let tsv = try String(contentsOfFile: out + "/filters.tsv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(tsv.count, 3, "a header and 2 filters")
    }
}
