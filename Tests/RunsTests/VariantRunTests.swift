import Foundation
import NeuralNet
import Runs
import TestSupport
import XCTest

/// A run called as a library (no binary): crick variants' TSV read back through its reader.
final class VariantRunTests: XCTestCase {
    func testVariantRunWritesATableItsReaderReadsBack() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        var rng = TestRNG(seed: 9)
        let chr = randomSequence(1_200, alphabet: "ACGT", rng: &rng)
        let fasta = try dir.write("g.fa", fastaText([("c1", chr)], width: 60))
        let model = dir.file("m.safetensors")
        try ModelFile.write(try Model(try Architecture.preset("koo-cnn2", outputs: 1, strand: .rc), seed: 2), to: model, metadata: ["tasks": "atac"])
        let bases = Array(chr)
        let vcf = try dir.write("v.vcf", "##fileformat=VCFv4.2\n##contig=<ID=c1,length=1200>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
            + "c1\t300\tx1\t\(bases[299])\t\(bases[299] == "A" ? "C" : "A")\t.\t.\t.\n"
            + "c1\t600\t.\t\(bases[599])\(bases[600])\t\(bases[599])\t.\t.\t.\n"
            + "c1\t900\t.\t\(bases[899])\t<INS>\t.\t.\t.\n")
        var options = VariantRun.Options(input: vcf, fasta: fasta, models: [model])
        options.output = dir.file("out.tsv")
        let reporter = SilentReporter()
        let result = try VariantRun(options).run(reporter: reporter)
        XCTAssertEqual(result.records, 3)
        XCTAssertEqual(result.scored, 2)
        XCTAssertEqual(result.alleles.skippedSummary, "1 symbolic")
        let table = try VariantTable.read(path: options.output)
        XCTAssertEqual(table.columns, ["ref_prob", "alt_prob", "diff", "logit_diff", "log2fc"])
        XCTAssertEqual(table.rows.map(\.pos), [300, 600])
        XCTAssertEqual(table.rows.map(\.kind), ["snv", "deletion"])
        XCTAssertEqual(table.rows.map(\.id), ["x1", "."])
        for row in table.rows {
            let r = try XCTUnwrap(row.scores["ref_prob"]), a = try XCTUnwrap(row.scores["alt_prob"])
            XCTAssertEqual(try XCTUnwrap(row.scores["diff"]), a - r, accuracy: 1e-6)
            XCTAssertEqual(try XCTUnwrap(row.scores["log2fc"]), log2(a / r), accuracy: 1e-5)
            XCTAssertEqual(try XCTUnwrap(row.scores["logit_diff"]), log(a / (1 - a)) - log(r / (1 - r)), accuracy: 1e-4)
        }
        XCTAssertThrowsError(try VariantTable.parse("#chrom\tpos\n", path: "t.tsv"))
        XCTAssertThrowsError(try VariantTable.parse("#chrom\tpos\tid\tref\talt\talt_index\tkind\tdiff\nc1\t5\t.\tA\tC\t1\tsnv\tx\n", path: "t.tsv")) {
            XCTAssertEqual("\($0)", "diff 'x' is not a number: t.tsv line 2")
        }
    }
}
