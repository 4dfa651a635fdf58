import Foundation
import TestSupport
import XCTest

/// A FASTA without an index in a directory crick cannot write to: a clear error that says
/// how to fix it. Root can write anywhere, so as root the run drops to user nobody.
final class ReadOnlyTests: XCTestCase {
    func testUnindexedFastaInReadOnlyDirectory() throws {
        let dir = try TempDir("crick-ro")
        defer {
            _ = try? runTool("chmod", ["-R", "u+w", dir.path])
            dir.remove()
        }
        let sub = dir.file("ro")
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        try ">a\nACGT\n".write(toFile: sub + "/g.fa", atomically: false, encoding: .utf8)
        XCTAssertEqual(try runTool("chmod", ["0555", sub]).status, 0)
        XCTAssertEqual(try runTool("chmod", ["0755", dir.path]).status, 0)
        let r = try runCrickUnprivileged(["fetch", "--fasta", sub + "/g.fa", "a:1-2"])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.hasPrefix("crick: error: FASTA has no index and its directory"), r.stderr)
        XCTAssertTrue(r.stderr.contains("samtools faidx"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sub + "/g.fa.fai"))
    }
}

/// Runs crick so that file permissions apply: as user nobody (through setpriv) when the tests
/// run as root, who can write anywhere. Skips when that is not possible.
func runCrickUnprivileged(_ args: [String]) throws -> RunResult {
    guard getuid() == 0 else { return try runTool(crickBinary, args) }
    try XCTSkipUnless(hasTool("setpriv"), "setpriv drops root for this test")
    // nobody must be able to reach the binary and the directory.
    let drop = ["--reuid=nobody", "--regid=nogroup", "--clear-groups", crickBinary]
    let reach = try runTool("setpriv", drop + ["--version"])
    try XCTSkipIf(reach.status != 0, "user nobody cannot run \(crickBinary)")
    return try runTool("setpriv", drop + args)
}
