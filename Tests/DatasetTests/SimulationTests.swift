import Dataset
import Foundation
import Genome
import TestSupport
import XCTest

/// The simulator's output against the distributions it was asked for.
final class SimulationTests: XCTestCase {
    private var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir("crick-sim") }
    override func tearDown() { dir.remove() }

    private func truth(_ path: String) throws -> [(String, Int, Int, String, String)] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            let f = $0.split(separator: "\t").map(String.init)
            return (f[0], Int(f[1])!, Int(f[2])!, f[3], f[5])
        }
    }

    func testKooInstanceCountsAndBaseFrequenciesMatchTheRequest() throws {
        var o = SimulationOptions()
        o.mode = .koo
        o.count = 6000
        o.motifs = MotifFile.kooDefaults()
        XCTAssertEqual(o.motifs.count, 12)
        _ = try Simulator(options: o).run(directory: dir.file("koo"), datasetDirectory: dir.file("kood"))
        let instances = try truth(dir.file("koo/truth.bed"))
        var perSequence: [String: Int] = [:]
        for i in instances { perSequence[i.0, default: 0] += 1 }
        XCTAssertEqual(perSequence.count, 6000, "every sequence holds at least one instance")
        let expected = [0.50, 0.25, 0.17, 0.05, 0.03]
        for k in 1...5 {
            let observed = Double(perSequence.values.filter { $0 == k }.count) / 6000
            let sigma = (expected[k - 1] * (1 - expected[k - 1]) / 6000).squareRoot()
            XCTAssertLessThan(abs(observed - expected[k - 1]), 4 * sigma, "\(k) instances: \(observed) vs \(expected[k - 1])")
        }
        // Bases at forward-strand instances of one motif follow its probability rows.
        let fasta = try FastaFile(path: dir.file("koo/genome.fa"))
        let reader = try fasta.makeReader()
        let motif = o.motifs[9]  // SRF
        var counts = Array(repeating: [0, 0, 0, 0], count: motif.width)
        var n = 0
        for i in instances where i.3.hasPrefix(motif.id) && i.4 == "+" {
            let seq = try reader.sequence(i.0, i.1, i.2).map(BaseCode.code)
            for (j, c) in seq.enumerated() { counts[j][Int(c)] += 1 }
            n += 1
        }
        XCTAssertGreaterThan(n, 200)
        for j in 0..<motif.width {
            for b in 0..<4 {
                let p = motif.probabilities[j][b]
                let sigma = max((p * (1 - p) / Double(n)).squareRoot(), 1 / Double(n))
                XCTAssertLessThan(abs(Double(counts[j][b]) / Double(n) - p), 5 * sigma, "position \(j) base \(b)")
            }
        }
        // Labels are motif presence on either strand.
        let summary = try DatasetSummary(directory: dir.file("kood"))
        let srfSequences = Set(instances.filter { $0.3.hasPrefix(motif.id) }.map(\.0))
        XCTAssertEqual(summary.positives[9].reduce(0, +), srfSequences.count)
        XCTAssertEqual(summary.splitCounts.reduce(0, +), 6000)
    }

    /// --flip flips labels of the training split only, at its rate; valid and test labels are
    /// the truth (motif presence in truth.bed), and dataset.json counts the flips.
    func testDensityLabelNoiseIsInTheTrainingSplitOnly() throws {
        var o = SimulationOptions()
        o.mode = .density
        o.count = 4000
        o.length = 200
        o.flip = 0.2
        o.motifs = Array(MotifFile.kooDefaults().prefix(2))
        _ = try Simulator(options: o).run(directory: dir.file("d"), datasetDirectory: dir.file("dd"))
        let instances = try truth(dir.file("d/truth.bed"))
        let present = (0..<2).map { t in Set(instances.filter { $0.3.hasPrefix(o.motifs[t].id) }.map(\.0)) }
        let labels = try NPYFile(path: dir.file("dd/labels.npy")), split = try NPYFile(path: dir.file("dd/split.npy"))
        var flipped = 0, trainLabels = 0, otherWrong = 0
        for i in 0..<4000 {
            let name = "seq" + String(format: "%06d", i + 1)
            for t in 0..<2 {
                let wrong = (labels.row(i)[t] == 1) != present[t].contains(name)
                if split.row(i)[0] == 0 {
                    trainLabels += 1
                    if wrong { flipped += 1 }
                } else if wrong {
                    otherWrong += 1
                }
            }
        }
        XCTAssertEqual(otherWrong, 0, "valid and test labels are the truth")
        let rate = Double(flipped) / Double(trainLabels)
        XCTAssertLessThan(abs(rate - 0.2), 4 * (0.2 * 0.8 / Double(trainLabels)).squareRoot(), "flip rate \(rate)")
        XCTAssertLessThan(abs(Double(present[0].count) / 4000 - 0.5), 0.04)
        let info = try DatasetInfo.decode(Data(contentsOf: URL(fileURLWithPath: dir.file("dd/dataset.json"))), path: "dataset.json")
        XCTAssertEqual(info.labelNoise, DatasetInfo.LabelNoise(flip: 0.2, splits: ["train"], flipped: flipped))
        // The narrowPeak files hold the true positives.
        let peaks = try String(contentsOfFile: dir.file("d/\(Simulator.taskName(o.motifs[0])).narrowPeak"), encoding: .utf8)
        XCTAssertEqual(Set(peaks.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }), present[0])
    }

    /// Zhou et al.'s simulation: an equal share of sequences per motif, each with 1-3 instances
    /// of its own motif only (Poisson(2) drawn again until in 1...3: .375, .375, .25), the
    /// background A .3 C .2 G .2 T .3, instances on both strands, never overlapping, and the
    /// exact 30% test / 3/7-of-the-rest valid split.
    func testZhouModeFollowsTheirSimulation() throws {
        var o = SimulationOptions()
        o.mode = .zhou
        o.count = 6000
        o.length = 1000
        o.gc = 0.4
        o.flip = 0.2
        o.motifs = MotifFile.zhouDefaults()
        XCTAssertEqual(o.motifs.map(\.name), ["ELF1", "GATA", "RXRA"])
        XCTAssertEqual(o.motifs.map(\.width), [12, 13, 21])
        _ = try Simulator(options: o).run(directory: dir.file("z"), datasetDirectory: dir.file("zd"))
        let instances = try truth(dir.file("z/truth.bed"))
        var perSequence: [String: [(Int, Int, String, String)]] = [:]
        for i in instances { perSequence[i.0, default: []].append((i.1, i.2, i.3, i.4)) }
        XCTAssertEqual(perSequence.count, 6000)
        let expected = [0.375, 0.375, 0.25]
        for k in 1...3 {
            let observed = Double(perSequence.values.filter { $0.count == k }.count) / 6000
            let sigma = (expected[k - 1] * (1 - expected[k - 1]) / 6000).squareRoot()
            XCTAssertLessThan(abs(observed - expected[k - 1]), 4 * sigma, "\(k) instances: \(observed)")
        }
        XCTAssertTrue(perSequence.values.allSatisfy { $0.count <= 3 && Set($0.map(\.2)).count == 1 }, "one motif per sequence")
        for list in perSequence.values {
            let sorted = list.sorted { $0.0 < $1.0 }
            for (a, b) in zip(sorted, sorted.dropFirst()) { XCTAssertLessThanOrEqual(a.1, b.0, "instances overlap") }
        }
        let minus = Double(instances.filter { $0.4 == "-" }.count) / Double(instances.count)
        XCTAssertEqual(minus, 0.5, accuracy: 4 * (0.25 / Double(instances.count)).squareRoot())
        let labels = try NPYFile(path: dir.file("zd/labels.npy")), split = try NPYFile(path: dir.file("zd/split.npy"))
        var sizes = [0, 0, 0], perMotif = [0, 0, 0]
        for i in 0..<6000 {
            sizes[Int(split.row(i)[0])] += 1
            let list = perSequence["seq" + String(format: "%06d", i + 1)] ?? []
            let t = o.motifs.firstIndex { list[0].2.hasPrefix($0.id + "|") } ?? -1
            perMotif[t] += 1
            if split.row(i)[0] != 0 {
                XCTAssertEqual((0..<3).map { labels.row(i)[$0] }, (0..<3).map { $0 == t ? 1 : 0 }, "row \(i)")
            }
        }
        XCTAssertEqual(sizes, [2400, 1800, 1800], "train, valid, test")
        XCTAssertEqual(perMotif, [2000, 2000, 2000])
        let sequences = try NPYFile(path: dir.file("zd/sequences.npy"))
        var bases = [0, 0, 0, 0]
        for i in 0..<6000 { for c in sequences.row(i) { bases[Int(c)] += 1 } }
        let total = Double(bases.reduce(0, +))
        for (b, p) in [0.3, 0.2, 0.2, 0.3].enumerated() { XCTAssertEqual(Double(bases[b]) / total, p, accuracy: 0.01, "base \(b)") }
    }

    func testGenomeModePlantsMotifsInsidePeaksAndBuildsADataset() throws {
        var o = SimulationOptions()
        o.mode = .genome
        o.count = 100
        o.length = 500
        o.motifs = Array(MotifFile.kooDefaults().prefix(2))
        o.chromSizes = [("c1", 100_000), ("c2", 80_000), ("c3", 60_000), ("c4", 40_000)]
        _ = try Simulator(options: o).run(directory: dir.file("g"), datasetDirectory: dir.file("gd"))
        var peaks: [(String, Int, Int)] = []
        for m in o.motifs {
            let reader = try IntervalReader(path: dir.file("g/\(Simulator.taskName(m)).narrowPeak"))
            let all = try reader.readAll()
            XCTAssertEqual(all.count, 100)
            peaks += all.map { ($0.chrom, $0.start, $0.end) }
        }
        for i in try truth(dir.file("g/truth.bed")) {
            XCTAssertTrue(peaks.contains { $0.0 == i.0 && $0.1 <= i.1 && i.2 <= $0.2 }, "instance \(i) outside every peak")
        }
        let info = try DatasetInfo.read(directory: dir.file("gd"))
        XCTAssertEqual(info.counts.kinds["positive"], 200)
        XCTAssertEqual(info.length, 500)
    }

    func testHOMERMotifsAndMEMETextOutputParse() throws {
        // HOMER: a header with consensus, name and log-odds threshold, then A C G T rows (here
        // not summing exactly to 1, as HOMER writes them).
        let homer = try dir.write("known.motifs", """
            >ASTTCCTCTT\tERE(NR),IR3/MCF7-ERa-ChIP-Seq/Homer\t8.059752\t-23791.5\t0\tT:17311.0(44.36%)
            0.726\t0.002\t0.170\t0.103
            0.002\t0.494\t0.354\t0.151
            0.010\t0.010\t0.010\t0.970
            >CACGTG\tMAX(bHLH)/K562-MAX-ChIP-Seq/Homer\t6.5\t-1000\t0
            0.000\t1.000\t0.000\t0.000
            1.000\t0.000\t0.000\t0.000
            0.000\t1.000\t0.000\t0.000
            0.000\t0.000\t1.000\t0.000

            """)
        let h = try MotifFile.read(path: homer)
        XCTAssertEqual(h.map(\.id), ["ERE(NR),IR3/MCF7-ERa-ChIP-Seq/Homer", "MAX(bHLH)/K562-MAX-ChIP-Seq/Homer"])
        XCTAssertEqual(h.map(\.name), ["ERE(NR),IR3", "MAX(bHLH)"])
        XCTAssertEqual(h.map(\.width), [3, 4])
        for (x, y) in zip(h[0].probabilities[0], [0.726, 0.002, 0.170, 0.103].map { $0 / 1.001 }) { XCTAssertEqual(x, y, accuracy: 1e-12) }
        XCTAssertEqual(h[1].consensus, "CACG")
        let bad = try dir.write("bad.motifs", ">ACG\tX/Homer\t5.0\n0.2\t0.3\t0.5\t0\n0.5\t0.5\n")
        XCTAssertThrowsError(try MotifFile.read(path: bad)) { e in
            XCTAssertTrue("\(e)".contains("line 3"), "\(e)")
        }
        // MEME's text output: the log-odds matrix comes first and must be skipped.
        let memeTxt = try dir.write("meme.txt", """
            MEME version 5.5.4 (Release date: Thu Jun 15 2023)

            ALPHABET= ACGT
            MOTIF TTGACA MEME-1\twidth =   3  sites =  12  llr = 80  E-value = 3.1e-005
            \tMotif TTGACA MEME-1 position-specific scoring matrix
            log-odds matrix: alength= 4 w= 3 n= 100 bayes= 3 E= 3.1e-005
             -10 -10 -10 200
             -10 -10 200 -10
             200 -10 -10 -10
            \tMotif TTGACA MEME-1 position-specific probability matrix
            letter-probability matrix: alength= 4 w= 3 nsites= 12 E= 3.1e-005
             0.000000  0.000000  0.083333  0.916667
             0.000000  0.000000  1.000000  0.000000
             1.000000  0.000000  0.000000  0.000000
            ----------------------------------------

            """)
        let m = try MotifFile.read(path: memeTxt)
        XCTAssertEqual(m.map(\.id), ["TTGACA"])
        XCTAssertEqual(m[0].consensus, "TGA")
        XCTAssertEqual(m[0].sites, 12)
        XCTAssertEqual(m[0].probabilities[0][2], 0.083333, accuracy: 1e-9)
    }

    func testMotifFilesParseAllShippedVariants() throws {
        let data = packageRoot + "/Pipelines/data/motifs/"
        XCTAssertEqual(try MotifFile.read(path: data + "JASPAR2024_CORE_vertebrates_non-redundant.meme").count, 879)
        XCTAssertEqual(try MotifFile.read(path: data + "JASPAR2024_CORE_fungi_non-redundant.meme").count, 178)
        let v2016 = try MotifFile.read(path: data + "JASPAR_CORE_2016_vertebrates.meme")
        XCTAssertEqual(v2016.count, 518)
        let runx = try XCTUnwrap(v2016.first { $0.id == "MA0002.2" })
        XCTAssertEqual(runx.name, "RUNX1")
        XCTAssertEqual(runx.width, 11)
        XCTAssertEqual(runx.probabilities[3][3], 0.968, accuracy: 1e-6)
        // JASPAR PFM counts, with and without row labels.
        let pfm = try dir.write("m.jaspar", ">MA0004.1 Arnt\nA  [ 4 19  0  0  0  0 ]\nC  [16  0 20  0  0  0 ]\nG  [ 0  1  0 20  0 20 ]\nT  [ 0  0  0  0 20  0 ]\n")
        let arnt = try MotifFile.read(path: pfm)
        XCTAssertEqual(arnt.map(\.id), ["MA0004.1"])
        XCTAssertEqual(arnt[0].consensus, "CACGTG")
        XCTAssertEqual(arnt[0].probabilities[0], [0.2, 0.8, 0, 0])
        let bare = try dir.write("bare.pfm", "4 19 0 0 0 0\n16 0 20 0 0 0\n0 1 0 20 0 20\n0 0 0 0 20 0\n")
        XCTAssertEqual(try MotifFile.read(path: bare)[0].consensus, "CACGTG")
        // Written MEME parses back.
        let round = try MotifFile.parse(MotifFile.memeText(Array(v2016.prefix(5))), path: "x")
        XCTAssertEqual(round.map(\.id), v2016.prefix(5).map(\.id))
        for (a, b) in zip(round, v2016.prefix(5)) {
            for (ra, rb) in zip(a.probabilities, b.probabilities) { for (x, y) in zip(ra, rb) { XCTAssertEqual(x, y, accuracy: 1e-5) } }
        }
        XCTAssertEqual(arnt[0].reverseComplement.consensus, "CACGTG")
        XCTAssertThrowsError(try MotifFile.parse("MEME version 4\nALPHABET= ACDEFGHIKLMNPQRSTVWY\nMOTIF x\n", path: "p.meme"))
    }
}
