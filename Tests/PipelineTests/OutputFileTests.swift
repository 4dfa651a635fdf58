import Foundation
import Pipeline
import TestSupport
import XCTest

/// Outputs appear under their final name only when complete.
final class OutputFileTests: XCTestCase {
    func testCommitRenamesAndAbortLeavesNothing() throws {
        let dir = try TempDir("crick-out")
        defer { dir.remove() }
        let final = dir.file("out.txt")
        let out = try OutputFile(path: final)
        try out.write("hello ")
        try out.write(Array(repeating: UInt8(ascii: "x"), count: 3 << 20))
        XCTAssertFalse(FileManager.default.fileExists(atPath: final))
        try out.commit()
        XCTAssertEqual(FileManager.default.contents(atPath: final)?.count, 6 + (3 << 20))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.txt"])

        let failed = try OutputFile(path: dir.file("failed.txt"))
        try failed.write("partial")
        failed.abort()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.txt"])
    }

    func testOverwriteFixesAHeaderInPlace() throws {
        let dir = try TempDir("crick-out")
        defer { dir.remove() }
        let out = try OutputFile(path: dir.file("h.bin"))
        try out.write("AAAA-body")
        try out.overwrite(at: 0, with: Array("BBBB".utf8))
        try out.commit()
        XCTAssertEqual(String(decoding: FileManager.default.contents(atPath: dir.file("h.bin"))!, as: UTF8.self), "BBBB-body")
    }

    func testUnwritableDirectoryIsAClearError() {
        XCTAssertThrowsError(try OutputFile(path: "/nonexistent-dir/x.txt")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent-dir/x.txt"), "\(error)")
        }
    }
}
