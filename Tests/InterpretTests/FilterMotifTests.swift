import XCTest
import TestSupport
import Dataset
import Genome
@testable import NeuralNet
@testable import Interpret

final class FilterMotifTests: XCTestCase {
    /// A model whose first filter scores +1 per base of `kmer` (and -1 otherwise), the others 0.
    func plantedModel(_ kmer: String, strand: StrandMode) throws -> Model {
        let arch = Architecture(name: "planted", inputLength: 60, outputs: 1, strand: strand, layers: [
            .conv(3, kmer.count, .valid, bias: false), .bn, .act(.relu), LayerSpec(type: .globalmaxpool), .dense(1)])
        let m = try Model(arch, seed: 1)
        let conv = try XCTUnwrap(m.layers[0] as? Conv1D)
        let f = conv.outChannels
        let codes = kmer.map { "ACGT".firstIndex(of: $0).map { "ACGT".distance(from: "ACGT".startIndex, to: $0) } ?? 0 }
        for j in 0..<kmer.count {
            for c in 0..<4 {
                for o in 0..<f { conv.weight.values[(j * 4 + c) * f + o] = o == 0 ? (c == codes[j] ? 1 : -1) : 0 }
            }
        }
        return m
    }

    func sequences(_ kmer: String, count: Int, plantReverse: Bool, rng: inout TestRNG) -> [UInt8] {
        let comp: [Character: Character] = ["A": "T", "C": "G", "G": "C", "T": "A"]
        let site = plantReverse ? String(kmer.reversed().map { comp[$0] ?? "N" }) : kmer
        var out: [UInt8] = []
        for i in 0..<count {
            var s = Array(randomSequence(60, alphabet: "ACGT", rng: &rng))
            if i % 2 == 0 {
                let at = Int.random(in: 0...(60 - site.count), using: &rng)
                for (k, ch) in site.enumerated() { s[at + k] = ch }
            }
            out += s.map { UInt8("ACGT".distance(from: "ACGT".startIndex, to: "ACGT".firstIndex(of: $0) ?? "ACGT".startIndex)) }
        }
        return out
    }

    func extract(_ m: Model, _ codes: [UInt8], window: Int? = nil, trimBits: Double = 0.5, trimPad: Int = 0) throws -> [FilterMotif] {
        let extractor = try FilterMotifExtractor(model: m, window: window, trimBits: trimBits, trimPad: trimPad)
        return try extractor.extract {
            var done = false
            return {
                if done { return nil }
                done = true
                return SequenceBatch(codes: codes, count: codes.count / 60, length: 60)
            }
        }
    }

    /// A long FASTA record read in small overlapping chunks gives exactly the motifs of the
    /// whole record (each position counted once, from its real neighbourhood), with the batch
    /// never longer than a chunk plus its margins.
    func testChunkedFastaRecordsGiveTheMotifsOfWholeRecords() throws {
        let dir = try TempDir("crick-motif-chunks")
        defer { dir.remove() }
        var rng = TestRNG(seed: 5)
        let kmer = "TGACTCA"
        var long = Array(randomSequence(20_000, alphabet: "ACGT", rng: &rng))
        for p in stride(from: 13, to: 19_990, by: 97) { long.replaceSubrange(p..<(p + kmer.count), with: kmer) }
        let path = try dir.write("g.fa", fastaText([("long", String(long)), ("short", "ACG"), ("mid", randomSequence(500, alphabet: "ACGT", rng: &rng))], width: 60))
        let fasta = try FastaFile(path: path)
        for strand in [StrandMode.standard, .rc] {
            let m = try plantedModel(kmer, strand: strand)
            for window in [nil, kmer.count + 6] {
                let extractor = try FilterMotifExtractor(model: m, window: window)
                let whole = try extractor.extract(try extractor.fastaBatches(fasta, chunk: 1 << 30))
                let batches = try extractor.fastaBatches(fasta, chunk: 101)
                let next = try batches()
                var longest = 0
                while let b = try next() { longest = max(longest, b.length) }
                XCTAssertLessThanOrEqual(longest, 101 + 4 * (kmer.count + (window ?? kmer.count)))
                let chunked = try extractor.extract(batches)
                // Without the cache of activation maps (recomputed in the second pass): the same.
                let recomputed = try extractor.extract(batches, cacheBytes: 0)
                XCTAssertEqual(recomputed.map(\.sites), chunked.map(\.sites))
                for (a, b) in zip(recomputed, chunked) { XCTAssertEqual(a.motif.probabilities, b.motif.probabilities) }
                // Scanned by three threads (each a share of every batch): the same motifs.
                let threaded = try FilterMotifExtractor(model: m, window: window, threads: 3).extract(batches)
                XCTAssertEqual(threaded.map(\.sites), chunked.map(\.sites))
                for (a, b) in zip(threaded, chunked) { XCTAssertEqual(a.motif.probabilities, b.motif.probabilities) }
                XCTAssertEqual(chunked.map(\.sites), whole.map(\.sites), "\(strand) \(String(describing: window))")
                XCTAssertGreaterThan(whole[0].sites, 150)
                for (a, b) in zip(chunked, whole) { XCTAssertEqual(a.motif.probabilities, b.motif.probabilities) }
            }
        }
    }

    func testPlantedKmerIsRecoveredFromAHandSetFilter() throws {
        var rng = TestRNG(seed: 3)
        let kmer = "ACGTTGCA"
        let m = try plantedModel(kmer, strand: .standard)
        let motifs = try extract(m, sequences(kmer, count: 400, plantReverse: false, rng: &rng))
        XCTAssertEqual(motifs.count, 3)
        XCTAssertEqual(motifs[0].motif.consensus, kmer)
        XCTAssertGreaterThan(motifs[0].informationContent, 15)
        XCTAssertGreaterThanOrEqual(motifs[0].sites, 200)
        XCTAssertEqual(motifs[0].motif.id, "filter1")
    }

    func testRCModelsJoinBothStrandsIntoOneMotifInTheFiltersOrientation() throws {
        var rng = TestRNG(seed: 4)
        let kmer = "GATTACAG"
        let m = try plantedModel(kmer, strand: .rc)
        XCTAssertEqual(try FirstLayer(m).channels, 6)
        // Only reverse-complement sites are planted: the reverse channel finds them, and the motif
        // still reads in the filter's orientation.
        let motifs = try extract(m, sequences(kmer, count: 400, plantReverse: true, rng: &rng))
        XCTAssertEqual(motifs.count, 3)
        XCTAssertEqual(motifs[0].motif.consensus, kmer)
        XCTAssertGreaterThanOrEqual(motifs[0].sites, 200)
    }

    /// A window one column wider than the filter: the extra column falls right of the span on the
    /// forward strand and left of it on the other, so the reverse channel must take it mirrored
    /// or the two strands' sites land one row apart and blur the motif.
    func testRCWindowsWiderThanTheFilterAlignBothStrandsOnTheSameRows() throws {
        var rng = TestRNG(seed: 6)
        let kmer = "GATTACAG"
        let m = try plantedModel(kmer, strand: .rc)
        let codes = sequences(kmer, count: 300, plantReverse: false, rng: &rng) + sequences(kmer, count: 300, plantReverse: true, rng: &rng)
        for window in [kmer.count + 1, kmer.count + 3] {
            let motif = try extract(m, codes, window: window, trimBits: 0)[0].motif
            XCTAssertEqual(motif.width, window)
            let left = (window - kmer.count) / 2
            let core = Motif(id: "core", name: "core", probabilities: Array(motif.probabilities[left..<(left + kmer.count)]))
            XCTAssertEqual(core.consensus, kmer, "window \(window)")
            XCTAssertGreaterThan(core.informationContent.min() ?? 0, 1.5, "window \(window)")
        }
    }

    func testTrimmingKeepsTrimPadColumnsBesideTheInformativeCore() throws {
        var rng = TestRNG(seed: 7)
        let kmer = "ACGTTGCA"
        let m = try plantedModel(kmer, strand: .standard)
        let codes = sequences(kmer, count: 400, plantReverse: false, rng: &rng)
        let trimmed = try extract(m, codes, window: kmer.count + 6)[0].motif
        XCTAssertEqual(trimmed.consensus, kmer)
        let padded = try extract(m, codes, window: kmer.count + 6, trimPad: 2)[0].motif
        XCTAssertEqual(padded.width, kmer.count + 4)
        XCTAssertEqual(String(padded.consensus.dropFirst(2).prefix(kmer.count)), kmer)
        // A pad wider than the window's flanks stops at the window.
        XCTAssertEqual(try extract(m, codes, window: kmer.count + 6, trimPad: 5)[0].motif.width, kmer.count + 6)
    }

    func testMemeOutputParsesBack() throws {
        var rng = TestRNG(seed: 5)
        let m = try plantedModel("ACGTTGCA", strand: .standard)
        let motifs = try extract(m, sequences("ACGTTGCA", count: 100, plantReverse: false, rng: &rng)).map(\.motif)
        let text = MotifFile.memeText(motifs)
        let back = try MotifFile.parse(text, path: "filters.meme")
        XCTAssertEqual(back.map(\.id), motifs.map(\.id))
        for (a, b) in zip(back, motifs) {
            for (x, y) in zip(a.probabilities.joined(), b.probabilities.joined()) { XCTAssertEqual(x, y, accuracy: 1e-6) }
        }
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("filters.meme", text)
        let python = "/usr/bin/python3"
        try requireOracle(FileManager.default.isExecutableFile(atPath: python)
                          && (try? runTool(python, ["-c", "import Bio.motifs"]))?.status == 0, "Biopython is the oracle")
        let r = try runTool(python, ["-c", "from Bio import motifs; ms = motifs.parse(open('\(path)'), 'minimal'); print(len(ms), ms[0].consensus, len(ms[0]))"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.text.trimmingCharacters(in: .whitespacesAndNewlines), "3 \(motifs[0].consensus) \(motifs[0].width)")
    }
}
