import Foundation
import TestSupport
import XCTest

/// Pipelines/snakemake: sharded scans and sharded variant scoring merged by Snakemake equal
/// one unsharded run, and the SLURM profile passes a dry run.
final class SnakemakeTests: XCTestCase {
    func testShardedWorkflowEqualsUnshardedScanAndSlurmProfileDryRuns() throws {
        try XCTSkipUnless(hasTool("snakemake"), "snakemake is not installed (make deps installs it where apt can)")
        let dir = try TempDir("crick-snakemake")
        defer { dir.remove() }
        var rng = TestRNG(seed: 17)
        let contigs = [("chrB", randomSequence(9_000, alphabet: "ACGTN", rng: &rng)),
                       ("chrA", randomSequence(14_000, alphabet: "ACGT", rng: &rng)),
                       ("chrM", randomSequence(700, alphabet: "ACGT", rng: &rng))]
        let fasta = try dir.write("g.fa", fastaText(contigs, width: 60))
        // Variants to score: SNVs at every 500th base of chrA, as a TSV (chrom, pos, ref, alt).
        let chrA = Array(contigs[1].1)
        let variants = try dir.write("v.tsv", stride(from: 250, to: 14_000, by: 500).map { p in
            "chrA\t\(p + 1)\t\(chrA[p])\t\(chrA[p] == "A" ? "C" : "A")"
        }.joined(separator: "\n") + "\n")
        let model = dir.file("m.safetensors")
        XCTAssertEqual(try runTool(crickBinary, ["model", "init", "--preset", "chip", "--strand", "rc", "-o", model]).status, 0)
        let workflow = packageRoot + "/Pipelines/snakemake"
        let config = ["--config", "crick=\(crickBinary)", "model=\(model)", "fasta=\(fasta)", "shards=3", "stride=20", "threads=1", "out=\(dir.file("res"))",
                      "variants=\(variants)", "variant_shards=3"]
        let run = try runTool("snakemake", ["-s", workflow + "/Snakefile", "--profile", workflow + "/profiles/local", "--directory", dir.path] + config)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try runTool(crickBinary, ["scan", "--model", model, "--fasta", fasta, "-o", dir.file("whole.bw"), "-q"]).status, 0)
        let merged = FileManager.default.contents(atPath: dir.file("res/scan.bw"))
        XCTAssertNotNil(merged)
        XCTAssertEqual(merged, FileManager.default.contents(atPath: dir.file("whole.bw")), "merged shards equal the unsharded scan")
        let whole = try runTool(crickBinary, ["variants", variants, "--model", model, "--fasta", fasta, "-q"])
        XCTAssertEqual(whole.status, 0, whole.stderr)
        XCTAssertEqual(whole.text.split(separator: "\n").count, 29)
        XCTAssertEqual(FileManager.default.contents(atPath: dir.file("res/variants.tsv")), whole.stdout,
                       "merged variant shards equal the unsharded run")
        let dry = try runTool("snakemake", ["-s", workflow + "/Snakefile", "--profile", workflow + "/profiles/slurm", "--dry-run",
                                            "--directory", dir.path] + config.map { $0.hasPrefix("out=") ? "out=\(dir.file("dry"))" : $0 })
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.text.contains("scan_shard") && dry.text.contains("merge"), dry.text)
    }
}
