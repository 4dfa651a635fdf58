import Foundation
import Genome
import TestSupport
import XCTest

/// REF against the FASTA: the comparison rule, the three policies, aliases, absent contigs.
final class VariantRefCheckTests: XCTestCase {
    private var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir("crick-refcheck") }
    override func tearDown() { dir.remove() }

    func testComparisonRule() {
        func m(_ ref: String, _ fasta: String) -> Bool { VariantRefCheck.matches(ref: ref.utf8, reference: fasta.utf8) }
        XCTAssertTrue(m("ACGT", "ACGT"))
        XCTAssertTrue(m("acgt", "ACgt"), "case is ignored")
        XCTAssertTrue(m("ANGT", "ACGT"), "N in REF matches any base")
        XCTAssertTrue(m("nnnn", "ACGT"))
        XCTAssertTrue(m("ACNT", "ACNT"))
        XCTAssertTrue(m("ACNT", "ACRT"), "a FASTA IUPAC code counts as N")
        XCTAssertFalse(m("ACGT", "ACNT"), "a FASTA N matches only N")
        XCTAssertFalse(m("ACGT", "ACRT"))
        XCTAssertFalse(m("ACRT", "ACRT"), "an IUPAC code in REF matches nothing")
        XCTAssertFalse(m("ACG", "ACGT"))
        XCTAssertFalse(m("ACGA", "ACGT"))
    }

    func testPoliciesCountsAndExamples() throws {
        let f = try VariantFixture(in: dir)
        let fasta = try FastaFile(path: f.fasta)
        let records = try readAll(f.vcf)
        for policy in [RefMismatchPolicy.skip, .warn] {
            let check = try VariantRefCheck(fasta: fasta, policy: policy)
            var outcomes: [RefCheckOutcome] = []
            for r in records { outcomes.append(try check.check(r)) }
            for (i, o) in outcomes.enumerated() {
                if f.mismatched.contains(i + 1) {
                    guard case .mismatch(let reference) = o else { XCTFail("record \(i + 1): \(o)"); continue }
                    XCTAssertEqual(reference, slice(Array(f.sequence("c1")), records[i].pos, 2))
                    XCTAssertEqual(check.keeps(o), policy == .warn)
                } else {
                    XCTAssertEqual(o, .match, "record \(i + 1) \(records[i].ref)")
                    XCTAssertTrue(check.keeps(o))
                }
            }
            XCTAssertEqual(check.tally.checked, records.count)
            XCTAssertEqual(check.tally.mismatched, 1)
            XCTAssertEqual(check.tally.matched, records.count - 1)
            XCTAssertEqual(check.tally.examples.map(\.origin), ["\(f.vcf) line 21 (record 16)"])
            XCTAssertEqual(check.tally.examples.first?.locus, "c1:150")
            let warnings = check.warnings()
            XCTAssertEqual(warnings.count, 1)
            XCTAssertTrue(warnings[0].contains("1 record of 23 had a REF that does not match"), warnings[0])
            XCTAssertTrue(warnings[0].contains(policy == .warn ? "kept" : "skipped"), warnings[0])
        }
        let strict = try VariantRefCheck(fasta: fasta, policy: .error)
        XCTAssertThrowsError(try records.forEach { _ = try strict.check($0) }) { error in
            guard case VariantError.refMismatch(let origin, let detail) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(origin, "\(f.vcf) line 21 (record 16)")
            XCTAssertTrue(detail.contains("at c1:150 does not match the FASTA's"), detail)
            XCTAssertFalse("\(error)".contains("\n"))
        }
    }

    func testAbsentContigsAliasesAndPastEnd() throws {
        let f = try VariantFixture(in: dir)
        let fasta = try FastaFile(path: f.fasta)
        let c1 = f.sequence("c1")
        let text = VariantFixture.header + "\nchr1\t5\t.\t\(slice(Array(c1), 4, 1))\tA\t.\t.\t.\nchrX\t5\t.\tA\tC\t.\t.\t.\nchrX\t6\t.\tA\tC\t.\t.\t.\nc2\t39\t.\tACGT\tA\t.\t.\t.\n"
        let p = try dir.write("a.vcf", text)
        let records = try readAll(p)
        let check = try VariantRefCheck(fasta: fasta, policy: .warn, aliases: ContigAliases(["chr1": "c1"]))
        XCTAssertEqual(check.contigIndex(of: "chr1"), 0)
        XCTAssertNil(check.contigIndex(of: "chrX"))
        XCTAssertEqual(try records.map { try check.check($0) }, [.match, .absentContig, .absentContig, .pastEnd(contigLength: 40)])
        XCTAssertEqual(check.tally.absent, ["chrX": 2])
        XCTAssertEqual(check.tally.pastEnd, 1)
        XCTAssertTrue(check.keeps(.pastEnd(contigLength: 40)), "kept under warn; the window pads N")
        XCTAssertFalse(check.keeps(.absentContig))
        let warnings = check.warnings()
        XCTAssertEqual(warnings.count, 2)
        XCTAssertTrue(warnings[1].contains("skipped 2 records on contigs absent from the FASTA"), warnings[1])
        let strict = try VariantRefCheck(fasta: fasta, policy: .error)
        XCTAssertThrowsError(try strict.check(records[0])) { error in
            XCTAssertEqual(error as? VariantError, .contigNotInFasta(origin: "\(p) line 6 (record 1)", contig: "chr1", fasta: f.fasta))
        }
        XCTAssertThrowsError(try strict.check(records[3])) { error in
            guard case VariantError.refMismatch(_, let detail) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(detail.contains("runs past the end of contig c2 (length 40)"), detail)
        }
    }
}
