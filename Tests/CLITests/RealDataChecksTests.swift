import Foundation
import TestSupport
import XCTest

/// Section 3 of issue 15 on the real yeast data: peaks named for another assembly's contigs,
/// aliases, and peaks in an N gap, with bedtools and samtools as oracles.
final class RealDataChecksTests: XCTestCase {
    private var dir: TempDir!
    private let yeast = packageRoot + "/Pipelines/data/yeast"

    override func setUpWithError() throws { dir = try TempDir("crick-realdata") }
    override func tearDown() { dir.remove() }

    private func crick(_ args: [String]) throws -> RunResult { try runTool(crickBinary, args) }

    /// The peaks with their `chr` prefix dropped, as an Ensembl-named peak file has them.
    private func unprefixedPeaks() throws -> String {
        let text = try String(contentsOfFile: yeast + "/yeast_atac.narrowPeak", encoding: .utf8)
        return try dir.write("peaks.nochr.narrowPeak", text.split(separator: "\n").map { $0.hasPrefix("chr") ? String($0.dropFirst(3)) : String($0) }.joined(separator: "\n") + "\n")
    }

    func testPeaksOfAnotherNamingFailWithBothSidesAndTheFix() throws {
        let peaks = try unprefixedPeaks()
        let out = dir.file("x.fa")
        let r = try crick(["fetch", "--fasta", yeast + "/sacCer3.fa.gz", "--regions", peaks, "-o", out])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "crick: error: none of the 1605 regions is on a contig of the FASTA \(yeast)/sacCer3.fa.gz: regions name contigs IV, XII, VII, XV, XVI, ...; the FASTA has chrI, chrII, chrIII, chrIV, chrV, ... (the FASTA uses a 'chr' prefix the regions lack: pass --chrom-alias FILE): \(peaks)\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no empty output on failure")
        let ds = try crick(["dataset", "--fasta", yeast + "/sacCer3.fa.gz", "--peaks", "atac=" + peaks, "--length", "1000", "-o", dir.file("ds")])
        XCTAssertEqual(ds.status, 1)
        XCTAssertTrue(ds.stderr.hasPrefix("crick: error: task 'atac': none of the 1605 peaks is on a contig of the FASTA"), ds.stderr)
    }

    func testChromAliasGivesWhatBedtoolsGivesOnTheOriginalNames() throws {
        try XCTSkipUnless(hasTool("bedtools"), "bedtools is the oracle")
        let peaks = try unprefixedPeaks()
        // A UCSC chromAlias-style file: UCSC name first, then the alias.
        let names = try String(contentsOfFile: yeast + "/sacCer3.fa.gz.fai", encoding: .utf8).split(separator: "\n").map { String($0.split(separator: "\t")[0]) }
        let alias = try dir.write("sacCer3.chromAlias.txt", "# ucsc\tensembl\n" + names.map { "\($0)\t\($0.dropFirst(3))\n" }.joined())
        let plain = try runTool("sh", ["-c", "zcat '\(yeast)/sacCer3.fa.gz' > '\(dir.file("g.fa"))'"])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let original = try dir.write("orig.bed", try String(contentsOfFile: yeast + "/yeast_atac.narrowPeak", encoding: .utf8)
            .split(separator: "\n").filter { $0.hasPrefix("chr") }.map { $0.split(separator: "\t")[0..<3].joined(separator: "\t") }.joined(separator: "\n") + "\n")
        let oracle = try runTool("bedtools", ["getfasta", "-fi", dir.file("g.fa"), "-bed", original])
        XCTAssertEqual(oracle.status, 0, oracle.stderr)
        let ours = try crick(["fetch", "--fasta", dir.file("g.fa"), "--regions", peaks, "--chrom-alias", alias])
        XCTAssertEqual(ours.status, 0, ours.stderr)
        XCTAssertEqual(ours.stderr, "")
        XCTAssertEqual(ours.text, oracle.text)
    }

    func testPeaksInAnNGapAreNeitherPositivesNorShufflesNorScoredAlike() throws {
        try XCTSkipUnless(hasTool("samtools"), "samtools is the oracle")
        // chrI with its bases 30,001-60,000 replaced by N, as a reference gap.
        let chrI = try runTool("samtools", ["faidx", yeast + "/sacCer3.fa.gz", "chrI"])
        XCTAssertEqual(chrI.status, 0, chrI.stderr)
        var seq = chrI.text.split(separator: "\n").dropFirst().joined()
        let gap = seq.index(seq.startIndex, offsetBy: 30_000)..<seq.index(seq.startIndex, offsetBy: 60_000)
        seq.replaceSubrange(gap, with: String(repeating: "N", count: 30_000))
        let chrII = try runTool("samtools", ["faidx", yeast + "/sacCer3.fa.gz", "chrII"])
        let fasta = try dir.write("gap.fa", ">chrI\n\(seq)\n" + chrII.text)
        // Ten peaks in the gap and the real peaks of chrI and chrII.
        let real = try String(contentsOfFile: yeast + "/yeast_atac.narrowPeak", encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("chrI\t") || $0.hasPrefix("chrII\t") }.map(String.init)
        let inGap = (0..<10).map { "chrI\t\(35_000 + $0 * 2_000)\t\(35_500 + $0 * 2_000)\tgap\($0)\t0\t.\t0\t0\t0\t250" }
        let peaks = try dir.write("p.narrowPeak", (real + inGap).joined(separator: "\n") + "\n")
        let ds = try crick(["dataset", "--fasta", fasta, "--peaks", "atac=" + peaks, "--length", "1000", "--negatives", "shuffle", "-o", dir.file("ds")])
        XCTAssertEqual(ds.status, 0, ds.stderr)
        XCTAssertTrue(ds.stderr.contains("with more N than --max-n 0.1 allows"), ds.stderr)
        let rows = try String(contentsOfFile: dir.file("ds/regions.bed"), encoding: .utf8).split(separator: "\n")
        // No window (positive or shuffle) with more than 100 of its 1000 bases in the gap.
        let inN = rows.filter { r in
            let f = r.split(separator: "\t")
            guard f[0] == "chrI", let a = Int(f[1]), let b = Int(f[2]) else { return false }
            return min(b, 60_000) - max(a, 30_000) > 100
        }
        XCTAssertEqual(inN, [], "no positive or shuffle from the gap")
        XCTAssertGreaterThan(rows.count, 0)
        // fetch counts them; --strict refuses them.
        let fetch = try crick(["fetch", "--fasta", fasta, "--regions", peaks, "--length", "1000", "-o", dir.file("p.fa")])
        XCTAssertEqual(fetch.status, 0, fetch.stderr)
        // The ten peaks in the gap and the two real peaks whose windows reach into it.
        XCTAssertTrue(fetch.stderr.contains("crick: warning: 12 regions written have more N than --max-n 0.1 allows"), fetch.stderr)
        let gapOnly = try dir.write("gap.narrowPeak", inGap.joined(separator: "\n") + "\n")
        let strict = try crick(["fetch", "--fasta", fasta, "--regions", gapOnly, "--length", "1000", "--strict", "-o", dir.file("q.fa")])
        XCTAssertEqual(strict.status, 1)
        XCTAssertEqual(strict.stderr, "crick: error: the window chrI:34751-35750 has 1000 N bases in 1000, more than --max-n 0.1 allows (100): \(gapOnly) line 1\n")
        // predict and a dataset of the gap alone: nothing usable, a failure rather than equal scores.
        let none = try crick(["dataset", "--fasta", fasta, "--peaks", "atac=" + gapOnly, "--length", "1000", "-o", dir.file("ds-gap")])
        XCTAssertEqual(none.status, 1)
        XCTAssertEqual(none.stderr, "crick: error: task 'atac' has no usable peak among 10: 10 with more N than --max-n 0.1 allows; the peaks may come from another assembly than \(fasta): \(gapOnly)\n")
    }
}
