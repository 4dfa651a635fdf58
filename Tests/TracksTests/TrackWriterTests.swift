import XCTest
import TestSupport
@testable import Tracks

final class TrackWriterTests: XCTestCase {
    let genome = TrackGenome([("chr2", 1000), ("chr10", 500), ("chrM", 80)])

    func testGenomeIsInByteOrder() {
        XCTAssertEqual(genome.names, ["chr10", "chr2", "chrM"])
        XCTAssertEqual(genome.length(of: "chr2"), 1000)
        XCTAssertNotEqual(genome.digest, TrackGenome([("chr2", 1001), ("chr10", 500), ("chrM", 80)]).digest)
    }

    func testBedGraphWriterWritesSortedLinesAndCommits() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.file("a.bedGraph")
        let w = try BedGraphWriter(path: path, genome: genome, trackLine: "track type=bedGraph", comments: ["note"])
        try w.add("chr10", 0, 10, 0.5)
        try w.add("chr10", 10, 20, -1.25e-7)
        try w.add("chr2", 990, 1000, 3)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "the final name appears only at finish")
        try w.finish()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(text, "track type=bedGraph\n#note\nchr10\t0\t10\t0.5\nchr10\t10\t20\t-1.25e-07\nchr2\t990\t1000\t3\n")
        let back = try BedGraphReader(path: path)
        XCTAssertEqual(try back.readAll().map(\.value), [0.5, -1.25e-7, 3])
        XCTAssertEqual(back.trackLine, "track type=bedGraph")
        XCTAssertEqual(back.comments, ["note"])
    }

    func testWritersRejectWhatWouldMakeAnInvalidTrack() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let bad: [[(String, Int, Int)]] = [
            [("chr2", 0, 10), ("chr10", 0, 10)],        // chromosome order
            [("chr2", 0, 10), ("chr2", 5, 15)],         // overlap
            [("chr2", 20, 30), ("chr2", 0, 10)],        // unsorted
            [("chr2", 995, 1001)],                      // past the end
            [("chr2", 5, 5)],                           // empty
            [("chrX", 0, 1)],                           // unknown
            [("chr2", 0, 10), ("chr10", 0, 5), ("chr2", 20, 30)],  // chromosome split in two runs
        ]
        for (n, case_) in bad.enumerated() {
            for format in TrackFormat.allCases {
                let path = dir.file("bad\(n).\(format == .bigwig ? "bw" : "bedGraph")")
                let w = try makeTrackWriter(path: path, format: format, genome: genome)
                var failed = false
                for (c, s, e) in case_ {
                    do { try w.add(c, s, e, 1) } catch is TrackError { failed = true; break }
                }
                XCTAssertTrue(failed, "case \(n) \(format) accepted")
                w.abort()
                XCTAssertFalse(FileManager.default.fileExists(atPath: path))
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [], "aborted writers leave nothing")
    }

    func testBigWigRoundTripThroughLibBigWig() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = TestRNG(seed: 7)
        var expected: [TrackInterval] = []
        for (name, length) in zip(genome.names, genome.lengths) {
            var pos = 0
            while true {
                pos += Int.random(in: 0...3, using: &rng)
                let end = pos + Int.random(in: 1...5, using: &rng)
                guard end <= length else { break }
                expected.append(TrackInterval(chrom: name, start: pos, end: end, value: Float.random(in: -5...5, using: &rng)))
                pos = end
            }
        }
        let path = dir.file("t.bw")
        let w = try BigWigWriter(path: path, genome: genome)
        for i in expected { try w.add(i.chrom, i.start, i.end, i.value) }
        try w.finish()
        let r = try BigWigReader(path: path)
        XCTAssertEqual(r.genome, genome)
        XCTAssertEqual(try r.allIntervals(), expected)
        XCTAssertGreaterThan(expected.count, 300)
    }

    func testScoresReadBackExactly() {
        var rng = TestRNG(seed: 3)
        for _ in 0..<2000 {
            let v = Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng))
            guard v.isFinite else { continue }
            XCTAssertEqual(Float(formatScore(v)), v)
        }
    }
}
