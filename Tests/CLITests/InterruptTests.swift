import Foundation
import TestSupport
import XCTest

/// SIGINT stops a run promptly and leaves neither the final output nor temporary files.
final class InterruptTests: XCTestCase {
    func testSIGINTDuringDatasetLeavesNothing() throws {
        let dir = try TempDir("crick-sigint")
        defer { dir.remove() }
        let p = try startDataset(in: dir)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        // The outcome, not the time: the run stopped itself (128 + SIGINT), leaving nothing.
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 130)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "no final output and no temporary files")
    }

    func testSIGKILLDuringDatasetLeavesNoFinalOutput() throws {
        let dir = try TempDir("crick-sigkill")
        defer { dir.remove() }
        let p = try startDataset(in: dir)
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        // SIGKILL cannot be caught: the staging directory may stay, the final name must not appear.
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("ds")))
        XCTAssertTrue(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { $0.hasPrefix(".ds.crick-tmp") })
    }

    /// Starts `crick dataset` on the yeast data writing `dir/ds` (many shuffled negatives keep it
    /// busy for seconds in a debug build) and returns once its staging directory exists.
    private func startDataset(in dir: TempDir) throws -> Process {
        let yeast = packageRoot + "/Pipelines/data/yeast/"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: crickBinary)
        p.arguments = ["dataset", "--fasta", yeast + "sacCer3.fa.gz", "--peaks", "atac=" + yeast + "yeast_atac.narrowPeak",
                       "--negatives", "shuffle", "--neg-ratio", "40", "-q", "-o", dir.file("ds")]
        p.standardError = FileHandle.nullDevice
        try p.run()
        var waited = 0
        while waited < 400 && p.isRunning {
            if (try FileManager.default.contentsOfDirectory(atPath: dir.path)).contains(where: { $0.contains("crick-tmp") }) { break }
            usleep(25_000)
            waited += 1
        }
        try XCTSkipUnless(p.isRunning, "the run finished before it could be stopped")
        return p
    }
}
