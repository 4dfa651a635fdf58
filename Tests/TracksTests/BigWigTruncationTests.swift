import Foundation
import TestSupport
import Tracks
import XCTest

/// A bigWig cut at any byte, or with one offset changed, is a `TrackError` naming the file:
/// libBigWig trusts every offset it reads (cut at 64 bytes it dereferenced a null header).
final class BigWigTruncationTests: XCTestCase {
    let genome = TrackGenome([("chr1", 40_000), ("chr2", 9_000), ("chrM", 80)])

    /// A bigWig written by crick, several data blocks and zoom levels long.
    func makeBigWig(_ dir: TempDir) throws -> [UInt8] {
        let path = dir.file("full.bw")
        let w = try BigWigWriter(path: path, genome: genome)
        var rng = TestRNG(seed: 3)
        for (name, length) in zip(genome.names, genome.lengths) {
            for start in stride(from: 0, to: length - 10, by: 10) {
                try w.add(name, start, start + 10, Float.random(in: -5...5, using: &rng))
            }
        }
        try w.finish()
        return [UInt8](try XCTUnwrap(FileManager.default.contents(atPath: path)))
    }

    func testEveryCutIsAnErrorAndTheWholeFileReads() throws {
        let dir = try TempDir("crick-bw-cut")
        defer { dir.remove() }
        let full = try makeBigWig(dir)
        XCTAssertGreaterThan(full.count, 20_000)
        let whole = try BigWigReader(path: dir.file("full.bw")).allIntervals()
        XCTAssertEqual(whole.count, 3_999 + 899 + 7)
        // Every byte of the header region, then offsets spread over the whole file.
        var cuts = Array(0..<1_024)
        cuts += Array(stride(from: 1_024, to: full.count, by: 97)) + Array((full.count - 64)..<full.count)
        let path = dir.file("cut.bw")
        for cut in cuts {
            XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(full[..<cut])))
            do {
                let r = try BigWigReader(path: path)
                _ = try r.allIntervals()
                XCTFail("a bigWig cut at byte \(cut) of \(full.count) was read")
            } catch let error as TrackError {
                XCTAssertTrue(error.description.hasSuffix(": " + path), "\(cut): \(error)")
            }
        }
    }

    func testOffsetsPastTheFileAreErrors() throws {
        let dir = try TempDir("crick-bw-offsets")
        defer { dir.remove() }
        let full = try makeBigWig(dir)
        let path = dir.file("changed.bw")
        // The chromosome tree, data and index offsets, the total summary offset, and the zoom
        // headers' data and index offsets: each set past the end, or to 2^60, or to 2^63 - 1.
        for field in [8, 16, 24, 44, 64 + 8, 64 + 16] {
            for value in [UInt64(full.count + 8), 1 << 60, UInt64(Int64.max)] {
                var b = full
                for i in 0..<8 { b[field + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
                XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(b)))
                XCTAssertThrowsError(try BigWigReader(path: path).allIntervals(), "field \(field) = \(value)") { error in
                    XCTAssertTrue(error is TrackError, "\(error)")
                }
            }
        }
    }

    func testChromSizesBoundsAndErrors() throws {
        let g = try TrackGenome.parseChromSizes(Array("chr2\t20\n# x\n\nchr1\t1000\r\n".utf8), path: "g.sizes")
        XCTAssertEqual(g.names, ["chr1", "chr2"])
        for (text, line) in [("chr1\t1152921504606846977\n", 1), ("chr1\t5\nchr2\t99999999999999999999\n", 2), ("chr1\n", 1), ("chr1\t0\n", 1)] {
            XCTAssertThrowsError(try TrackGenome.parseChromSizes(Array(text.utf8), path: "g.sizes")) { error in
                XCTAssertTrue("\(error)".hasSuffix("g.sizes line \(line)"), "\(error)")
            }
        }
    }
}
