import Foundation
import TestSupport
import XCTest

/// Pipelines/snakemake: sharded scans merged by Snakemake equal one unsharded scan, and the
/// SLURM profile passes a dry run.
final class SnakemakeTests: XCTestCase {
    func testShardedWorkflowEqualsUnshardedScanAndSlurmProfileDryRuns() throws {
        try XCTSkipUnless(hasTool("snakemake"), "snakemake is not installed (make deps installs it where apt can)")
        let dir = try TempDir("crick-snakemake")
        defer { dir.remove() }
        var rng = TestRNG(seed: 17)
        let fasta = try dir.write("g.fa", fastaText([("chrB", randomSequence(9_000, alphabet: "ACGTN", rng: &rng)),
                                                    ("chrA", randomSequence(14_000, alphabet: "ACGT", rng: &rng)),
                                                    ("chrM", randomSequence(700, alphabet: "ACGT", rng: &rng))], width: 60))
        let model = dir.file("m.safetensors")
        XCTAssertEqual(try runTool(crickBinary, ["model", "init", "--preset", "chip", "--strand", "rc", "-o", model]).status, 0)
        let workflow = packageRoot + "/Pipelines/snakemake"
        let config = ["--config", "crick=\(crickBinary)", "model=\(model)", "fasta=\(fasta)", "shards=3", "stride=20", "threads=1", "out=\(dir.file("res"))"]
        let run = try runTool("snakemake", ["-s", workflow + "/Snakefile", "--profile", workflow + "/profiles/local", "--directory", dir.path] + config)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try runTool(crickBinary, ["scan", "--model", model, "--fasta", fasta, "-o", dir.file("whole.bw"), "-q"]).status, 0)
        let merged = FileManager.default.contents(atPath: dir.file("res/scan.bw"))
        XCTAssertNotNil(merged)
        XCTAssertEqual(merged, FileManager.default.contents(atPath: dir.file("whole.bw")), "merged shards equal the unsharded scan")
        let dry = try runTool("snakemake", ["-s", workflow + "/Snakefile", "--profile", workflow + "/profiles/slurm", "--dry-run",
                                            "--directory", dir.path] + config.map { $0.hasPrefix("out=") ? "out=\(dir.file("dry"))" : $0 })
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.text.contains("scan_shard") && dry.text.contains("merge"), dry.text)
    }
}
