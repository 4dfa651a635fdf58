import Foundation
import Genome
import TestSupport
import XCTest

/// BED and narrowPeak reading: formats, headers, compression, tabix queries, bad lines.
final class IntervalReaderTests: XCTestCase {
    private var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir("crick-bed") }
    override func tearDown() { dir.remove() }

    func testBedVariantsHeadersAndCRLF() throws {
        let text = """
            track name=x\r
            browser position chr1:1-100
            # comment

            chr1\t10\t20\r
            chr1\t5\t5\tzero\t0\t+
            chr2\t0\t100\tname\t0\t-\t10\t90\t255,0,0\t2\t10,20,\t0,80,
            chr3 1 2
            """
        let p = try dir.write("a.bed", text + "\n")
        let got = try IntervalReader(path: p).readAll()
        XCTAssertEqual(got.map(\.chrom), ["chr1", "chr1", "chr2", "chr3"])
        XCTAssertEqual(got.map(\.start), [10, 5, 0, 1])
        XCTAssertEqual(got.map(\.end), [20, 5, 100, 2])
        XCTAssertEqual(got.map(\.line), [5, 6, 7, 8])
        XCTAssertEqual(got.map(\.name), [nil, "zero", "name", nil])
        XCTAssertTrue(got.allSatisfy { $0.summit == nil }, "BED12 is not narrowPeak")
    }

    func testNarrowPeakSummitsAndExtraColumns() throws {
        let text = """
            chr1\t100\t200\tp1\t1500\t.\t5.5\t-1\t-1\t30
            chr1\t300\t400\tp2\t0\t.\t0\t0\t0\t-1
            chr2\t0\t50\tp3\t0\t.\t0\t0\t0\t0\t0.1\t0.2\t7\t8
            """
        let p = try dir.write("peaks.bed", text + "\n")  // ENCODE-style name: detected by columns
        let got = try IntervalReader(path: p).readAll()
        XCTAssertEqual(got.map(\.summit), [130, nil, 0])
        XCTAssertEqual(got[1].center(.summit), 350)
        XCTAssertEqual(got[0].resized(to: 10, around: .summit).start, 125)
        XCTAssertEqual(got[0].resized(to: 11, around: .midpoint).start, 145)
        XCTAssertEqual(got[0].resized(to: 11, around: .midpoint).end, 156)
    }

    func testMalformedLinesNameFileAndLine() throws {
        let cases: [(String, String)] = [
            ("chr1\t5\n", "needs at least 3"),
            ("chr1\tx\t5\n", "not an integer"),
            ("chr1\t1.5\t5\n", "not an integer"),
            ("chr1\t-1\t5\n", "negative"),
            ("chr1\t9\t5\n", "less than start"),
            ("chr1\t0\t10\tp\t0\t.\t0\t0\t0\t10\n", "outside its peak"),
        ]
        for (i, (line, message)) in cases.enumerated() {
            let p = try dir.write("bad\(i).bed", "#h\n" + line)
            XCTAssertThrowsError(try IntervalReader(path: p).readAll()) { error in
                guard case GenomeError.malformedLine(let path, let n, let detail) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(path, p)
                XCTAssertEqual(n, 2)
                XCTAssertTrue(detail.contains(message), "\(detail) lacks \(message)")
            }
        }
    }

    func testEmptyFileAndCompressedInputs() throws {
        XCTAssertEqual(try IntervalReader(path: try dir.write("e.bed", "")).readAll(), [])
        try requireOracle(hasTool("bgzip"), "bgzip")
        let body = (0..<500).map { "chr\($0 % 3)\t\($0 * 10)\t\($0 * 10 + 5)" }.joined(separator: "\n") + "\n"
        let p = try dir.write("x.bed", body)
        let plain = try IntervalReader(path: p).readAll()
        XCTAssertEqual(try runTool("sh", ["-c", "gzip -c '\(p)' > '\(p).gz'; bgzip -c '\(p)' > '\(p).bgz'"]).status, 0)
        XCTAssertEqual(try IntervalReader(path: p + ".gz").readAll(), plain)
        XCTAssertEqual(try IntervalReader(path: p + ".bgz").readAll(), plain)
    }

    func testMalformedLineThroughTabixNamesItsLine() throws {
        try XCTSkipUnless(hasTool("tabix") && hasTool("bgzip"))
        let p = try dir.write("t.narrowPeak", "c1\t0\t5\tp1\t0\t.\t0\t0\t0\t2\nc1\t6\t9\tp2\t0\t.\t0\t0\t0\t9\nc2\t1\t4\tp3\t0\t.\t0\t0\t0\t1\n")
        XCTAssertEqual(try runTool("sh", ["-c", "bgzip -c '\(p)' > '\(p).gz' && tabix -p bed '\(p).gz'"]).status, 0)
        XCTAssertThrowsError(try IntervalReader(path: p + ".gz", region: try GenomicRegion.parse("c1:1-16")).readAll()) { error in
            XCTAssertEqual("\(error)", "summit offset 9 lies outside its peak of length 3: \(p).gz line 2")
        }
    }

    func testTabixRegionQueryMatchesTabix() throws {
        try requireOracle(hasTool("tabix") && hasTool("bgzip"), "tabix and bgzip")
        var rng = TestRNG(seed: 5)
        var rows: [(String, Int, Int)] = []
        for c in ["chrA", "chrB"] {
            for _ in 0..<400 { let s = Int(rng.next() % 100_000); rows.append((c, s, s + 1 + Int(rng.next() % 300))) }
        }
        rows.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        let p = try dir.write("q.bed", rows.map { "\($0.0)\t\($0.1)\t\($0.2)" }.joined(separator: "\n") + "\n")
        XCTAssertEqual(try runTool("sh", ["-c", "bgzip -c '\(p)' > '\(p).gz' && tabix -p bed '\(p).gz'"]).status, 0)
        for region in ["chrA:1000-20000", "chrB:50001-50100", "chrB", "chrZ:1-10"] {
            let oracle = try runTool("tabix", [p + ".gz", region])
            let expected = oracle.text.split(separator: "\n").map(String.init)
            let query = try GenomicRegion.parse(region)
            let viaIndex = try IntervalReader(path: p + ".gz", region: query).readAll()
            XCTAssertEqual(viaIndex.map { "\($0.chrom)\t\($0.start)\t\($0.end)" }, expected, region)
            // Without an index the reader scans and filters, with the same result.
            let viaScan = try IntervalReader(path: p, region: query).readAll()
            XCTAssertEqual(viaScan, viaIndex.map { var i = $0; i.line = viaScan.first(where: { $0.start == i.start && $0.end == i.end && $0.chrom == i.chrom })?.line ?? 0; return i }, region)
        }
    }

    func testRegionStrings() throws {
        XCTAssertEqual(try GenomicRegion.parse("chr1:1,001-2,000"), GenomicRegion(chrom: "chr1", start: 1000, end: 2000))
        XCTAssertEqual(try GenomicRegion.parse("chr1:5"), GenomicRegion(chrom: "chr1", start: 4, end: nil))
        XCTAssertEqual(try GenomicRegion.parse("chr1"), GenomicRegion(chrom: "chr1", start: 0, end: nil))
        XCTAssertEqual(try GenomicRegion.parse("{HLA:01}:3-4"), GenomicRegion(chrom: "HLA:01", start: 2, end: 4))
        XCTAssertEqual(try GenomicRegion.parse("HLA:01", isContig: { $0 == "HLA:01" }), GenomicRegion(chrom: "HLA:01", start: 0, end: nil))
        XCTAssertEqual(try GenomicRegion.parse("a|b:10-20"), GenomicRegion(chrom: "a|b", start: 9, end: 20))
        for bad in ["", "chr1:0-5", "chr1:9-5", "chr1:x-5", ":1-2", "{chr1:1-2"] {
            XCTAssertThrowsError(try GenomicRegion.parse(bad), bad)
        }
    }
}

/// Coordinates from outside are bounded by `Interval.maxCoordinate` (2^60): 19 digits and
/// more, and values near `Int.max`, are errors naming the line, not arithmetic traps.
final class CoordinateBoundTests: XCTestCase {
    func testCoordinatesPastTheMaximumAreLineErrors() throws {
        let dir = try TempDir("crick-bed-bounds")
        defer { dir.remove() }
        let cases: [(String, String)] = [
            ("c1\t1\t9223372036854775808\n", "end 9223372036854775808 exceeds"),
            ("c1\t1\t99999999999999999999999\n", "end 99999999999999999999999 exceeds"),
            ("c1\t9223372036854775807\t9223372036854775807\n", "start 9223372036854775807 exceeds"),
            ("c1\t1\t1152921504606846977\n", "end 1152921504606846977 exceeds"),
            ("c1\t-9223372036854775809\t5\n", "start -9223372036854775809 is negative"),
            ("c1\t1\t100\tp\t0\t.\t1\t1\t1\t9223372036854775808\n", "summit offset 9223372036854775808 lies outside"),
        ]
        for (i, (text, message)) in cases.enumerated() {
            let path = try dir.write("b\(i).narrowPeak", "c1\t0\t10\tok\t0\t.\t1\t1\t1\t-1\n" + text)
            XCTAssertThrowsError(try IntervalReader(path: path).readAll()) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error)")
                XCTAssertTrue("\(error)".hasSuffix("\(path) line 2"), "\(error)")
            }
        }
        // The maximum itself is accepted, and a window of the maximum length around it cannot overflow.
        let path = try dir.write("max.bed", "c1\t1152921504606846975\t1152921504606846976\n")
        let got = try IntervalReader(path: path).readAll()
        XCTAssertEqual(got.map(\.end), [Interval.maxCoordinate])
        let w = got[0].resized(to: Interval.maxCoordinate, around: .midpoint)
        XCTAssertEqual(w.end - w.start, Interval.maxCoordinate)
    }

    func testRegionStringsAreBounded() {
        XCTAssertThrowsError(try GenomicRegion.parse("c1:1-9223372036854775807"))
        XCTAssertThrowsError(try GenomicRegion.parse("c1:1152921504606846977"))
        XCTAssertThrowsError(try GenomicRegion.parse("c1:1-99999999999999999999"))
        XCTAssertEqual(try GenomicRegion.parse("c1:1-1152921504606846976").end, Interval.maxCoordinate)
    }
}
