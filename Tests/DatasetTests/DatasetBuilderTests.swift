import Dataset
import Foundation
import Genome
import TestSupport
import XCTest

/// `DatasetBuilder` on a small random genome with known peaks, checked against naive
/// recomputations of every rule.
final class DatasetBuilderTests: XCTestCase {
    private var dir: TempDir!
    private var fasta: FastaFile!
    private var sequences: [String: [UInt8]] = [:]
    /// (task, chrom, start, end, summit offset)
    private var peaks: [(Int, String, Int, Int, Int)] = []

    override func setUpWithError() throws {
        dir = try TempDir("crick-dataset")
        var rng = TestRNG(seed: 17)
        var contigs: [(String, String)] = []
        for (i, size) in [60_000, 50_000, 40_000, 30_000, 20_000].enumerated() {
            // GC varies along each contig so that GC matching has work to do.
            var s = ""
            for block in 0..<(size / 1000) {
                let gcRich = (block + i) % 3 == 0
                s += randomSequence(1000, alphabet: gcRich ? "GCGCGCAT" : "ATATATGC", rng: &rng)
            }
            contigs.append(("chr\(i + 1)", s))
            sequences["chr\(i + 1)"] = Array(s.utf8).map(BaseCode.code)
        }
        fasta = try FastaFile(path: try dir.write("g.fa", fastaText(contigs, width: 60)))
        for t in 0..<2 {
            var lines: [String] = []
            for (name, seq) in contigs {
                for _ in 0..<12 {
                    let start = Int(rng.next() % UInt64(seq.count - 300))
                    let len = 50 + Int(rng.next() % 200)
                    let summit = Int(rng.next() % UInt64(len))
                    peaks.append((t, name, start, start + len, summit))
                    lines.append("\(name)\t\(start)\t\(start + len)\tp\t0\t.\t0\t-1\t-1\t\(summit)")
                }
            }
            try dir.write("task\(t).narrowPeak", lines.joined(separator: "\n") + "\n")
        }
    }

    override func tearDown() { dir.remove() }

    private func options(_ configure: (inout DatasetOptions) -> Void = { _ in }) -> DatasetOptions {
        var o = DatasetOptions()
        o.tasks = [TaskSource(name: "a", path: dir.file("task0.narrowPeak")), TaskSource(name: "b", path: dir.file("task1.narrowPeak"))]
        o.length = 400
        o.labelCore = 100
        o.margin = 50
        o.negatives = [.background, .flank, .shuffle]
        o.negativeRatio = 3
        o.seed = 5
        configure(&o)
        return o
    }

    private struct Row { let chrom: String; let start: Int; let end: Int; let kind: String; let split: String; let labels: String }

    private func build(_ o: DatasetOptions, _ name: String) throws -> (DatasetInfo, [Row], NPYFile, NPYFile, NPYFile) {
        let out = dir.file(name)
        let info = try DatasetBuilder(fasta: fasta, options: o).build(into: out)
        let rows = try String(contentsOfFile: out + "/regions.bed", encoding: .utf8).split(separator: "\n").map { line -> Row in
            let f = line.split(separator: "\t").map(String.init)
            return Row(chrom: f[0], start: Int(f[1])!, end: Int(f[2])!, kind: f[3], split: f[6], labels: f[7])
        }
        return (info, rows, try NPYFile(path: out + "/sequences.npy"), try NPYFile(path: out + "/labels.npy"), try NPYFile(path: out + "/split.npy"))
    }

    func testPositivesAndLabelsMatchANaiveRecount() throws {
        let o = options()
        let (info, rows, seqs, labels, _) = try build(o, "ds")
        // Expected positive windows: every peak resized around its summit, deduplicated.
        var expected = Set<String>()
        for p in peaks {
            let summit = p.2 + p.4
            let s = summit - 200
            if s >= 0 && s + 400 <= sequences[p.1]!.count { expected.insert("\(p.1):\(s)") }
        }
        let positives = rows.filter { $0.kind == "positive" }
        XCTAssertEqual(Set(positives.map { "\($0.chrom):\($0.start)" }), expected)
        XCTAssertEqual(positives.count, expected.count)
        XCTAssertEqual(info.counts.kinds["positive"], expected.count)
        XCTAssertEqual(seqs.shape, [rows.count, 400])
        XCTAssertEqual(labels.shape, [rows.count, 2])
        for (i, r) in rows.enumerated() {
            XCTAssertEqual(r.end - r.start, 400)
            let lab = labels.row(i)
            for t in 0..<2 {
                // Naive: any summit of task t in the central 100 bp.
                let hit = r.kind != "positive" ? false : peaks.contains { $0.0 == t && $0.1 == r.chrom && (r.start + 150..<r.start + 250).contains($0.2 + $0.4) }
                XCTAssertEqual(lab[t] == 1, hit, "row \(i) task \(t)")
            }
            if r.kind != "shuffle" {
                XCTAssertEqual(Array(seqs.row(i)), Array(sequences[r.chrom]![r.start..<r.end]), "row \(i) sequence")
            }
        }
        XCTAssertTrue(rows.map { "\($0.chrom)\t\($0.start)" } == rows.sorted { ($0.chrom, $0.start) < ($1.chrom, $1.start) }.map { "\($0.chrom)\t\($0.start)" })
    }

    func testNegativesKeepTheMarginFromEveryPeak() throws {
        let (_, rows, _, _, _) = try build(options(), "ds")
        var checked = 0
        for r in rows where r.kind == "background" || r.kind == "flank" {
            for p in peaks where p.1 == r.chrom {
                // distance between [r.start, r.end) and [p.start, p.end) must be >= margin
                let gap = max(p.2 - r.end, r.start - p.3)
                XCTAssertGreaterThanOrEqual(gap, 50, "\(r.kind) \(r.chrom):\(r.start) vs peak \(p.2)-\(p.3)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 50)
    }

    func testBackgroundMatchesPositiveGCPerBin() throws {
        let o = options { $0.negatives = [.background]; $0.negativeRatio = 2; $0.gcBins = 10 }
        let (info, rows, seqs, _, _) = try build(o, "gc")
        XCTAssertNil(info.shortfall["background"])
        var pos = [Int](repeating: 0, count: 10), bg = [Int](repeating: 0, count: 10)
        for (i, r) in rows.enumerated() {
            let row = seqs.row(i)
            let gc = Double(row.filter { $0 == 1 || $0 == 2 }.count) / Double(row.filter { $0 < 4 }.count)
            let bin = min(Int(gc * 10), 9)
            if r.kind == "positive" { pos[bin] += 1 } else { bg[bin] += 1 }
        }
        for b in 0..<10 { XCTAssertLessThanOrEqual(abs(bg[b] - 2 * pos[b]), 1, "GC bin \(b): \(bg[b]) background vs \(pos[b]) positives") }
        XCTAssertEqual(bg.reduce(0, +), 2 * pos.reduce(0, +))
    }

    func testShufflesKeepDinucleotideCountsExactly() throws {
        let (_, rows, seqs, _, _) = try build(options { $0.negatives = [.shuffle]; $0.negativeRatio = 2 }, "sh")
        var source: [String: [UInt8]] = [:]
        for (i, r) in rows.enumerated() where r.kind == "positive" { source["\(r.chrom):\(r.start)"] = Array(seqs.row(i)) }
        var n = 0
        for (i, r) in rows.enumerated() where r.kind == "shuffle" {
            let original = source["\(r.chrom):\(r.start)"]!
            let shuffled = Array(seqs.row(i))
            XCTAssertEqual(DinucleotideShuffle.dinucleotideCounts(shuffled), DinucleotideShuffle.dinucleotideCounts(original))
            XCTAssertNotEqual(shuffled, original)
            n += 1
        }
        XCTAssertEqual(n, 2 * source.count)
    }

    func testSameSeedIsByteIdenticalAtAnyThreadCount() throws {
        let files = ["sequences.npy", "labels.npy", "split.npy", "regions.bed", "dataset.json"]
        func bytes(_ name: String) -> [Data] { files.map { FileManager.default.contents(atPath: dir.file(name) + "/" + $0)! } }
        _ = try build(options { $0.threads = 1 }, "t1")
        _ = try build(options { $0.threads = 4 }, "t4")
        _ = try build(options { $0.threads = 3; $0.seed = 6 }, "s6")
        XCTAssertEqual(bytes("t1"), bytes("t4"))
        XCTAssertNotEqual(bytes("t1")[0], bytes("s6")[0], "another seed draws other negatives")
    }

    func testSplitsByChromosome() throws {
        let (info, rows, _, _, split) = try build(options { $0.validChroms = ["chr2"]; $0.testChroms = ["chr5"] }, "sp")
        XCTAssertEqual(info.splits.method, "chromosome")
        for (i, r) in rows.enumerated() {
            let expected: UInt8 = r.chrom == "chr2" ? 1 : r.chrom == "chr5" ? 2 : 0
            XCTAssertEqual(split.row(i)[0], expected)
        }
        // Default: whole contigs, each split near 10% of the windows.
        let (auto, autoRows, _, _, _) = try build(options(), "auto")
        XCTAssertEqual(auto.splits.method, "chromosome")
        for r in autoRows {
            XCTAssertEqual(r.split == "valid", auto.splits.validChroms.contains(r.chrom))
            XCTAssertEqual(r.split == "test", auto.splits.testChroms.contains(r.chrom))
        }
    }

    func testExcludedRegionsAndChromsAreHonoured() throws {
        let blacklist = try dir.write("black.bed", "chr1\t0\t30000\nchr3\t5000\t25000\n")
        let (info, rows, _, _, _) = try build(options { $0.exclude = [blacklist]; $0.chroms = ["chr1", "chr2", "chr3"] }, "ex")
        XCTAssertFalse(rows.isEmpty)
        for r in rows where r.kind != "shuffle" {
            XCTAssertTrue(["chr1", "chr2", "chr3"].contains(r.chrom), "\(r.chrom) is outside --chroms")
            let hitsChr1 = r.chrom == "chr1" && r.start < 30000
            let hitsChr3 = r.chrom == "chr3" && r.start < 25000 && r.end > 5000
            XCTAssertFalse(hitsChr1 || hitsChr3, "\(r.kind) \(r.chrom):\(r.start) touches an excluded region")
        }
        XCTAssertGreaterThan(info.skipped["a"]!.excluded + info.skipped["b"]!.excluded, 0)
        XCTAssertGreaterThan(info.skipped["a"]!.otherContig, 0)
    }

    func testBadInputsAreClearErrors() throws {
        XCTAssertThrowsError(try DatasetBuilder(fasta: fasta, options: options {
            $0.tasks = [TaskSource(name: "a", path: self.dir.file("task0.narrowPeak")), TaskSource(name: "a", path: self.dir.file("task1.narrowPeak"))]
        })) { XCTAssertTrue("\($0)".contains("duplicate task name 'a'"), "\($0)") }
        XCTAssertThrowsError(try DatasetBuilder(fasta: fasta, options: options { $0.length = 100_000 })) {
            XCTAssertTrue("\($0)".contains("does not fit"), "\($0)")
        }
        let elsewhere = try dir.write("elsewhere.bed", "chrZ\t10\t20\n")
        XCTAssertThrowsError(try DatasetBuilder(fasta: fasta, options: options { $0.tasks = [TaskSource(name: "z", path: elsewhere)] }).build(into: dir.file("z"))) {
            XCTAssertTrue("\($0)".contains("task 'z': the peak is not on a contig of the FASTA"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("z")))
    }

    func testDinucleotideShuffleKeepsCountsAndEnds() {
        var rng = TestRNG(seed: 3)
        var gen = SeededRandom(seed: 9)
        for length in [3, 10, 200, 1000] {
            let codes = (0..<length).map { _ in UInt8(rng.next() % 5) }
            let s = DinucleotideShuffle.shuffle(codes, rng: &gen)
            XCTAssertEqual(DinucleotideShuffle.dinucleotideCounts(s), DinucleotideShuffle.dinucleotideCounts(codes))
            XCTAssertEqual(s.first, codes.first)
            XCTAssertEqual(s.last, codes.last)
            XCTAssertEqual(s.sorted(), codes.sorted())
        }
    }
}
