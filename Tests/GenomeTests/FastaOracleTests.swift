import Foundation
import Genome
import TestSupport
import XCTest

/// The FASTA reader against samtools faidx, the reference implementation, on generated files.
final class FastaOracleTests: XCTestCase {
    private var dir: TempDir!

    override func setUpWithError() throws {
        try requireOracle(hasTool("samtools") && hasTool("bgzip"), "samtools and bgzip are the oracles (make deps installs them)")
        dir = try TempDir("crick-fasta")
    }

    override func tearDown() { dir?.remove() }

    /// Contigs of several lengths, with lowercase, N, and names holding ':' and '|'.
    private func contigs(_ rng: inout TestRNG) -> [(String, String)] {
        [("chr1", randomSequence(5000, rng: &rng)),
         ("chr2:alt|x", randomSequence(777, rng: &rng)),
         ("tiny", randomSequence(3, rng: &rng)),
         ("chrM", randomSequence(1601, alphabet: "ACGT", rng: &rng))]
    }

    /// Region lists with random regions plus every edge: first base, last base, whole contig.
    private func regions(_ contigs: [(String, String)], _ rng: inout TestRNG) -> [(String, Int, Int)] {
        var out: [(String, Int, Int)] = []
        for (name, seq) in contigs {
            let n = seq.count
            out += [(name, 0, 1), (name, n - 1, n), (name, 0, n), (name, max(0, n - 2), n)]
            for _ in 0..<60 {
                let a = Int(rng.next() % UInt64(n)), b = Int(rng.next() % UInt64(n))
                out.append((name, min(a, b), max(a, b) + 1))
            }
        }
        return out
    }

    /// samtools faidx's sequences for `regions`, in order (1-based inclusive region strings).
    private func samtools(_ fasta: String, _ regions: [(String, Int, Int)]) throws -> [String] {
        let list = regions.map { "{\($0.0)}:\($0.1 + 1)-\($0.2)" }.joined(separator: "\n") + "\n"
        let listPath = try dir.write("regions.txt", list)
        let r = try runTool("samtools", ["faidx", "-n", "1000000", "-r", listPath, fasta])
        XCTAssertEqual(r.status, 0, r.stderr)
        var seqs: [String] = []
        for line in r.text.split(separator: "\n") {
            if line.hasPrefix(">") { seqs.append("") } else { seqs[seqs.count - 1] += line }
        }
        return seqs
    }

    func testPlainAndBgzipMatchSamtoolsAtEveryLineWidth() throws {
        var rng = TestRNG(seed: 7)
        for width in [1, 7, 60, 80, 5000] {
            let contigs = contigs(&rng)
            let plain = try dir.write("w\(width).fa", fastaText(contigs, width: width))
            let gz = plain + ".gz"
            XCTAssertEqual(try runTool("sh", ["-c", "bgzip -c '\(plain)' > '\(gz)'"]).status, 0)
            let regions = regions(contigs, &rng)
            let expected = try samtools(plain, regions)
            XCTAssertEqual(expected.count, regions.count)
            // bgzip read block by block, and decompressed into memory.
            for (path, limit) in [(plain, 0), (gz, 0), (gz, 1 << 30)] {
                let fasta = try FastaFile(path: path, inMemoryLimit: limit)
                XCTAssertEqual(fasta.contigs.map(\.name), contigs.map(\.0))
                XCTAssertEqual(fasta.contigs.map(\.length), contigs.map { $0.1.count })
                XCTAssertEqual(fasta.isCompressed, path == gz)
                let reader = try fasta.makeReader()
                for (i, r) in regions.enumerated() {
                    let got = String(decoding: try reader.sequence(r.0, r.1, r.2), as: UTF8.self)
                    XCTAssertEqual(got, expected[i], "\(path) \(r)")
                    var scratch: [UInt8] = []
                    var naive = BaseCounts()
                    Array(expected[i].utf8).withUnsafeBufferPointer { naive.countNaive($0) }
                    XCTAssertEqual(try reader.counts(contigIndex: fasta.contigIndex(r.0)!, r.1, r.2, scratch: &scratch), naive)
                }
            }
        }
    }

    func testCRLFFastaMatchesSamtools() throws {
        var rng = TestRNG(seed: 11)
        let contigs = contigs(&rng)
        let plain = try dir.write("crlf.fa", fastaText(contigs, width: 61, lineEnd: "\r\n"))
        let regions = regions(contigs, &rng)
        let expected = try samtools(plain, regions)
        let reader = try FastaFile(path: plain).makeReader()
        for (i, r) in regions.enumerated() {
            XCTAssertEqual(String(decoding: try reader.sequence(r.0, r.1, r.2), as: UTF8.self), expected[i])
        }
    }

    func testCoordinatesBeyondContigEndsAreErrorsWhereSamtoolsClamps() throws {
        var rng = TestRNG(seed: 3)
        let contigs = contigs(&rng)
        let plain = try dir.write("ends.fa", fastaText(contigs, width: 60))
        // samtools clamps silently: past the end is "Truncated sequence", exit 0.
        let r = try runTool("samtools", ["faidx", plain, "chr1:4990-5010"])
        XCTAssertEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("Truncated"), r.stderr)
        for path in [plain] {
            let reader = try FastaFile(path: path).makeReader()
            XCTAssertNoThrow(try reader.sequence("chr1", 4990, 5000))
            XCTAssertEqual(try reader.sequence("chr1", 5000, 5000), [])
            for (s, e) in [(4990, 5001), (5000, 5001), (6000, 6010), (-1, 10), (10, 5)] {
                XCTAssertThrowsError(try reader.sequence("chr1", s, e)) { error in
                    guard case GenomeError.outOfBounds = error else { return XCTFail("\(error)") }
                }
            }
            XCTAssertThrowsError(try reader.sequence("chrX", 0, 1)) { error in
                XCTAssertEqual(error as? GenomeError, .unknownContig(name: "chrX", path: path))
            }
        }
    }
}
