import Dataset
import Foundation
import Genome
import Pipeline
import TestSupport
import XCTest

/// Sequence export: formats, resizing, skipping, and NPY files numpy can read.
final class SequenceExportTests: XCTestCase {
    private var dir: TempDir!
    private var fasta: FastaFile!

    override func setUpWithError() throws {
        dir = try TempDir("crick-export")
        let path = try dir.write("g.fa", ">c1\nACGTNacgtA\nCCGG\n>c2\nTTTTGGGG\n")
        fasta = try FastaFile(path: path)
    }

    override func tearDown() { dir.remove() }

    private func export(_ regions: [GenomicRegion], _ configure: (inout ExportOptions) -> Void) throws -> (String, ExportSummary) {
        var options = ExportOptions()
        configure(&options)
        let path = dir.file("out-\(UUID().uuidString)")
        let out = try OutputFile(path: path)
        let summary = try SequenceExport(fasta: fasta, options: options).run(sources: [.regions(regions)], output: out)
        try out.commit()
        return (String(decoding: FileManager.default.contents(atPath: path)!, as: UTF8.self), summary)
    }

    func testFormats() throws {
        let r = [GenomicRegion(chrom: "c1", start: 2, end: 12)]
        XCTAssertEqual(try export(r) { $0.format = .fasta }.0, ">c1:2-12\nGTNacgtACC\n")
        XCTAssertEqual(try export(r) { $0.format = .tsv }.0, "c1:2-12\tGTNacgtACC\n")
        XCTAssertEqual(try export(r) { $0.format = .codes }.0, "2340123011\n")
    }

    func testResizeAndSkipCounts() throws {
        let regions = [
            GenomicRegion(chrom: "c1", start: 4, end: 6),   // midpoint 5 -> [3, 7)
            GenomicRegion(chrom: "c9", start: 0, end: 2),   // absent contig
            GenomicRegion(chrom: "c2", start: 0, end: 2),   // midpoint 1 -> [-1, 3): past the start
            GenomicRegion(chrom: "c2", start: 5, end: 8),   // midpoint 6 -> [4, 8)
        ]
        let (text, summary) = try export(regions) { $0.length = 4; $0.center = .midpoint; $0.format = .tsv }
        XCTAssertEqual(text, "c1:3-7\tTNac\nc2:4-8\tGGGG\n")
        XCTAssertEqual(summary.written, 2)
        XCTAssertEqual(summary.tally.absent, ["c9": 1])
        XCTAssertEqual(summary.tally.nearEnd, 1)
        XCTAssertEqual(summary.warnings, ["skipped 2 regions: 1 on contigs absent from the FASTA (c9), 1 too close to a contig end for a 4 bp window",
                                          "1 region written has more N than --max-n 0.1 allows"])
        XCTAssertThrowsError(try export(regions) { $0.length = 4; $0.policy.strict = true })
    }

    func testNPYLoadsWithNumpy() throws {
        let regions = (0..<5).map { GenomicRegion(chrom: "c1", start: $0, end: $0 + 6) }
        var options = ExportOptions()
        options.format = .npy
        options.threads = 3
        options.batchSize = 2
        let path = dir.file("x.npy")
        let out = try OutputFile(path: path, seekable: true)
        _ = try SequenceExport(fasta: fasta, options: options).run(sources: [.regions(regions)], output: out)
        try out.commit()
        let script = "import numpy as np, sys; a = np.load(sys.argv[1], mmap_mode='r'); print(a.dtype, a.shape, a.flags['C_CONTIGUOUS']); print(''.join(map(str, a[1])))"
        let python = FileManager.default.fileExists(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        let r = try runTool(python, ["-c", script, path])
        try requireOracle(!r.stderr.contains("No module named 'numpy'"), "numpy is the oracle")
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.text, "uint8 (5, 6) True\n123401\n")
    }

    func testNPYHeaderIsPaddedToFixedSize() {
        let h = NPYHeader.bytes(dtype: "|u1", shape: [123_456_789, 1000])
        XCTAssertEqual(h.count, NPYHeader.fixedSize)
        XCTAssertEqual(h.last, UInt8(ascii: "\n"))
        XCTAssertEqual(Array(h[0..<8]), [0x93] + Array("NUMPY".utf8) + [1, 0])
    }
}
