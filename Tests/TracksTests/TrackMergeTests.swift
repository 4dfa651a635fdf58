import XCTest
import TestSupport
@testable import Tracks

final class TrackMergeTests: XCTestCase {
    let genome = TrackGenome([("c1", 100), ("c2", 100)])

    func shard(_ dir: TempDir, _ k: Int, _ n: Int, _ lines: String, digest: String? = nil) throws -> String {
        try dir.write("s\(k)of\(n).bedGraph", "track type=bedGraph\n#" + ShardHeader(part: k, parts: n, genomeDigest: digest ?? genome.digest).comment + "\n" + lines)
    }

    func merged(_ inputs: [String], _ dir: TempDir) throws -> String {
        let out = dir.file("merged.bedGraph")
        let w = try BedGraphWriter(path: out, genome: genome)
        do { try TrackMerge.merge(inputs, genome: genome, into: w); try w.finish() } catch { w.abort(); throw error }
        return try String(contentsOfFile: out, encoding: .utf8)
    }

    func testShardsJoinInPartOrderWhateverTheArgumentOrder() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let a = try shard(dir, 1, 3, "c1\t0\t10\t1\n")
        let b = try shard(dir, 2, 3, "c1\t10\t20\t2\nc2\t0\t5\t3\n")
        let c = try shard(dir, 3, 3, "c2\t5\t10\t4\n")
        XCTAssertEqual(try merged([c, a, b], dir), "c1\t0\t10\t1\nc1\t10\t20\t2\nc2\t0\t5\t3\nc2\t5\t10\t4\n")
    }

    func testMissingDuplicateForeignAndOverlappingShardsAreErrors() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let a = try shard(dir, 1, 3, "c1\t0\t10\t1\n")
        let c = try shard(dir, 3, 3, "c2\t5\t10\t4\n")
        XCTAssertThrowsError(try merged([a, c], dir)) { XCTAssertTrue("\($0)".contains("missing shard 2/3"), "\($0)") }
        XCTAssertThrowsError(try merged([a, a, c], dir)) { XCTAssertTrue("\($0)".contains("given twice"), "\($0)") }
        let foreign = try shard(dir, 2, 3, "c1\t10\t20\t2\n", digest: "0123456789abcdef")
        XCTAssertThrowsError(try merged([a, foreign, c], dir)) { XCTAssertTrue("\($0)".contains("another genome"), "\($0)") }
        let overlapping = try shard(dir, 2, 3, "c1\t5\t20\t2\n")
        XCTAssertThrowsError(try merged([a, overlapping, c], dir)) { XCTAssertTrue("\($0)".contains("shard 2/3"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("merged.bedGraph")))
    }

    func testPlainTracksAreSortedTogetherAndMustNotOverlap() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let x = try dir.write("x.bedGraph", "c2\t0\t5\t1\n")
        let y = try dir.write("y.bedGraph", "c1\t0\t5\t2\nc1\t50\t60\t3\n")
        XCTAssertEqual(try merged([x, y], dir), "c1\t0\t5\t2\nc1\t50\t60\t3\nc2\t0\t5\t1\n")
        let z = try dir.write("z.bedGraph", "c1\t55\t70\t9\n")
        XCTAssertThrowsError(try merged([y, z], dir)) { XCTAssertTrue("\($0)".contains("overlap"), "\($0)") }
    }

    func testBedGraphReaderAcceptsCRLFAndRefusesReversedIntervals() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let crlf = try dir.write("a.bedGraph", "track type=bedGraph\r\nc1\t0\t5\t1.5\r\nc1\t5\t8\t2\r\n")
        XCTAssertEqual(try BedGraphReader(path: crlf).readAll(), [TrackInterval(chrom: "c1", start: 0, end: 5, value: 1.5),
                                                                 TrackInterval(chrom: "c1", start: 5, end: 8, value: 2)])
        XCTAssertEqual(try BedGraphReader(path: crlf).trackLine, "track type=bedGraph")
        let reversed = try dir.write("r.bedGraph", "c1\t0\t5\t1\nc1\t9\t7\t2\n")
        XCTAssertThrowsError(try BedGraphReader(path: reversed).readAll()) {
            XCTAssertEqual("\($0)", "end 7 is less than start 9: \(reversed) line 2")
        }
        let negative = try dir.write("n.bedGraph", "c1\t-1\t5\t1\n")
        XCTAssertThrowsError(try BedGraphReader(path: negative).readAll()) {
            XCTAssertEqual("\($0)", "start -1 is negative: \(negative) line 1")
        }
    }
}
