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

    /// Runs written in bulk give the bytes of one `add` per interval (over the 64 KB flush,
    /// with integers, fractions, negative values and huge coordinates), and are checked the same
    /// way: an overlapping run or a non-finite value is refused.
    func testRunsInBulkEqualOneAddPerInterval() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let big = TrackGenome([("chrA", 1 << 40), ("chrB", 100)])
        var runs: [(start: Int, end: Int, value: Float)] = []
        var at = 0
        var rng = TestRNG(seed: 3)
        for i in 0..<9000 {
            let width = 1 + Int(rng.next() % 50)
            let value: Float = i % 3 == 0 ? Float(rng.next() % 1000) : i % 3 == 1 ? Float(rng.next() % 1000) / 7 : -Float(rng.next() % 100) - 0.5
            runs.append((at, at + width, value))
            at += width + Int(rng.next() % 3)
        }
        runs.append(((1 << 40) - 10, 1 << 40, 16_777_216))   // 2^24: past the digit-by-digit integers
        let one = try BedGraphWriter(path: dir.file("one.bg"), genome: big)
        for r in runs { try one.add("chrA", r.start, r.end, r.value) }
        try one.add("chrB", 5, 9, 0)
        try one.finish()
        let bulk = try BedGraphWriter(path: dir.file("bulk.bg"), genome: big)
        try bulk.add("chrA", runs: runs)
        try bulk.add("chrB", runs: [(5, 9, 0)])
        try bulk.finish()
        let a = try Data(contentsOf: URL(fileURLWithPath: dir.file("one.bg")))
        XCTAssertGreaterThan(a.count, 1 << 17)
        XCTAssertEqual(a, try Data(contentsOf: URL(fileURLWithPath: dir.file("bulk.bg"))))
        let overlapping = try BedGraphWriter(path: dir.file("bad.bg"), genome: big)
        XCTAssertThrowsError(try overlapping.add("chrA", runs: [(0, 10, 1), (5, 20, 2)]))
        overlapping.abort()
        let nonFinite = try BedGraphWriter(path: dir.file("bad2.bg"), genome: big)
        XCTAssertThrowsError(try nonFinite.add("chrA", runs: [(0, 10, .nan)]))
        nonFinite.abort()
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

    /// A bigWig decoder independent of libBigWig (the file format as UCSC documents it): walks
    /// the R-tree to the data blocks, inflates them and decodes bedGraph, variable- and
    /// fixed-step sections. Prints "TYPES bedGraph fixed" and then one interval per line.
    private static let decoder = #"""
        import struct, sys, zlib
        data = open(sys.argv[1], 'rb').read()
        magic, version, zooms, chrom_tree, full_data, full_index = struct.unpack_from('<IHHQQQ', data, 0)
        assert magic == 0x888FFC26, hex(magic)
        uncompress = struct.unpack_from('<I', data, 52)[0]
        # chromosome B+ tree: names by id
        _, block, key_size, val_size, count = struct.unpack_from('<IIIIQ', data, chrom_tree)
        names = {}
        def chroms(off):
            leaf, _, n = struct.unpack_from('<BBH', data, off)
            off += 4
            for _ in range(n):
                key = data[off:off + key_size].rstrip(b'\x00').decode(); off += key_size
                if leaf:
                    cid, size = struct.unpack_from('<II', data, off); names[cid] = key; off += 8
                else:
                    child = struct.unpack_from('<Q', data, off)[0]; off += 8; chroms(child)
        chroms(chrom_tree + 32)
        blocks = []
        def rtree(off):
            leaf, _, n = struct.unpack_from('<BBH', data, off)
            off += 4
            for _ in range(n):
                if leaf:
                    o, size = struct.unpack_from('<QQ', data, off + 16); blocks.append((o, size)); off += 32
                else:
                    child = struct.unpack_from('<Q', data, off + 16)[0]; off += 24; rtree(child)
        rtree(full_index + 48)
        kinds = {1: 0, 2: 0, 3: 0}
        out = []
        for o, size in sorted(blocks):
            raw = data[o:o + size]
            raw = zlib.decompress(raw) if uncompress else raw
            cid, start, end, step, span, kind, _, n = struct.unpack_from('<IIIIIBBH', raw, 0)
            kinds[kind] += 1
            p = 24
            for i in range(n):
                if kind == 1:
                    s, e, v = struct.unpack_from('<IIf', raw, p); p += 12
                elif kind == 2:
                    s, v = struct.unpack_from('<If', raw, p); e = s + span; p += 8
                else:
                    v = struct.unpack_from('<f', raw, p)[0]; s = start + i * step; e = s + span; p += 4
                out.append('%s\t%d\t%d\t%r' % (names[cid], s, e, v))
        print('TYPES', kinds[1], kinds[3])
        print('\n'.join(out))
        """#

    func testFixedStepRunsAreFixedStepSectionsAndReadBackExactly() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let genome = TrackGenome([("c1", 600_000), ("c2", 90_007)])
        var rng = TestRNG(seed: 11)
        var expected: [TrackInterval] = []
        // c1: 20 bp bins with gaps (windows left out for N) and stretches of irregular
        // intervals, over more than one 16,384-interval block; c2: bins up to its end, the last
        // one clipped, as a scan writes them.
        var pos = 0
        while pos + 40 < 600_000 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: pos += 20 * Int.random(in: 1...30, using: &rng)
            case 1:
                for _ in 0..<Int.random(in: 1...5, using: &rng) where pos + 40 < 600_000 {
                    let end = pos + Int.random(in: 1...17, using: &rng)
                    expected.append(TrackInterval(chrom: "c1", start: pos, end: end, value: Float.random(in: -1...1, using: &rng)))
                    pos = end + Int.random(in: 0...3, using: &rng)
                }
                pos = (pos + 19) / 20 * 20
            default:
                for _ in 0..<Int.random(in: 1...400, using: &rng) where pos + 20 <= 600_000 {
                    expected.append(TrackInterval(chrom: "c1", start: pos, end: pos + 20, value: Float.random(in: 0...1, using: &rng)))
                    pos += 20
                }
            }
        }
        for b in stride(from: 0, to: 90_007, by: 20) {
            expected.append(TrackInterval(chrom: "c2", start: b, end: min(b + 20, 90_007), value: Float(b % 997) / 997))
        }
        XCTAssertGreaterThan(expected.count, 2 * (1 << 14))
        let path = dir.file("fixed.bw")
        let w = try BigWigWriter(path: path, genome: genome)
        for i in expected { try w.add(i.chrom, i.start, i.end, i.value) }
        try w.finish()
        XCTAssertEqual(try BigWigReader(path: path).allIntervals(), expected, "libBigWig reads back every interval")
        // The independent decoder: same intervals, and both kinds of section are there.
        let script = try dir.write("decode.py", Self.decoder)
        let r = try runTool("/usr/bin/python3", [script, path])
        XCTAssertEqual(r.status, 0, r.stderr)
        var lines = r.text.split(separator: "\n").map(String.init)
        let types = (lines.isEmpty ? "" : lines.removeFirst()).split(separator: " ")
        XCTAssertEqual(types.count, 3)
        XCTAssertGreaterThan(Int(types[1]) ?? 0, 0, "bedGraph sections for the irregular intervals")
        XCTAssertGreaterThan(Int(types[2]) ?? 0, 0, "fixed-step sections for the bins")
        XCTAssertEqual(lines, expected.map { "\($0.chrom)\t\($0.start)\t\($0.end)\t\(Double($0.value))" })
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
