import Foundation
import Genome
import TestSupport
import XCTest

/// The allele split against `bcftools norm -m-`, kinds, and skip reasons.
final class VariantAlleleTests: XCTestCase {
    private var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir("crick-alleles") }
    override func tearDown() { dir.remove() }

    func testKinds() {
        let cases: [(String, String, VariantKind?)] = [
            ("A", "C", .snv), ("AC", "AT", .snv), ("ACG", "TCA", .mnp), ("AC", "GT", .mnp),
            ("A", "ATT", .insertion), ("ATT", "A", .deletion), ("ATT", "AT", .deletion), ("AC", "ACAC", .insertion),
            ("AC", "GTT", .complex), ("A", "TT", .complex), ("ACGT", "AG", .complex),
            ("a", "A", nil), ("ACG", "acg", nil), ("ac", "AT", .snv),
        ]
        for (ref, alt, kind) in cases {
            XCTAssertEqual(VariantKind.of(ref: ref.utf8, alt: alt.utf8), kind, "\(ref)>\(alt)")
        }
    }

    func testSkipReasonsAndIndices() throws {
        let f = try VariantFixture(in: dir)
        let records = try readAll(f.vcf)
        var tally = AlleleTally()
        for r in records {
            let split = r.splitAlleles()
            XCTAssertEqual(split.count, r.alts.count, "one entry per ALT")
            XCTAssertEqual(split.map(\.altIndex), Array(0..<r.alts.count).map { $0 + 1 })
            tally.add(split)
        }
        func reasons(_ i: Int) -> [AlleleSkipReason?] {
            records[i - 1].splitAlleles().map { if case .skipped(_, _, let r) = $0 { return r } else { return nil } }
        }
        XCTAssertEqual(reasons(7), [.spanningDeletion, .symbolic, nil])
        XCTAssertEqual(reasons(8), [.symbolic])
        XCTAssertEqual(reasons(9), [.breakend])
        XCTAssertEqual(reasons(10), [])
        XCTAssertEqual(reasons(11), [.sameAsRef, nil])
        XCTAssertEqual(reasons(12), [.nonACGTN, nil])
        XCTAssertEqual(reasons(18), [.breakend])
        XCTAssertEqual(records[2].splitAlleles().compactMap(\.allele).map(\.altIndex), [1, 2])
        XCTAssertEqual(records[6].splitAlleles().compactMap(\.allele).first?.altIndex, 3, "ALT indices count skipped ALTs")
        XCTAssertEqual(records[4].splitAlleles().first?.allele?.kind, .insertion)
        XCTAssertEqual(records[13].splitAlleles().first?.allele?.kind, .deletion)
        XCTAssertEqual(records[3].splitAlleles().first?.allele?.kind, .mnp)
        XCTAssertEqual(tally.records, f.lines.count)
        XCTAssertEqual(tally.recordsWithoutAlt, 1)
        XCTAssertEqual(tally.skipped, [.spanningDeletion: 1, .symbolic: 2, .breakend: 2, .sameAsRef: 1, .nonACGTN: 1])
        XCTAssertEqual(tally.alleles + tally.skippedCount, tally.alts)
        XCTAssertEqual(tally.skippedSummary, "1 spanning-deletion, 2 symbolic, 2 breakend, 1 non-ACGTN, 1 same-as-REF")
        let odd = VariantRecord.tsvForTests(ref: "R", alts: ["A", "."])
        XCTAssertEqual(odd.map(\.reason), [.nonACGTN, .missing], "a non-ACGTN REF skips every sequence ALT")
    }

    /// Every line `bcftools norm -m-` writes is, in order, one ALT of the split: the same
    /// CHROM, POS, REF and ALT, kept as an allele or skipped for the documented reason.
    func testSplitMatchesBcftoolsNorm() throws {
        try requireOracle(hasTool("bcftools"), "bcftools is the oracle (make deps installs it)")
        let f = try VariantFixture(in: dir)
        // More multi-allelic shapes than the fixture: shared suffixes, mixed lengths, repeats.
        let extra = try dir.write("extra.vcf", VariantFixture.header + """

            c1\t5\t.\tATT\tA,AT,ATTT,CTT\t.\t.\t.
            c1\t8\t.\tAC\tAT,GC,*,<DEL>,ACAC\t.\t.\t.
            c1\t12\t.\tG\tGA,GAA,GAAA,T,C,A,<*>\t.\t.\t.
            c1\t13\t.\tN\tA\t.\t.\t.
            """ + "\n")
        for path in [f.vcf, extra] {
            let norm = try shell("bcftools norm -m- '\(path)' 2>/dev/null | bcftools query -f '%CHROM\\t%POS\\t%REF\\t%ALT\\n'")
            var mine: [String] = []
            for r in try readAll(path) {
                let split = r.splitAlleles()
                if split.isEmpty { mine.append("\(r.chrom)\t\(r.pos + 1)\t\(r.ref)\t.") }
                for s in split {
                    switch s {
                    case .allele(let a):
                        XCTAssertEqual(a.record, r.ordinal)
                        mine.append("\(a.chrom)\t\(a.pos + 1)\t\(a.ref)\t\(a.alt)")
                    case .skipped(let i, let alt, _):
                        XCTAssertEqual(alt, r.alts[i - 1])
                        mine.append("\(r.chrom)\t\(r.pos + 1)\t\(r.ref)\t\(alt)")
                    }
                }
            }
            XCTAssertEqual(mine.joined(separator: "\n") + "\n", norm, path)
            XCTAssertGreaterThan(mine.count, 10)
        }
    }
}

extension VariantRecord {
    /// The split of a TSV record with these alleles (read through the TSV reader).
    static func tsvForTests(ref: String, alts: [String]) -> [AlleleSplit] {
        guard let dir = try? TempDir("crick-allele-tsv") else { return [] }
        defer { dir.remove() }
        guard let p = try? dir.write("r.tsv", "c1\t5\t\(ref)\t\(alts.joined(separator: ","))\n"),
              let r = try? readAll(p).first else { return [] }
        return r.splitAlleles()
    }
}

extension AlleleSplit {
    /// The skip reason, nil for an allele.
    var reason: AlleleSkipReason? {
        if case .skipped(_, _, let r) = self { return r }
        return nil
    }
}
