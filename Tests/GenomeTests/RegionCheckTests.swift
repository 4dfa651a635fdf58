import Genome
import TestSupport
import XCTest

/// The one region policy: N limits, contig aliases, name hints, counts, strict errors and the
/// run that is left with no region.
final class RegionCheckTests: XCTestCase {
    private var dir: TempDir!
    private var fasta: FastaFile!

    override func setUpWithError() throws {
        dir = try TempDir("crick-regioncheck")
        fasta = try FastaFile(path: try dir.write("g.fa", ">1\nACGTACGTAC\n>2\nGGGGCCCCAA\n>MT\nTTTTAAAA\n"))
    }

    override func tearDown() { dir.remove() }

    func testNLimitIsAFractionBelowOneElseBases() throws {
        let tenth = try XCTUnwrap(NLimit(0.1))
        XCTAssertEqual(tenth.bases(inLength: 1000), 100)
        XCTAssertEqual(tenth.bases(inLength: 8), 0)
        XCTAssertEqual(try XCTUnwrap(NLimit(0.29)).bases(inLength: 100), 29)
        XCTAssertEqual(try XCTUnwrap(NLimit(50)).bases(inLength: 1000), 50)
        XCTAssertEqual(try XCTUnwrap(NLimit(1)).bases(inLength: 1000), 1)
        XCTAssertEqual(NLimit.standard, NLimit(0.1))
        XCTAssertFalse(tenth.exceeded(n: 100, length: 1000))
        XCTAssertTrue(tenth.exceeded(n: 101, length: 1000))
        XCTAssertNil(NLimit(-1))
        XCTAssertNil(NLimit(.nan))
        XCTAssertNil(NLimit(.infinity))
    }

    func testAliasesFromTwoColumnsAndUCSCFiles() throws {
        let two = try ContigAliases(path: try dir.write("a.tsv", "chr1\t1\r\nchrM\tMT\n\n"), fasta: fasta)
        XCTAssertEqual(two.target(of: "chr1"), "1")
        XCTAssertEqual(two.target(of: "chrM"), "MT")
        XCTAssertNil(two.target(of: "chr2"))
        // UCSC chromAlias: the UCSC name first, then aliases; the FASTA's name is the target
        // wherever it stands, and lines naming no contig of the FASTA are ignored.
        let ucsc = try ContigAliases(path: try dir.write("u.txt", "# ucsc\tassembly\tensembl\tgenbank\nchr2\t2\t2\tCM000002.1\nchrUn\tUn\tUn\tX1\n"), fasta: fasta)
        XCTAssertEqual(ucsc.target(of: "chr2"), "2")
        XCTAssertEqual(ucsc.target(of: "CM000002.1"), "2")
        XCTAssertNil(ucsc.target(of: "chrUn"))
        XCTAssertThrowsError(try ContigAliases(path: try dir.write("c.tsv", "x\t1\nx\t2\n"), fasta: fasta)) { error in
            XCTAssertEqual("\(error)", "alias 'x' names contig 2 here and 1 at line 1: \(self.dir.file("c.tsv")) line 2")
        }
    }

    func testHintsNameThePrefixAndTheMitochondrion() {
        XCTAssertEqual(ContigNameHint.cause(absent: ["chr1", "chrM"], fasta: fasta),
                       "the regions use a 'chr' prefix the FASTA lacks; the mitochondrial genome is MT in the FASTA, chrM in the regions")
        XCTAssertNil(ContigNameHint.cause(absent: ["scaffold9"], fasta: fasta))
        XCTAssertEqual(ContigNameHint.list(["a", "b", "c", "d", "e", "f"]), "a, b, c, d, e, ...")
    }

    func testCountsSkipsAndRenames() throws {
        let check = RegionCheck(fasta: fasta, policy: RegionPolicy(aliases: ContigAliases(["chr2": "2"])))
        var regions = [Interval(chrom: "1", start: 0, end: 4, line: 1), Interval(chrom: "chr2", start: 2, end: 6, line: 2),
                       Interval(chrom: "chr9", start: 0, end: 3, line: 3), Interval(chrom: "MT", start: 5, end: 20, line: 4),
                       Interval(chrom: "1", start: 7, end: 9, line: 5)]
        let accepted = try check.accepted(regions, source: "r.bed")
        XCTAssertEqual(accepted.map(\.row), [0, 1, 4])
        XCTAssertEqual(accepted[1].region.chrom, "2")
        XCTAssertEqual(accepted[1].contig, 1)
        // A window of 4 around the last region runs past the end of contig 1 (length 10).
        regions[4] = regions[4].resized(to: 4, around: .midpoint)
        XCTAssertTrue(try check.windowInside(regions[4], contig: 0, origin: "x"))
        XCTAssertFalse(try check.windowInside(Interval(chrom: "1", start: 8, end: 12), contig: 0, origin: "x"))
        check.add(tooManyN: 1)
        XCTAssertEqual(check.tally.absent, ["chr9": 1])
        XCTAssertEqual(check.tally.pastEnd, 1)
        XCTAssertEqual(check.tally.nearEnd, 1)
        XCTAssertEqual(check.tally.skipped, 4)
        XCTAssertEqual(try check.finish(source: "r.bed", windowLength: 4), [
            "skipped 4 regions: 1 on contigs absent from the FASTA (chr9), 1 past the end of their contig, 1 too close to a contig end for a 4 bp window, 1 with more N than --max-n 0.1 allows",
        ])
    }

    func testStrictFailsAtTheFirstNamingItsLine() {
        let check = RegionCheck(fasta: fasta, policy: RegionPolicy(strict: true))
        var r = Interval(chrom: "chr1", start: 0, end: 4, line: 7)
        let origin = r.origin(path: "p.bed")
        XCTAssertThrowsError(try check.contig(of: &r, origin: origin)) { error in
            XCTAssertEqual("\(error)", "contig 'chr1' is not in the FASTA \(self.fasta.path) (the regions use a 'chr' prefix the FASTA lacks: pass --chrom-alias FILE): p.bed line 7")
        }
        XCTAssertThrowsError(try check.inside(Interval(chrom: "MT", start: 0, end: 9), contig: 2, origin: "region MT:1-9")) { error in
            XCTAssertEqual("\(error)", "region MT:1-9 runs past the end of contig MT (length 8): region MT:1-9")
        }
        XCTAssertThrowsError(try check.policy.tooManyN(3, window: Interval(chrom: "1", start: 0, end: 10), origin: "x")) { error in
            XCTAssertEqual("\(error)", "the window 1:1-10 has 3 N bases in 10, more than --max-n 0.1 allows (1): x")
        }
        XCTAssertFalse(try check.policy.tooManyN(1, window: Interval(chrom: "1", start: 0, end: 10), origin: "x"))
    }

    func testNothingLeftFailsWithBothSidesNames() throws {
        let check = RegionCheck(fasta: fasta, policy: RegionPolicy())
        let regions = (1...3).map { Interval(chrom: "chr\($0)", start: 0, end: 2, line: $0) }
        XCTAssertEqual(try check.accepted(regions, source: "r.bed").count, 0)
        XCTAssertThrowsError(try check.finish(source: "r.bed", windowLength: nil)) { error in
            XCTAssertEqual("\(error)", "none of the 3 regions is on a contig of the FASTA \(self.fasta.path): regions name contigs chr1, chr2, chr3; the FASTA has 1, 2, MT (the regions use a 'chr' prefix the FASTA lacks: pass --chrom-alias FILE): r.bed")
        }
    }

    func testMostlyPastTheEndWarnsOfTheAssembly() throws {
        let check = RegionCheck(fasta: fasta, policy: RegionPolicy())
        let regions = [Interval(chrom: "1", start: 0, end: 4, line: 1)] + (2...4).map { Interval(chrom: "2", start: 20, end: 30, line: $0) }
        XCTAssertEqual(try check.accepted(regions, source: "r.bed").count, 1)
        let warnings = try check.finish(source: "r.bed", windowLength: nil)
        XCTAssertEqual(warnings.last, "3 of 4 regions on contigs of the FASTA lie past a contig end or in N: the regions may come from another assembly than \(fasta.path)")
    }

    func testRegionStringsAreClipped() throws {
        let check = RegionCheck(fasta: fasta, policy: RegionPolicy())
        var r = Interval(chrom: "MT", start: 4, end: 30)
        try check.clipRegionString(&r, origin: "region MT:5-30")
        XCTAssertEqual(r.end, 8)
        XCTAssertEqual(check.tally.clipped, 1)
        var past = Interval(chrom: "MT", start: 9, end: 30)
        try check.clipRegionString(&past, origin: "region MT:10-30")
        XCTAssertEqual(past.end, 30, "a region starting past the end is left to be skipped")
        let strict = RegionCheck(fasta: fasta, policy: RegionPolicy(strict: true))
        var s = Interval(chrom: "MT", start: 4, end: 30)
        XCTAssertThrowsError(try strict.clipRegionString(&s, origin: "region MT:5-30"))
    }
}
