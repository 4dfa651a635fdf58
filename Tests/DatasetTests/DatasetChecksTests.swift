@testable import Dataset
import Foundation
import Genome
import TestSupport
import XCTest

/// Real data is checked, not trusted: N-rich peaks make neither positives nor shuffles, and a
/// dataset directory whose arrays or dataset.json are wrong is refused with the reason.
final class DatasetChecksTests: XCTestCase {
    private var dir: TempDir!

    override func setUpWithError() throws { dir = try TempDir("crick-dataset-checks") }
    override func tearDown() { dir.remove() }

    /// A genome of three random contigs, the first with an N gap at [800, 1200).
    private func genome() throws -> FastaFile {
        var rng = TestRNG(seed: 11)
        func random(_ n: Int) -> String { String((0..<n).map { _ in Array("ACGT")[Int(rng.next() % 4)] }) }
        let a = random(800) + String(repeating: "N", count: 400) + random(800)
        return try FastaFile(path: try dir.write("g.fa", ">a\n\(a)\n>b\n\(random(2000))\n>c\n\(random(2000))\n"))
    }

    func testNRichPeaksMakeNoPositiveAndNoShuffle() throws {
        let fasta = try genome()
        let inGap = (0..<6).map { "a\t\(850 + $0 * 50)\t\(900 + $0 * 50)" }
        let good = (0..<4).map { "b\t\(300 + $0 * 300)\t\(350 + $0 * 300)" } + ["c\t500\t550"]
        let peaks = try dir.write("p.bed", (inGap + good + ["c\t5000\t5050"]).joined(separator: "\n") + "\n")
        var o = DatasetOptions()
        o.tasks = [TaskSource(name: "t", path: peaks)]
        o.length = 100
        o.labelCore = 50
        o.negatives = [.shuffle]
        o.negativeRatio = 1
        let builder = try DatasetBuilder(fasta: fasta, options: o)
        let info = try builder.build(into: dir.file("ds"))
        XCTAssertEqual(info.skipped["t"], DatasetInfo.Skipped(pastEnd: 1, tooManyN: 6))
        XCTAssertEqual(info.counts.kinds["positive"], 5)
        XCTAssertEqual(info.counts.kinds["shuffle"], 5)
        let rows = try String(contentsOfFile: dir.file("ds/regions.bed"), encoding: .utf8).split(separator: "\n")
        XCTAssertFalse(rows.contains { $0.hasPrefix("a\t") }, "no window from the N gap: \(rows)")
        XCTAssertEqual(builder.warnings.first, "task t: skipped 7 peaks: 1 past the end of their contig, 6 with more N than --max-n 0.1 allows")
        // The same peaks with a limit in bases that the gap windows pass.
        o.maxN = 100
        XCTAssertEqual(try DatasetBuilder(fasta: fasta, options: o).build(into: dir.file("ds2")).counts.kinds["positive"], 11)
        o.maxN = 0.1
        o.strict = true
        o.tasks = [TaskSource(name: "t", path: try dir.write("gap.bed", inGap.joined(separator: "\n") + "\n"))]
        XCTAssertThrowsError(try DatasetBuilder(fasta: fasta, options: o).build(into: dir.file("ds3"))) {
            XCTAssertTrue("\($0)".hasSuffix("more than --max-n 0.1 allows (10): \(self.dir.file("gap.bed")) line 1"), "\($0)")
        }
    }

    /// A small valid dataset to break.
    private func dataset(_ name: String) throws -> String {
        let fasta = try genome()
        let peaks = try dir.write("q.bed", "b\t300\t350\nb\t900\t950\nc\t500\t550\n")
        var o = DatasetOptions()
        o.tasks = [TaskSource(name: "t", path: peaks)]
        o.length = 100
        o.labelCore = 50
        o.negatives = [.shuffle]
        _ = try DatasetBuilder(fasta: fasta, options: o).build(into: dir.file(name))
        return dir.file(name)
    }

    private func overwriteByte(_ path: String, fromEnd: Int, with value: UInt8) throws {
        var bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
        bytes[bytes.count - fromEnd] = value
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    func testLabelsAndSplitCodesOutOfRangeAreRefusedWithCounts() throws {
        let d = try dataset("labels")
        XCTAssertNoThrow(try DatasetArrays(directory: d))
        try overwriteByte(d + "/labels.npy", fromEnd: 1, with: 2)
        XCTAssertThrowsError(try DatasetArrays(directory: d)) {
            XCTAssertEqual("\($0)", "labels.npy holds 1 labels other than 0 and 1 (the first, 2, at row 5, task t): \(d)")
        }
        let s = try dataset("split")
        try overwriteByte(s + "/split.npy", fromEnd: 1, with: 3)
        try overwriteByte(s + "/split.npy", fromEnd: 2, with: 9)
        XCTAssertThrowsError(try DatasetArrays(directory: s)) {
            XCTAssertEqual("\($0)", "split.npy holds 2 split codes other than 0 (train), 1 (valid) and 2 (test) (the first, 9, at row 4): \(s)")
        }
    }

    func testDatasetJSONErrorsNameTheKey() throws {
        let d = try dataset("json")
        let path = d + "/dataset.json"
        let original = try XCTUnwrap(FileManager.default.contents(atPath: path))
        func edited(_ change: (inout [String: Any]) -> Void) throws -> String {
            var json = try XCTUnwrap(JSONSerialization.jsonObject(with: original) as? [String: Any])
            change(&json)
            try JSONSerialization.data(withJSONObject: json).write(to: URL(fileURLWithPath: path))
            do {
                _ = try DatasetInfo.read(directory: d)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        XCTAssertEqual(try edited { $0["created_by"] = nil }, "dataset.json does not describe a crick dataset (missing key 'created_by'): \(path)")
        XCTAssertEqual(try edited { var c = $0["counts"] as? [String: Any]; c?["positives_per_task"] = nil; $0["counts"] = c },
                       "dataset.json does not describe a crick dataset (missing key 'counts.positives_per_task'): \(path)")
        XCTAssertEqual(try edited { $0["length"] = "long" }, "dataset.json does not describe a crick dataset (key 'length' is not a number): \(path)")
        XCTAssertEqual(try edited { $0["tasks"] = [String]() }, "dataset.json has an invalid 'tasks' (no task, and no signal): \(path)")
        XCTAssertEqual(try edited { $0["format"] = "other" }, "dataset.json has an invalid 'format' ('other', not 'crick-dataset'): \(path)")
        // Binned profiles with jitter (which crick never writes: the trainer would read past a row).
        XCTAssertEqual(try edited {
            $0["jitter"] = 5
            $0["signal"] = ["tasks": ["a"], "sources": [["name": "a", "path": "a.bw"]], "target_length": 100, "transform": "log1p",
                            "profile": true, "bin": 10, "profile_width": 10, "missing_contig": [String: Int]()]
        }, "dataset.json has an invalid 'signal.bin' (10 with jitter 5; binned profiles are stored without jitter): \(path)")
        XCTAssertEqual(try edited {
            $0["signal"] = ["tasks": ["a", "b"], "sources": [["name": "a", "path": "a.bw"]], "target_length": 100, "transform": "log1p",
                            "profile": false, "bin": 1, "missing_contig": [String: Int](), "pairs": [[0, 2]]]
        }, "dataset.json has an invalid 'signal.pairs' ([[0, 2]]; each must be a [plus, minus] pair of distinct signal task indices): \(path)")
        XCTAssertEqual(try edited { _ in }, "no error")
    }
}

/// `crick inspect`'s count of windows that overlap a window of another split, against cases
/// counted by hand (windows before and after, touching ends, several contigs).
final class SplitOverlapCountTests: XCTestCase {
    func testCrossSplitOverlapsCountsEveryLeakingWindow() {
        let rows: [(String, Int, Int, UInt8)] = [
            ("c1", 0, 10, 0), ("c1", 5, 15, 2),      // overlap: both leak
            ("c1", 20, 30, 1), ("c1", 30, 40, 2),    // touching ends: no leak
            ("c1", 50, 100, 0), ("c1", 60, 70, 0), ("c1", 90, 95, 1),  // 50-100 and 90-95 leak
            ("c2", 0, 10, 0), ("c3", 5, 15, 2),      // other contigs: no leak
            ("c2", 100, 200, 1), ("c2", 100, 200, 1), ("c2", 199, 300, 1),  // one split: no leak
        ]
        let r = rows.map { DatasetSummary.Row(chrom: Substring($0.0), start: $0.1, end: $0.2, kind: "positive") }
        XCTAssertEqual(DatasetSummary.countCrossSplitOverlaps(r, split: rows.map(\.3)), 4)
        XCTAssertEqual(DatasetSummary.countCrossSplitOverlaps(Array(r.reversed()), split: rows.reversed().map(\.3)), 4)
    }
}
