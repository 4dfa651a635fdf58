import Foundation
import Genome
import Pipeline
import TestSupport
import XCTest

/// The output VCF/BCF: every record kept, INFO fields read back by bcftools, indexes, stdout,
/// temporary names, and the writer's refusals.
final class VariantWriterTests: XCTestCase {
    private var dir: TempDir!
    override func setUpWithError() throws {
        try requireOracle(hasTool("bcftools") && hasTool("bgzip") && hasTool("tabix"), "bcftools, bgzip and tabix are the oracles (make deps installs them)")
        dir = try TempDir("crick-vcfout")
    }
    override func tearDown() { dir?.remove() }

    private let fields = [
        VariantInfoField(id: "CRICK_DIFF", number: .perAllele, type: .float, description: "alt minus ref \"logit\""),
        VariantInfoField(id: "CRICK_N", number: .fixed(1), type: .integer, description: "alleles scored"),
        VariantInfoField(id: "CRICK_KIND", number: .perAllele, type: .string, description: "allele kind"),
    ]

    /// Writes every record of `input` to `output` with per-ALT values: ordinal + altIndex/10
    /// for alleles, missing for skipped ALTs. Returns the summary and the expected
    /// `%CRICK_DIFF` column of `bcftools query`.
    @discardableResult
    private func copy(_ input: String, to output: String, contigs: [VariantContig] = []) throws -> (VariantOutputSummary, [String]) {
        let reader = try VariantReader(path: input)
        let writer = try VariantVCFWriter(path: output, header: reader.header, fields: fields, contigs: contigs)
        var expected: [String] = []
        try reader.forEach { r in
            let split = r.splitAlleles()
            let diffs: [Float?] = split.map { $0.allele.map { Float($0.record) + Float($0.altIndex) / 10 } }
            let kinds: [String?] = split.map { $0.allele?.kind.rawValue }
            let kept = split.compactMap(\.allele).count
            try writer.write(r, values: [.floats(diffs), kept > 0 ? .integers([Int32(kept)]) : .missing, .strings(kinds)])
            expected.append(diffs.allSatisfy { $0 == nil } ? "." : diffs.map { $0.map { "\($0)" } ?? "." }.joined(separator: ","))
        }
        return (try writer.finish(), expected)
    }

    func testOutputVCFKeepsEveryRecordAndReadsBack() throws {
        let f = try VariantFixture(in: dir)
        let out = dir.file("out.vcf")
        let (summary, expected) = try copy(f.vcf, to: out)
        XCTAssertEqual(summary, VariantOutputSummary(path: out, records: f.lines.count, index: nil, note: nil))
        XCTAssertEqual(try shell("bcftools view -H '\(out)' | wc -l").trimmingCharacters(in: .whitespacesAndNewlines), "\(f.lines.count)")
        let header = try shell("bcftools view -h '\(out)'")
        XCTAssertTrue(header.contains("##INFO=<ID=CRICK_DIFF,Number=A,Type=Float,Description=\"alt minus ref 'logit'\">"), header)
        XCTAssertTrue(header.contains("##INFO=<ID=CRICK_N,Number=1,Type=Integer"), header)
        XCTAssertTrue(header.contains("##INFO=<ID=DP,"), "the input's header is kept")
        let query = try shell("bcftools query -f '%CHROM\\t%POS\\t%REF\\t%ALT\\t%INFO/DP\\t%INFO/CRICK_DIFF\\t%INFO/CRICK_N\\t%INFO/CRICK_KIND\\n' '\(out)'")
        let rows = query.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(rows.count, f.lines.count)
        for (i, (row, line)) in zip(rows, f.lines).enumerated() {
            let cols = line.split(separator: "\t").map(String.init)
            XCTAssertEqual(Array(row[0..<4]), [cols[0], cols[1], cols[3], cols[4]], "record \(i + 1) unchanged")
            XCTAssertEqual(row[5], expected[i], "record \(i + 1)")
        }
        XCTAssertEqual(rows[1][4], "7", "the input's INFO is kept")
        XCTAssertEqual(rows[6][5], ".,.,7.3", "missing values for skipped ALTs")
        XCTAssertEqual(rows[6][7], ".,.,snv")
        XCTAssertEqual(rows[9][5], ".", "no ALT, no value")
        XCTAssertEqual(rows[2][6], "2")
        // QUAL and FILTER survive.
        XCTAssertEqual(try shell("bcftools query -f '%QUAL %FILTER\\n' '\(out)' | sort -u"), "50 PASS\n")
    }

    func testCompressedOutputIsIndexedAndRegionsWork() throws {
        let f = try VariantFixture(in: dir)
        let gz = dir.file("out.vcf.gz")
        try dir.write("out.vcf.gz.csi", "stale")
        let (summary, _) = try copy(f.vcf, to: gz)
        XCTAssertEqual(summary.index, gz + ".tbi")
        XCTAssertNil(summary.note)
        XCTAssertTrue(FileManager.default.fileExists(atPath: gz + ".tbi"))
        // crick did not write the old .csi: it is left and named for a warning; the user removes it.
        XCTAssertEqual(summary.staleIndexes, [gz + ".csi"])
        XCTAssertEqual(try String(contentsOfFile: gz + ".csi", encoding: .utf8), "stale")
        try FileManager.default.removeItem(atPath: gz + ".csi")
        XCTAssertEqual(try shell("bgzip -t '\(gz)' && echo ok"), "ok\n")
        XCTAssertEqual(try shell("bcftools view -H -r c1:25-45 '\(gz)' | cut -f2"), "30\n40\n")
        XCTAssertEqual(try shell("bcftools query -r c2:20-20 -f '%INFO/CRICK_DIFF\\n' '\(gz)'"), "22.1\n")
        // Read back through crick's own index query too.
        XCTAssertEqual(try readAll(gz, region: GenomicRegion(chrom: "c1", start: 295, end: nil)).map(\.id), ["enddel", "endins"])
        XCTAssertEqual(try leftovers(), [], "no temporary file is left")
    }

    func testBCFOutputFromVCFAndBCFInput() throws {
        let f = try VariantFixture(in: dir)
        let bcf = dir.file("out.bcf")
        let (summary, expected) = try copy(f.vcf, to: bcf)
        XCTAssertEqual(summary.index, bcf + ".csi")
        XCTAssertEqual(try shell("bcftools view -H -r c1:100-115 '\(bcf)' | cut -f2"), "100\n110\n")
        let values = try shell("bcftools query -f '%INFO/CRICK_DIFF\\n' '\(bcf)'")
        XCTAssertEqual(values, expected.joined(separator: "\n") + "\n")
        // BCF in (copied in binary), BCF out; the values set again replace the earlier ones.
        let again = dir.file("again.bcf")
        let (second, _) = try copy(bcf, to: again)
        XCTAssertEqual(second.records, f.lines.count)
        XCTAssertEqual(try shell("bcftools query -f '%INFO/CRICK_DIFF\\t%INFO/DP\\n' '\(again)'"),
                       try shell("bcftools query -f '%INFO/CRICK_DIFF\\t%INFO/DP\\n' '\(bcf)'"))
        XCTAssertEqual(try shell("bcftools view -h '\(again)' | grep -c '^##INFO=<ID=CRICK_DIFF'"), "1\n", "the field is declared once")
        // And BCF in, VCF out.
        let vcf = dir.file("back.vcf")
        try copy(bcf, to: vcf)
        XCTAssertEqual(try shell("bcftools view -H '\(vcf)' | cut -f1-8"), try shell("bcftools view -H '\(bcf)' | cut -f1-8"))
    }

    func testTSVInputWithFastaContigsToBCF() throws {
        let p = try dir.write("v.tsv", "#chrom pos ref alt\nc1\t5\tA\tC,G\tid1\nc2\t9\tGT\tG\n")
        let bcf = dir.file("t.bcf")
        let (summary, _) = try copy(p, to: bcf, contigs: [VariantContig(name: "c1", length: 300), VariantContig(name: "c2", length: 40)])
        XCTAssertEqual(summary.records, 2)
        XCTAssertEqual(try shell("bcftools query -f '%CHROM %POS %ID %REF %ALT %INFO/CRICK_DIFF %INFO/CRICK_KIND\\n' '\(bcf)'"),
                       "c1 5 id1 A C,G 1.1,1.2 snv,snv\nc2 9 . GT G 2.1 deletion\n")
        XCTAssertTrue(try shell("bcftools view -h '\(bcf)'").contains("##contig=<ID=c2,length=40>"))
        // Without the contigs a BCF cannot hold the records.
        XCTAssertThrowsError(try copy(p, to: dir.file("nocontig.bcf"))) { error in
            guard case VariantError.unwritable(_, let origin, let detail) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(origin, "\(p) line 2 (record 1)")
            XCTAssertTrue(detail.contains("contig 'c1' is not declared"), detail)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("nocontig.bcf")))
        // A VCF can (as htslib writes it, without a ##contig line).
        try copy(p, to: dir.file("nocontig.vcf"))
        XCTAssertEqual(try shell("bcftools view -H '\(dir.file("nocontig.vcf"))' 2>/dev/null | wc -l").trimmingCharacters(in: .whitespaces), "2\n")
    }

    func testStdoutIsUncompressedVCF() throws {
        let f = try VariantFixture(in: dir)
        let captured = dir.file("stdout.txt")
        let summary = try withStandardOutput(to: captured) { try copy(f.vcf, to: "-").0 }
        XCTAssertEqual(summary.records, f.lines.count)
        XCTAssertNil(summary.index)
        let text = try String(contentsOfFile: captured, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("##fileformat=VCFv4.2\n"), String(text.prefix(40)))
        XCTAssertEqual(try shell("bcftools view -H '\(captured)' | wc -l").trimmingCharacters(in: .whitespacesAndNewlines), "\(f.lines.count)")
    }

    func testUnsortedRecordsLeaveTheOutputUnindexed() throws {
        let c1 = "##contig=<ID=c1,length=300>"
        let p = try dir.write("u.vcf", VariantFixture.header.replacingOccurrences(of: c1, with: c1) + "\nc1\t20\t.\tA\tC\t.\t.\t.\nc1\t10\t.\tA\tC\t.\t.\t.\n")
        let gz = dir.file("u.vcf.gz")
        try dir.write("u.vcf.gz.tbi", "stale")
        let (summary, _) = try copy(p, to: gz)
        XCTAssertNil(summary.index)
        XCTAssertEqual(summary.note, "not indexed: the records are not in genome order (\(p) line 7 (record 2) at c1:10 comes after position 20)")
        // The old index is not crick's: it stays, and the summary names it for a warning.
        XCTAssertEqual(try String(contentsOfFile: gz + ".tbi", encoding: .utf8), "stale")
        XCTAssertEqual(summary.staleIndexes, [gz + ".tbi"])
        XCTAssertEqual(try shell("bcftools view -H '\(gz)' | cut -f2"), "20\n10\n")
        let p2 = try dir.write("u2.vcf", VariantFixture.header + "\nc1\t20\t.\tA\tC\t.\t.\t.\nc2\t1\t.\tA\tC\t.\t.\t.\nc1\t30\t.\tA\tC\t.\t.\t.\n")
        let (s2, _) = try copy(p2, to: dir.file("u2.bcf"))
        XCTAssertEqual(s2.note?.contains("returns to contig c1"), true, s2.note ?? "")
    }

    func testRefusalsAndAbort() throws {
        let f = try VariantFixture(in: dir)
        let reader = try VariantReader(path: f.vcf)
        XCTAssertThrowsError(try VariantVCFWriter(path: dir.file("x.txt"), header: reader.header, fields: fields)) { error in
            guard case VariantError.wrongFormat = error else { return XCTFail("\(error)") }
        }
        for (bad, message) in [(VariantInfoField(id: "1X", number: .perAllele, type: .float, description: ""), "must start with a letter"),
                               (VariantInfoField(id: "DP", number: .perAllele, type: .float, description: ""), "already declares INFO/DP with Number=1, Type=Integer"),
                               (VariantInfoField(id: "Z", number: .fixed(0), type: .float, description: ""), "Number must be at least 1")] {
            XCTAssertThrowsError(try VariantVCFWriter(path: dir.file("x.vcf"), header: reader.header, fields: [bad])) { error in
                guard case VariantError.badField(_, let detail) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains(message), detail)
            }
        }
        let same = VariantInfoField(id: "DP", number: .fixed(1), type: .integer, description: "reused")
        XCTAssertNoThrow(try VariantVCFWriter(path: dir.file("dp.vcf"), header: reader.header, fields: [same]).abort())
        let out = dir.file("refuse.vcf")
        let writer = try VariantVCFWriter(path: out, header: reader.header, fields: fields)
        let first = try XCTUnwrap(try reader.next()), second = try XCTUnwrap(try reader.next()), third = try XCTUnwrap(try reader.next())
        XCTAssertThrowsError(try writer.write(first, values: [.missing])) { error in
            XCTAssertTrue("\(error)".contains("1 values for 3 fields"), "\(error)")
        }
        XCTAssertThrowsError(try writer.write(third, values: [.floats([1]), .missing, .missing])) { error in
            XCTAssertEqual("\(error)", "cannot write \(f.vcf) line 8 (record 3) to \(out): INFO/CRICK_DIFF: 1 value, Number=A needs 2")
        }
        XCTAssertThrowsError(try writer.write(first, values: [.integers([1]), .missing, .missing])) { error in
            XCTAssertTrue("\(error)".contains("not of Type=Float"), "\(error)")
        }
        XCTAssertThrowsError(try writer.write(first, values: [.missing, .missing, .strings(["a b"])])) { error in
            XCTAssertTrue("\(error)".contains("holds a space"), "\(error)")
        }
        try writer.write(second, values: [.missing, .missing, .missing])
        XCTAssertThrowsError(try writer.write(first, values: [.missing, .missing, .missing])) { error in
            XCTAssertEqual(error as? VariantError, .outOfOrder(path: out, detail: "record 1 after record 2"))
        }
        writer.abort()
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(try leftovers(), [])
    }

    func testWritingStreamsThroughATemporaryName() throws {
        let f = try VariantFixture(in: dir)
        let out = dir.file("final.vcf.gz")
        try dir.write("final.vcf.gz", "the earlier file")
        let reader = try VariantReader(path: f.vcf)
        let writer = try VariantVCFWriter(path: out, header: reader.header, fields: [])
        try writer.write(try XCTUnwrap(try reader.next()), values: [])
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8), "the earlier file", "the final name is untouched until finish")
        let temporaries = try leftovers()
        XCTAssertEqual(temporaries.count, 1, "the output is written under a temporary name: \(temporaries)")
        XCTAssertTrue(temporaries.allSatisfy { $0.hasPrefix(".final.vcf.gz.crick-tmp-") })
        let summary = try writer.finish()
        XCTAssertEqual(summary.records, 1)
        XCTAssertEqual(try leftovers(), [])
        XCTAssertEqual(try shell("bcftools view -H '\(out)' | wc -l").trimmingCharacters(in: .whitespacesAndNewlines), "1")
    }

    func testSamplesArePassedThroughAndBCFRefusesLongPositions() throws {
        let p = try dir.write("s.vcf", VariantReaderTests.samplesVCF)
        let out = dir.file("s.out.vcf")
        try copy(p, to: out)
        XCTAssertEqual(try shell("bcftools query -f '%CHROM [%GT:%DP ]%INFO/CRICK_DIFF\\n' '\(out)'"),
                       "1:1-1 0/1:3 1|1:. 1.1\n1:1-1 .:. .:. 2.1,2.2\nbig 0/0:. ./.:. 3.1\n")
        // (bcftools 1.16 query prints POS in 32 bits; the file holds the 64-bit position.)
        XCTAssertEqual(try shell("grep -v '^#' '\(out)' | cut -f2"), "1\n2\n3000000000\n")
        let (gz, _) = try copy(p, to: dir.file("s.vcf.gz"))
        XCTAssertEqual(gz.index, dir.file("s.vcf.gz.csi"), "a .tbi cannot hold position 3000000000")
        XCTAssertEqual(try readAll(dir.file("s.vcf.gz"), region: GenomicRegion(chrom: "big", start: 2_999_999_000, end: nil)).map(\.id), ["rs9"])
        XCTAssertThrowsError(try copy(p, to: dir.file("s.bcf"))) { error in
            XCTAssertTrue("\(error)".contains("record 3"), "\(error)")
        }
        XCTAssertEqual(try leftovers(), [])
    }

    /// crick's temporary files in the test directory.
    private func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".crick-tmp-") }.sorted()
    }
}
