import Foundation
import TestSupport
import Tracks
import XCTest

/// crick predict, scan and merge-tracks end to end on a small random genome.
final class ScanCLITests: XCTestCase {
    var dir: TempDir!
    var fasta = ""
    var sequences: [(String, String)] = []
    var rcModel = ""
    var stdModel = ""

    override func setUpWithError() throws {
        dir = try TempDir("crick-scan")
        var rng = TestRNG(seed: 21)
        var chrA = randomSequence(14_000, alphabet: "ACGTacgt", rng: &rng)
        // A run of N: windows holding more than --max-n of it are left out.
        let nRun = chrA.index(chrA.startIndex, offsetBy: 6_000)..<chrA.index(chrA.startIndex, offsetBy: 6_400)
        chrA.replaceSubrange(nRun, with: String(repeating: "N", count: 400))
        sequences = [("chrB", randomSequence(5_020, alphabet: "ACGT", rng: &rng)), ("chrA", chrA),
                     ("chr10", randomSequence(700, alphabet: "ACGT", rng: &rng)), ("chrC", randomSequence(2_345, alphabet: "ACGTN", rng: &rng))]
        fasta = try dir.write("g.fa", fastaText(sequences, width: 60))
        rcModel = dir.file("rc.safetensors")
        stdModel = dir.file("std.safetensors")
        try ok(["model", "init", "--preset", "chip", "--strand", "rc", "--seed", "3", "-o", rcModel])
        try ok(["model", "init", "--preset", "chip", "--strand", "standard", "--outputs", "2", "--seed", "4", "-o", stdModel])
    }

    override func tearDown() { dir.remove() }

    @discardableResult
    func ok(_ args: [String]) throws -> RunResult {
        let r = try runTool(crickBinary, args)
        XCTAssertEqual(r.status, 0, "crick \(args.joined(separator: " ")): \(r.stderr)")
        return r
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    /// Data lines of a bedGraph as (chrom, start, end, value).
    func intervals(_ text: String) -> [(String, Int, Int, Float)] {
        text.split(separator: "\n").filter { !$0.hasPrefix("track") && !$0.hasPrefix("#") }.map {
            let f = $0.split(separator: "\t")
            return (String(f[0]), Int(f[1]) ?? -1, Int(f[2]) ?? -1, Float(f[3]) ?? .nan)
        }
    }

    /// Sorted in byte order, non-overlapping, inside the chromosomes.
    func assertValidTrack(_ path: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let sizes = Dictionary(uniqueKeysWithValues: sequences.map { ($0.0, $0.1.count) })
        let list = intervals(try read(path))
        XCTAssertFalse(list.isEmpty, file: file, line: line)
        for (i, x) in list.enumerated() {
            XCTAssertTrue(x.1 >= 0 && x.1 < x.2 && x.2 <= (sizes[x.0] ?? 0), "out of bounds: \(x)", file: file, line: line)
            guard i > 0 else { continue }
            let p = list[i - 1]
            if p.0 == x.0 { XCTAssertLessThanOrEqual(p.2, x.1, "overlap or disorder at \(x)", file: file, line: line) }
            else { XCTAssertTrue(p.0.utf8.lexicographicallyPrecedes(x.0.utf8), "chromosome order \(p.0) \(x.0)", file: file, line: line) }
        }
        if hasTool("sort") {
            let data = try dir.write("sort-check.txt", list.map { "\($0.0)\t\($0.1)\t\($0.2)" }.joined(separator: "\n") + "\n")
            let sorted = try runTool("/usr/bin/env", ["LC_ALL=C", "sort", "-c", "-k1,1", "-k2,2n", data])
            XCTAssertEqual(sorted.status, 0, "LC_ALL=C sort -c: \(sorted.stderr)", file: file, line: line)
        }
    }

    func testScanEqualsPredictAndWritesValidBedGraphAndBigWig() throws {
        let bg = dir.file("scan.bedGraph"), bw = dir.file("scan.bw")
        try ok(["scan", "--model", rcModel, "--fasta", fasta, "-o", bg, "-@2", "-q"])
        try ok(["scan", "--model", rcModel, "--fasta", fasta, "-o", bw, "-q"])
        try assertValidTrack(bg)
        let scan = intervals(try read(bg))
        // Every 20 bp bin [b, b + 20) whose centred window [b - 490, b + 510) fits and holds at
        // most 100 N is there, and no other.
        var expectedBins: [String] = []
        for (name, seq) in sequences.sorted(by: { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }) {
            let bases = Array(seq.utf8)
            for b in stride(from: 0, to: bases.count, by: 20) where b - 490 >= 0 && b + 510 <= bases.count {
                let n = bases[(b - 490)..<(b + 510)].filter { $0 == UInt8(ascii: "N") }.count
                if n <= 100 { expectedBins.append("\(name):\(b)") }
            }
        }
        XCTAssertEqual(scan.map { "\($0.0):\($0.1)" }, expectedBins)
        XCTAssertTrue(scan.contains { $0.0 == "chrA" } && !scan.contains { $0.0 == "chr10" })
        // The bigWig holds the same intervals, read back through libBigWig.
        let back = try BigWigReader(path: bw).allIntervals()
        XCTAssertEqual(back.map { "\($0.chrom)\t\($0.start)\t\($0.end)\t\($0.value)" }, scan.map { "\($0.0)\t\($0.1)\t\($0.2)\t\($0.3)" })
        // crick predict on each bin's window gives the same score.
        let windows = scan.enumerated().filter { $0.offset % 3 == 0 }.map { "\($0.element.0)\t\($0.element.1 - 490)\t\($0.element.1 + 510)" }
        let bed = try dir.write("windows.bed", windows.joined(separator: "\n") + "\n")
        let predicted = try ok(["predict", "--model", rcModel, "--fasta", fasta, "--regions", bed, "--center", "midpoint", "--format", "bed", "-q"])
        let rows = predicted.text.split(separator: "\n")
        XCTAssertEqual(rows.count, windows.count)
        let byStart = Dictionary(uniqueKeysWithValues: scan.map { ("\($0.0):\($0.1)", $0.3) })
        var worst: Float = 0
        for row in rows {
            let f = row.split(separator: "\t")
            let key = "\(f[0]):\((Int(f[1]) ?? 0) + 490)"
            worst = max(worst, abs((byStart[key] ?? .nan) - (Float(f[3]) ?? .nan)))
        }
        XCTAssertLessThanOrEqual(worst, 1e-5)
    }

    func testThreadCountsAndShardsGiveIdenticalFiles() throws {
        let args = ["scan", "--model", stdModel, "--fasta", fasta, "--strand-mode", "average", "--stride", "13", "--chunk-size", "3000", "-q"]
        try ok(args + ["-o", dir.file("one.bedGraph"), "-@1"])
        try ok(args + ["-o", dir.file("three.bedGraph"), "-@3"])
        for task in ["task1", "task2"] {
            let one = try read(dir.file("one.\(task).bedGraph"))
            XCTAssertEqual(one, try read(dir.file("three.\(task).bedGraph")), task)
            try assertValidTrack(dir.file("one.\(task).bedGraph"))
        }
        XCTAssertNotEqual(try read(dir.file("one.task1.bedGraph")), try read(dir.file("one.task2.bedGraph")))
        // Shards, merged, equal the unsharded run byte for byte (bedGraph and bigWig).
        try ok(args + ["--task", "task2", "-o", dir.file("whole.bw")])
        var shards: [String] = []
        for k in 1...4 {
            shards.append(dir.file("shard\(k).bedGraph"))
            try ok(args + ["--task", "task2", "--shard", "\(k)/4", "-o", shards[k - 1], "-@2"])
        }
        try ok(["merge-tracks", "-g", fasta + ".fai", "-o", dir.file("merged.bedGraph")] + shards.reversed())
        let merged = try read(dir.file("merged.bedGraph")).split(separator: "\n"), whole = try read(dir.file("one.task2.bedGraph")).split(separator: "\n")
        XCTAssertEqual(merged.count, whole.count)
        for (m, w) in zip(merged, whole) where m != w { XCTFail("merged \(m) unsharded \(w)"); break }
        try ok(["merge-tracks", "-g", fasta, "-o", dir.file("merged.bw")] + shards)
        XCTAssertEqual(FileManager.default.contents(atPath: dir.file("merged.bw")), FileManager.default.contents(atPath: dir.file("whole.bw")))
        // A missing shard is an error that leaves no output.
        let missing = try runTool(crickBinary, ["merge-tracks", "-g", fasta + ".fai", "-o", dir.file("bad.bedGraph"), shards[0], shards[1], shards[3]])
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "crick: error: missing shard 3/4 of 4\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("bad.bedGraph")))
    }

    func testRCModelGivesMirroredTracksOnTheReverseComplementGenome() throws {
        // Chromosome lengths that are multiples of the stride: bins of the reverse genome are
        // the mirrored bins, and each is scored on the reverse complement of its forward window.
        var rng = TestRNG(seed: 8)
        let forward = [("c1", randomSequence(4_000, alphabet: "ACGTN", rng: &rng)), ("c2", randomSequence(2_500, alphabet: "ACGT", rng: &rng))]
        let complement: [Character: Character] = ["A": "T", "C": "G", "G": "C", "T": "A", "N": "N"]
        let reverse = forward.map { ($0.0, String($0.1.reversed().map { complement[$0] ?? "N" })) }
        let f = try dir.write("f.fa", fastaText(forward, width: 70))
        let r = try dir.write("r.fa", fastaText(reverse, width: 50))
        try ok(["scan", "--model", rcModel, "--fasta", f, "--stride", "10", "--max-n", "1000", "--output-type", "logit", "-o", dir.file("f.bedGraph"), "-q"])
        try ok(["scan", "--model", rcModel, "--fasta", r, "--stride", "10", "--max-n", "1000", "--output-type", "logit", "-o", dir.file("r.bedGraph"), "-q"])
        let a = intervals(try read(dir.file("f.bedGraph"))), b = intervals(try read(dir.file("r.bedGraph")))
        XCTAssertEqual(a.count, b.count)
        let lengths = Dictionary(uniqueKeysWithValues: forward.map { ($0.0, $0.1.count) })
        let rev = Dictionary(uniqueKeysWithValues: b.map { ("\($0.0):\($0.1)-\($0.2)", $0.3) })
        var worst: Float = 0
        var distinct = Set<Float>()
        for x in a {
            // Bin [s, e) of the forward genome is bin [n - e, n - s) of the reverse one.
            let n = lengths[x.0] ?? 0
            let mirrored = rev["\(x.0):\(n - x.2)-\(n - x.1)"]
            XCTAssertNotNil(mirrored)
            worst = max(worst, abs(x.3 - (mirrored ?? .nan)))
            distinct.insert(x.3)
        }
        XCTAssertLessThanOrEqual(worst, 1e-5)
        XCTAssertGreaterThan(distinct.count, 100, "the track is not constant")
    }

    func testPredictTracksResolveOverlapsAndKeepInputRowsInBedFormat() throws {
        let regions = try dir.write("peaks.narrowPeak", """
            chrB\t100\t900\tp1\t10\t.\t1\t-1\t-1\t400
            chrA\t5000\t7000\tp2\t10\t.\t1\t-1\t-1\t-1
            chrB\t800\t1200\tp3\t10\t.\t1\t-1\t-1\t100
            chrB\t3000\t3000\tp4\t10\t.\t1\t-1\t-1\t-1

            """)
        // p2's window holds 400 N: by default it is skipped and counted.
        let skipped = try runTool(crickBinary, ["predict", "--model", stdModel, "--fasta", fasta, "--regions", regions, "--strand-mode", "max", "--format", "bed"])
        XCTAssertEqual(skipped.text.split(separator: "\n").map { $0.split(separator: "\t")[3] }, ["p1", "p3", "p4"])
        XCTAssertEqual(skipped.stderr, "crick: warning: skipped 1 region: 1 with more N than --max-n 0.1 allows\n")
        let bed = try ok(["predict", "--model", stdModel, "--fasta", fasta, "--regions", regions, "-q", "--strand-mode", "max", "--format", "bed", "--max-n", "400"]).text
        let rows = bed.split(separator: "\n")
        XCTAssertEqual(rows.map { $0.split(separator: "\t")[3] }, ["p1", "p2", "p3", "p4"], "input order")
        XCTAssertTrue(rows.allSatisfy { $0.split(separator: "\t").count == 12 }, "ten columns and two scores")
        let score = rows.map { Float($0.split(separator: "\t")[11]) ?? .nan }   // task2
        try ok(["predict", "--model", stdModel, "--fasta", fasta, "--regions", regions, "--strand-mode", "max", "--task", "task2", "-o", dir.file("p.bedGraph"), "-q", "--max-n", "400"])
        try ok(["predict", "--model", stdModel, "--fasta", fasta, "--regions", regions, "--strand-mode", "max", "--task", "task2", "--overlap", "mean", "-o", dir.file("mean.bedGraph"), "--no-track-line", "-q", "--max-n", "400"])
        let track = try read(dir.file("p.bedGraph"))
        XCTAssertTrue(track.hasPrefix("track type=bedGraph name=\"crick task2\""))
        XCTAssertTrue(track.split(separator: "\n")[0].contains("strand=max"))
        func f(_ v: Float) -> String { formatScore(v) }
        let top = max(score[0], score[2])
        var expected = "chrA\t5000\t7000\t\(f(score[1]))\n"
        if top == score[0] { expected += "chrB\t100\t900\t\(f(score[0]))\nchrB\t900\t1200\t\(f(score[2]))\n" }
        else { expected += "chrB\t100\t800\t\(f(score[0]))\nchrB\t800\t1200\t\(f(score[2]))\n" }
        XCTAssertEqual(intervals(track).map { "\($0.0)\t\($0.1)\t\($0.2)\t\(f($0.3))\n" }.joined(), expected)
        let mean = intervals(try read(dir.file("mean.bedGraph")))
        XCTAssertEqual(mean.count, 4)
        XCTAssertEqual(mean[2].3, (score[0] + score[2]) / 2, accuracy: 1e-6)
        // Tiling: a long region scored as the mean and max of its windows.
        let long = try dir.write("long.bed", "chrA\t0\t3500\n")
        let tiles = try dir.write("tiles.bed", "chrA\t0\t1000\nchrA\t1000\t2000\nchrA\t2000\t3000\nchrA\t2500\t3500\n")
        let each = try ok(["predict", "--model", rcModel, "--fasta", fasta, "--regions", tiles, "--center", "midpoint", "--output-type", "logit", "-q", "--format", "bed"]).text
            .split(separator: "\n").map { Float($0.split(separator: "\t")[3]) ?? .nan }
        for rule in ["mean", "max"] {
            let v = try ok(["predict", "--model", rcModel, "--fasta", fasta, "--regions", long, "--tile", rule, "--output-type", "logit", "-q", "--format", "bed"]).text
            let got = Float(v.split(separator: "\t")[3].trimmingCharacters(in: .whitespacesAndNewlines)) ?? .nan
            XCTAssertEqual(got, rule == "max" ? (each.max() ?? .nan) : each.reduce(0, +) / 4, accuracy: 1e-5, rule)
        }
    }

    /// --exclude: scan leaves out the bins whose windows touch a blacklisted region (bedtools:
    /// no kept bin overlaps it, every removed bin lies within a window length of it, the rest
    /// of the track is unchanged) and counts them; predict leaves out the regions whose window
    /// touches it (bedtools intersect -v on the windows, computed by awk).
    func testExcludeLeavesBlacklistedWindowsOut() throws {
        try requireOracle(hasTool("bedtools"), "bedtools is the oracle")
        let blacklist = try dir.write("black.bed", "chrA\t3000\t3500\nchrB\t100\t200\nchrZ\t0\t10\n")
        try ok(["scan", "--model", stdModel, "--fasta", fasta, "--task", "task2", "-o", dir.file("all.bedGraph")])
        let r = try ok(["scan", "--model", stdModel, "--fasta", fasta, "--task", "task2", "--exclude", blacklist, "-o", dir.file("ex.bedGraph")])
        let all = intervals(try read(dir.file("all.bedGraph"))), kept = intervals(try read(dir.file("ex.bedGraph")))
        let keptKeys = Set(kept.map { "\($0.0):\($0.1)" })
        let removed = all.filter { !keptKeys.contains("\($0.0):\($0.1)") }
        XCTAssertEqual(kept.count + removed.count, all.count, "bins appeared that the full scan lacks")
        for k in kept { XCTAssertEqual(all.first { $0.0 == k.0 && $0.1 == k.1 }?.3, k.3, "bin \(k) changed") }
        XCTAssertGreaterThan(removed.count, 0)
        XCTAssertTrue(r.stderr.contains("\(removed.count) for --exclude regions"), r.stderr)
        XCTAssertTrue(r.stderr.contains("1 region on contigs absent"), r.stderr)
        let overlapping = try runTool("bedtools", ["intersect", "-u", "-a", dir.file("ex.bedGraph"), "-b", blacklist])
        XCTAssertEqual(overlapping.text.split(separator: "\n").filter { !$0.hasPrefix("track") }.count, 0, "kept bins overlap the blacklist")
        let removedBed = try dir.write("removed.bed", removed.map { "\($0.0)\t\($0.1)\t\($0.2)" }.joined(separator: "\n") + "\n")
        let near = try runTool("bedtools", ["window", "-u", "-w", "1000", "-a", removedBed, "-b", blacklist])
        XCTAssertEqual(near.text.split(separator: "\n").count, removed.count, "a removed bin lies further than a window from the blacklist")

        var rng = TestRNG(seed: 9)
        let regions = (0..<60).map { _ -> String in
            // Away from the N run at 6,000-6,400 (its windows are left out for N).
            var s = Int.random(in: 600...9_500, using: &rng)
            if s > 5_000 { s += 2_500 }
            return "chrA\t\(s)\t\(s + Int.random(in: 1...300, using: &rng))"
        }.joined(separator: "\n") + "\n"
        let bed = try dir.write("regions.bed", regions)
        let p = try ok(["predict", "--model", stdModel, "--fasta", fasta, "--regions", bed, "--center", "midpoint", "--task", "task2",
                        "--exclude", blacklist, "-o", dir.file("pred.bed")])
        let windows = try runTool("/bin/sh", ["-c", "awk 'BEGIN{OFS=\"\\t\"} { c = $2 + int(($3 - $2) / 2); print $1, c - 500, c + 500, $1\":\"$2\"-\"$3 }' \(bed) | bedtools intersect -v -a - -b \(blacklist) | cut -f4"])
        XCTAssertEqual(windows.status, 0, windows.stderr)
        let expected = windows.text.split(separator: "\n").map(String.init)
        let got = try read(dir.file("pred.bed")).split(separator: "\n").map { $0.split(separator: "\t") }.map { "\($0[0]):\($0[1])-\($0[2])" }
        XCTAssertEqual(got, expected)
        XCTAssertLessThan(expected.count, 60)
        XCTAssertTrue(p.stderr.contains("\(60 - expected.count) regions left out: a window touches an --exclude region"), p.stderr)
    }

    func testBadInputGetsOneLineAndNoOutput() throws {
        let unknown = try dir.write("unknown.bed", "chrZ\t10\t20\n")
        let past = try dir.write("past.bed", "chrB\t10\t9000\n")
        let out = dir.file("out.bedGraph")
        let cases: [([String], String)] = [
            (["predict", "--model", rcModel, "--fasta", fasta, "--regions", unknown, "-o", out], "crick: error: "),
            (["predict", "--model", rcModel, "--fasta", fasta, "--regions", past, "-o", out], "crick: error: "),
            (["predict", "--model", stdModel, "--fasta", fasta, "--regions", past, "--task", "nope", "-o", out], "the model has no task 'nope' (it has task1, task2)"),
            (["scan", "--model", rcModel, "--fasta", fasta, "--chroms", "chrZ", "-o", out], "chrZ"),
            (["scan", "--model", dir.file("none.safetensors"), "--fasta", fasta, "-o", out], "no such file"),
            (["scan", "--model", fasta, "--fasta", fasta, "-o", out], "crick: error: "),
        ]
        for (args, message) in cases {
            let r = try runTool(crickBinary, args)
            XCTAssertEqual(r.status, 1, args.joined(separator: " "))
            XCTAssertTrue(r.stderr.contains(message) && r.stderr.split(separator: "\n").count == 1, r.stderr)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        }
        let usage = try runTool(crickBinary, ["scan", "--model", rcModel, "--fasta", fasta, "--shard", "5/4", "-o", out])
        XCTAssertEqual(usage.status, 64)
        XCTAssertTrue(usage.stderr.contains("--shard must be K/N"), usage.stderr)
    }

    func testKilledScanLeavesNoFinalNamedFile() throws {
        var rng = TestRNG(seed: 2)
        let big = try dir.write("big.fa", fastaText([("c1", randomSequence(3_000_000, alphabet: "ACGT", rng: &rng))], width: 80))
        for signal in [SIGKILL, SIGINT] {
            let out = dir.file("killed\(signal).bedGraph")
            let p = Process()
            p.executableURL = URL(fileURLWithPath: crickBinary)
            p.arguments = ["scan", "--model", rcModel, "--fasta", big, "--stride", "1", "-o", out, "-q"]
            p.standardError = FileHandle.nullDevice
            try p.run()
            var waited = 0
            while waited < 400 && p.isRunning {
                if (try FileManager.default.contentsOfDirectory(atPath: dir.path)).contains(where: { $0.hasPrefix(".killed\(signal)") }) { break }
                usleep(25_000)
                waited += 1
            }
            usleep(300_000)
            try XCTSkipUnless(p.isRunning, "the scan finished before it could be killed")
            kill(p.processIdentifier, signal)
            p.waitUntilExit()
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no final-named output after signal \(signal)")
            if signal == SIGINT {
                XCTAssertEqual(p.terminationStatus, 130)
                XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: dir.path).contains { $0.hasPrefix(".killedSIG") || $0.hasPrefix(".killed2") }, "SIGINT removes the temporary file")
            }
        }
    }
}
