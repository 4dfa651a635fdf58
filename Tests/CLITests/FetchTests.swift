import Foundation
import TestSupport
import XCTest

/// `crick fetch` end to end: against bedtools getfasta, across thread counts, from stdin,
/// and into NPY files that numpy reads.
final class FetchTests: XCTestCase {
    private var dir: TempDir!
    private var fasta: String!
    private var bed: String!

    /// A 3-contig genome and 10,000 random regions (some past the ends, on absent contigs).
    override func setUpWithError() throws {
        dir = try TempDir("crick-fetch")
        var rng = TestRNG(seed: 2024)
        let contigs = [("chrA", 40_000), ("chrB", 25_000), ("chrC:1|x", 9_000)].map { ($0.0, randomSequence($0.1, alphabet: "ACGTACGTacgtN", rng: &rng)) }
        fasta = try dir.write("g.fa", fastaText(contigs, width: 60))
        var lines: [String] = []
        for i in 0..<10_000 {
            let (name, seq) = contigs[Int(rng.next() % 3)]
            let s = Int(rng.next() % UInt64(seq.count - 100))
            let len = 1 + Int(rng.next() % 300)
            let summit = Int(rng.next() % UInt64(len))
            let chrom = i % 997 == 0 ? "chrZ" : name
            lines.append("\(chrom)\t\(s)\t\(min(s + len, seq.count))\tp\(i)\t0\t.\t0\t-1\t-1\t\(min(summit, min(s + len, seq.count) - s - 1))")
        }
        bed = try dir.write("r.narrowPeak", lines.joined(separator: "\n") + "\n")
    }

    override func tearDown() { dir.remove() }

    private func crick(_ args: [String], stdin: Data? = nil) throws -> RunResult {
        try runTool(crickBinary, args, stdin: stdin)
    }

    func testFastaMatchesBedtoolsGetfasta() throws {
        try requireOracle(hasTool("bedtools"), "bedtools is the oracle")
        let known = try dir.write("known.bed", try String(contentsOfFile: bed, encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("chrZ") }.map { $0.split(separator: "\t")[0..<3].joined(separator: "\t") }.joined(separator: "\n") + "\n")
        let oracle = try runTool("bedtools", ["getfasta", "-fi", fasta, "-bed", known])
        XCTAssertEqual(oracle.status, 0, oracle.stderr)
        let ours = try crick(["fetch", "--fasta", fasta, "--regions", known, "-@", "2"])
        XCTAssertEqual(ours.status, 0, ours.stderr)
        XCTAssertEqual(ours.text, oracle.text)
        let tab = try runTool("bedtools", ["getfasta", "-tab", "-fi", fasta, "-bed", known])
        XCTAssertEqual(try crick(["fetch", "--fasta", fasta, "--regions", known, "--format", "tsv"]).text, tab.text)
    }

    func testOutputIsIdenticalAtEveryThreadCount() throws {
        for format in ["fasta", "codes", "npy"] {
            var outputs: [Data] = []
            for threads in ["1", "2", "4", "8"] {
                let out = dir.file("t\(threads).\(format)")
                let r = try crick(["fetch", "--fasta", fasta, "--regions", bed, "--length", "200", "--format", format, "-@", threads, "-o", out])
                XCTAssertEqual(r.status, 0, r.stderr)
                XCTAssertTrue(r.stderr.contains("skipped"), "regions on chrZ are counted")
                outputs.append(try Data(contentsOf: URL(fileURLWithPath: out)))
            }
            XCTAssertGreaterThan(outputs[0].count, 1_000_000)
            XCTAssertEqual(Set(outputs).count, 1, "\(format) differs between thread counts")
        }
    }

    func testStdinAndGzipInputGiveTheSameOutput() throws {
        let file = try crick(["fetch", "--fasta", fasta, "--regions", bed, "--format", "codes"])
        let stdin = try crick(["fetch", "--fasta", fasta, "--regions", "-", "--input-format", "narrowpeak", "--format", "codes"],
                              stdin: try Data(contentsOf: URL(fileURLWithPath: bed)))
        XCTAssertEqual(file.status, 0)
        XCTAssertEqual(stdin.status, 0, stdin.stderr)
        XCTAssertEqual(file.stdout, stdin.stdout)
        XCTAssertEqual(try runTool("gzip", ["-k", bed]).status, 0)
        XCTAssertEqual(try crick(["fetch", "--fasta", fasta, "--regions", bed + ".gz", "--format", "codes"]).stdout, file.stdout)
    }

    func testNPYMatchesCodesInNumpy() throws {
        let npy = dir.file("x.npy")
        let codes = dir.file("x.txt")
        XCTAssertEqual(try crick(["fetch", "--fasta", fasta, "--regions", bed, "--length", "500", "--format", "npy", "-o", npy, "-@", "3"]).status, 0)
        XCTAssertEqual(try crick(["fetch", "--fasta", fasta, "--regions", bed, "--length", "500", "--format", "codes", "-o", codes]).status, 0)
        let script = """
            import numpy as np, sys
            a = np.load(sys.argv[1], mmap_mode="r")
            rows = [np.frombuffer(l.encode(), dtype=np.uint8) - 48 for l in open(sys.argv[2]).read().split()]
            assert a.dtype == np.uint8 and a.ndim == 2 and a.shape[1] == 500, (a.dtype, a.shape)
            assert a.shape[0] == len(rows), (a.shape, len(rows))
            assert (np.asarray(a) == np.stack(rows)).all()
            assert a.max() <= 4
            print(a.shape[0])
            """
        let python = FileManager.default.fileExists(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        let r = try runTool(python, ["-c", script, npy, codes])
        try requireOracle(!r.stderr.contains("No module named 'numpy'"), "numpy is the oracle")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertGreaterThan(Int(r.text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, 9000)
    }

    func testHelpShowsDefaultsAndVersion() throws {
        let help = try crick(["fetch", "--help"])
        XCTAssertEqual(help.status, 0)
        for text in ["default: summit", "default: fasta", "default: 1", "default: -", "-@, --threads"] {
            XCTAssertTrue(help.text.contains(text), "help lacks \(text)")
        }
        XCTAssertEqual(try crick(["--version"]).text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, false)
        XCTAssertEqual(try crick(["fetch", "--fasta", fasta, "chrA:1-5", "-@4"]).status, 0, "samtools-style -@4")
    }
}
