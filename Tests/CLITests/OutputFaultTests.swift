import Foundation
import TestSupport
import XCTest

/// Outputs that cannot be written: a read-only directory and a full file system give one clear
/// error line, exit status 1, and leave neither a final-named nor a temporary file.
final class OutputFaultTests: XCTestCase {
    var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir("crick-faults") }
    override func tearDown() {
        _ = try? runTool("umount", [dir.file("small")])
        _ = try? runTool("chmod", ["-R", "u+w", dir.path])
        dir.remove()
    }

    /// A small genome and a model whose scan writes a few hundred kB of bedGraph.
    func inputs() throws -> (fasta: String, model: String) {
        var rng = TestRNG(seed: 6)
        let fasta = try dir.write("g.fa", fastaText([("c1", randomSequence(20_000, alphabet: "ACGT", rng: &rng))], width: 60))
        let model = dir.file("m.safetensors")
        XCTAssertEqual(try runTool(crickBinary, ["model", "init", "--preset", "chip", "-o", model]).status, 0)
        XCTAssertEqual(try runTool(crickBinary, ["fetch", "--fasta", fasta, "c1:1-10"]).status, 0, "index the FASTA")
        XCTAssertEqual(try runTool("chmod", ["-R", "a+rX", dir.path]).status, 0)
        return (fasta, model)
    }

    func testReadOnlyOutputDirectory() throws {
        let (fasta, model) = try inputs()
        let ro = dir.file("ro")
        try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
        XCTAssertEqual(try runTool("chmod", ["0555", ro]).status, 0)
        let r = try runCrickUnprivileged(["scan", "--model", model, "--fasta", fasta, "--stride", "1", "-o", ro + "/out.bedGraph", "-q"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.stderr, "crick: error: cannot create output (Permission denied): \(ro)/out.bedGraph\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: ro), [])
    }

    func testFullFileSystem() throws {
        let (fasta, model) = try inputs()
        let small = dir.file("small")
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        let mounted = getuid() == 0 ? try runTool("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", small]) : nil
        try XCTSkipUnless(mounted?.status == 0, "cannot mount a small tmpfs here")
        for output in ["out.bedGraph", "out.bw"] {
            // After a failed write the bigWig writer abandons libBigWig's handle on purpose (closing
            // it corrupts memory): leak checking, in sanitizer builds, is off for this run.
            let r = try runTool("env", ["ASAN_OPTIONS=detect_leaks=0", crickBinary, "scan", "--model", model, "--fasta", fasta, "--stride", "1", "-o", small + "/" + output, "-q"])
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("crick: error: ") && r.stderr.split(separator: "\n").count == 1, r.stderr)
            XCTAssertTrue(r.stderr.contains("No space left on device"), r.stderr)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: small), [], "nothing partial left (\(output))")
        }
    }
}
