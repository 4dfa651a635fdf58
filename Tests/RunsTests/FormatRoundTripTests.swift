import Foundation
import Interpret
import NeuralNet
import Runs
import TestSupport
import XCTest

/// Every table crick writes and reads back goes through one writer and one reader: what the
/// writer writes, the reader returns.
final class FormatRoundTripTests: XCTestCase {
    func testMetricsTableRoundTripAndErrors() throws {
        var table = MetricsTable()
        table.append(EpochRecord(epoch: 1, trainLoss: 0.69, validLoss: 0.68, validAuROC: 0.55, validAuPRC: 0.51, learningRate: 1e-3, seconds: 1.5, step: 140))
        table.append(EpochRecord(epoch: 2, trainLoss: 0.5, validLoss: 0.6, validAuROC: .nan, validAuPRC: 0.6, learningRate: 2e-4, seconds: 2.25, step: 280))
        let back = try MetricsTable.parse(table.text, source: "m.tsv")
        XCTAssertEqual(back, table)
        let rows = try back.rows(source: "m.tsv")
        XCTAssertEqual(rows.map(\.epoch), [1, 2])
        XCTAssertEqual(rows[1].learningRate, 2e-4, accuracy: 1e-12)
        XCTAssertEqual(rows[0].validAuPRC, 0.51, accuracy: 1e-9)
        XCTAssertTrue(rows[1].validAuROC.isNaN)
        XCTAssertEqual(rows.map(\.step), [140, 280])
        var kept = back
        kept.keep(epochs: 1)
        XCTAssertEqual(try kept.rows(source: "x").map(\.epoch), [1])
        XCTAssertThrowsError(try MetricsTable.parse("epoch\tloss\n1\t2\n", source: "bad.tsv")) {
            XCTAssertTrue("\($0)".contains("bad.tsv"), "\($0)")
        }
        XCTAssertThrowsError(try MetricsTable.parse(EpochRecord.header + "\n1\t0.5\tx\t0\t0\t0\t0\t5\n", source: "bad.tsv")) {
            XCTAssertTrue("\($0)".hasSuffix("bad.tsv line 2"), "\($0)")
        }
        // A step that is not an integer, and a line of the old seven columns under the new header.
        XCTAssertThrowsError(try MetricsTable.parse(EpochRecord.header + "\n1\t0.5\t0.5\t0\t0\t0\t0\t2.5\n", source: "bad.tsv"))
        XCTAssertThrowsError(try MetricsTable.parse(EpochRecord.header + "\n1\t0.5\t0.5\t0\t0\t0\t0\n", source: "bad.tsv"))
    }

    /// metrics.tsv written before the step column still reads, and a resumed run appends lines
    /// of the same seven columns, so the file stays one table.
    func testMetricsTableWithoutStepColumn() throws {
        let old = "epoch\ttrain_loss\tvalid_loss\tvalid_auroc\tvalid_auprc\tlearning_rate\tseconds\n1\t0.69\t0.68\t0.55\t0.51\t0.001\t1.50\n"
        var table = try MetricsTable.parse(old, source: "old.tsv")
        XCTAssertEqual(try table.rows(source: "old.tsv").map(\.step), [nil])
        table.append(EpochRecord(epoch: 2, trainLoss: 0.5, validLoss: 0.6, validAuROC: 0.6, validAuPRC: 0.6, learningRate: 1e-3, seconds: 2, step: 280))
        XCTAssertEqual(table.text, old + "2\t0.500000\t0.600000\t0.600000\t0.600000\t0.001\t2.00\n")
        XCTAssertEqual(try MetricsTable.parse(table.text, source: "old.tsv").rows(source: "old.tsv").map(\.epoch), [1, 2])
    }

    func testFilterAndMatchTablesRoundTrip() throws {
        let filters = FilterTable(rows: [
            .init(filter: "filter0", sites: 120, width: 19, informationContent: 8.25, consensus: "ACGTNNACGT", bestMatch: ("MA0001.1", "ABF1", 3.2e-5)),
            .init(filter: "filter1", sites: 0, width: 19, informationContent: 0, consensus: "NNNN", bestMatch: nil),
        ])
        XCTAssertEqual(try FilterTable.parse(filters.text, path: "f.tsv"), filters)
        let matches = MatchTable(rows: [
            .init(filter: "filter0", rank: 1, targetID: "MA0001.1", targetName: "ABF1", offset: -2, strand: "-", overlap: 9,
                  pValue: 1.5e-7, eValue: 3.2e-5, qValue: 1e-4),
            .init(filter: "filter0", rank: 2, targetID: "MA0002.1", targetName: "X Y", offset: 0, strand: "+", overlap: 7,
                  pValue: 0.25, eValue: 12.5, qValue: 0.5),
        ])
        let back = try MatchTable.parse(matches.text, path: "m.tsv")
        XCTAssertEqual(back, matches)
        XCTAssertEqual(back.best["filter0"]?.targetID, "MA0001.1")
        XCTAssertThrowsError(try MatchTable.parse(MatchTable.header + "\nfilter0\t1\tA\tB\t0\t?\t5\t1\t1\t1\n", path: "m.tsv")) {
            XCTAssertEqual("\($0)", "strand '?' is not + or -: m.tsv line 2")
        }
        XCTAssertThrowsError(try FilterTable.parse("filter\tsites\n", path: "f.tsv"))
    }

    func testUntrainedTableRoundTrip() throws {
        let truth = TruthSummary(matchFraction: 0.5, matchAny: 0.75, matchFractionAnyHit: 0.625, coverage: 0.3333, coverageAnyHit: 0.5,
                                 filters: 8, truthMotifs: 3, recovered: ["MEF2A"])
        for t in [truth, nil] {
            let table = UntrainedBaseline(seed: 7, filters: 8, significant: 1, truth: t).table(trained: 5, filters: 8, truth: t)
            XCTAssertEqual(try UntrainedTable.parse(table.text, path: "u.tsv"), table)
        }
        XCTAssertThrowsError(try UntrainedTable.parse(UntrainedTable.header + "\ntrained\t.\tx\t1\t.\t.\n", path: "u.tsv"))
    }

    func testTruthTableRoundTrip() throws {
        let s = TruthSummary(matchFraction: 0.625, matchAny: 0.875, matchFractionAnyHit: 0.75, coverage: 0.5, coverageAnyHit: 0.6667,
                             filters: 8, truthMotifs: 6, recovered: ["MA0001.1", "MA0002.1", "MA0003.1"])
        XCTAssertEqual(try TruthTable.parse(TruthTable.text(s), path: "t.tsv"), s)
        let none = TruthSummary(matchFraction: 0, matchAny: 0, matchFractionAnyHit: 0, coverage: 0, coverageAnyHit: 0,
                                filters: 4, truthMotifs: 2, recovered: [])
        XCTAssertEqual(try TruthTable.parse(TruthTable.text(none), path: "t.tsv"), none)
    }

    func testAttributionWindowsRoundTrip() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.file("a.windows.bed")
        // A window starting before its chromosome, one inside, one running past the end.
        let text = AttributionWindow.line(chrom: "chrI", start: -262, end: 738, contigLength: 5000, name: "peak_1")
            + AttributionWindow.line(chrom: "chrI", start: 100, end: 1100, contigLength: 5000, name: nil)
            + AttributionWindow.line(chrom: "chrII", start: 4500, end: 5500, contigLength: 5000, name: "p3")
        XCTAssertEqual(text, "chrI\t0\t738\tpeak_1\t262\nchrI\t100\t1100\t.\t0\nchrII\t4500\t5000\tp3\t0\n")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(try AttributionWindow.read(path: path), [
            AttributionWindow(chrom: "chrI", firstPosition: -262, name: "peak_1"),
            AttributionWindow(chrom: "chrI", firstPosition: 100, name: "."),
            AttributionWindow(chrom: "chrII", firstPosition: 4500, name: "p3"),
        ])
        try "chrI\tx\t5\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try AttributionWindow.read(path: path)) { XCTAssertTrue("\($0)".hasSuffix("line 1"), "\($0)") }
    }
}
