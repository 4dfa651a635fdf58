import Foundation
import Genome
import TestSupport
import XCTest

/// VCF, BCF and TSV reading: fields, compression, stdin, index queries, and the errors.
final class VariantReaderTests: XCTestCase {
    private var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir("crick-vcf") }
    override func tearDown() { dir.remove() }

    private func requireBcftools() throws {
        try requireOracle(hasTool("bcftools") && hasTool("bgzip") && hasTool("tabix"), "bcftools, bgzip and tabix are the oracles (make deps installs them)")
    }

    func testVCFRecordsFieldsOrdinalsAndLines() throws {
        let f = try VariantFixture(in: dir)
        let reader = try VariantReader(path: f.vcf)
        XCTAssertEqual(reader.format, .vcf)
        XCTAssertEqual(reader.header.contigs, [VariantContig(name: "c1", length: 300), VariantContig(name: "c2", length: 40)])
        XCTAssertEqual(reader.header.samples, 0)
        var got: [VariantRecord] = []
        try reader.forEach { got.append($0) }
        XCTAssertEqual(got.count, f.lines.count)
        XCTAssertEqual(reader.recordsRead, f.lines.count)
        XCTAssertEqual(got.map(\.ordinal), Array(1...f.lines.count))
        // Five header lines, then one record a line.
        XCTAssertEqual(got.map(\.line), (1...f.lines.count).map { $0 + 5 })
        for (r, line) in zip(got, f.lines) {
            let cols = line.split(separator: "\t").map(String.init)
            XCTAssertEqual(r.chrom, cols[0])
            XCTAssertEqual(r.pos, (Int(cols[1]) ?? 0) - 1)
            XCTAssertEqual(r.id, cols[2] == "." ? nil : cols[2])
            XCTAssertEqual(r.ref, cols[3])
            XCTAssertEqual(r.alts, cols[4] == "." ? [] : cols[4].split(separator: ",").map(String.init))
        }
        XCTAssertEqual(got[2].alts.count, 2)
        XCTAssertEqual(got[9].alts, [], "ALT '.' is no allele")
        XCTAssertEqual(got[3].origin, "\(f.vcf) line 9 (record 4)")
        XCTAssertNil(try reader.next(), "the end stays the end")
    }

    func testBgzipBCFAndStdinReadTheSameRecords() throws {
        try requireBcftools()
        let f = try VariantFixture(in: dir)
        let gz = dir.file("v.vcf.gz"), bcf = dir.file("v.bcf")
        try shell("bgzip -c '\(f.vcf)' > '\(gz)' && bcftools view -Ob -o '\(bcf)' '\(f.vcf)'")
        let plain = try readAll(f.vcf)
        func key(_ r: VariantRecord) -> String { "\(r.ordinal) \(r.chrom) \(r.pos) \(r.id ?? ".") \(r.ref) \(r.alts)" }
        let fromGz = try readAll(gz)
        let fromBCF = try readAll(bcf)
        XCTAssertEqual(try VariantReader(path: bcf).format, .bcf)
        XCTAssertEqual(fromGz.map(key), plain.map(key))
        XCTAssertEqual(fromBCF.map(key), plain.map(key))
        XCTAssertEqual(fromGz.map(\.line), plain.map(\.line))
        XCTAssertTrue(fromBCF.allSatisfy { $0.line == nil }, "BCF has no lines")
        XCTAssertEqual(fromBCF[3].origin, "\(bcf) record 4")
        for input in [f.vcf, gz, bcf] {
            let fromStdin = try withStandardInput(from: input) { try readAll("-") }
            XCTAssertEqual(fromStdin.map(key), plain.map(key), input)
            XCTAssertEqual(fromStdin.first?.path, "-")
        }
    }

    func testRegionsThroughTbiAndCsiAgreeWithBcftoolsView() throws {
        try requireBcftools()
        let f = try VariantFixture(in: dir)
        let gz = dir.file("v.vcf.gz"), csiGz = dir.file("c.vcf.gz"), bcf = dir.file("v.bcf")
        try shell("bgzip -c '\(f.vcf)' > '\(gz)' && tabix -p vcf '\(gz)' && cp '\(gz)' '\(csiGz)' && bcftools index -c '\(csiGz)' && bcftools view -Ob -o '\(bcf)' '\(f.vcf)' && bcftools index '\(bcf)'")
        XCTAssertFalse(FileManager.default.fileExists(atPath: csiGz + ".tbi"))
        for region in ["c1:25-45", "c1:120-125", "c2", "c1:296-300", "c1:131-139"] {
            let expected = try shell("bcftools view -H -r '\(region)' '\(gz)' | cut -f1-5")
            let parsed = try GenomicRegion.parse(region)
            for path in [gz, csiGz, bcf] {
                let got = try readAll(path, region: parsed)
                let text = got.map { "\($0.chrom)\t\($0.pos + 1)\t\($0.id ?? ".")\t\($0.ref)\t\($0.alts.isEmpty ? "." : $0.alts.joined(separator: ","))\n" }.joined()
                XCTAssertEqual(text, expected, "\(path) \(region)")
                XCTAssertEqual(got.map(\.ordinal), Array(0..<got.count).map { $0 + 1 })
                XCTAssertTrue(got.allSatisfy { $0.line == nil })
            }
        }
        XCTAssertEqual(try readAll(bcf, region: try GenomicRegion.parse("c1:121")).first?.id, "del10", "a deletion overlapping the region counts")
    }

    /// A BCF whose header-length field exceeds the file is refused before htslib allocates it
    /// (the fuzzer's finding: 4 GiB asked for by a 79-byte file), plain and bgzip-compressed.
    func testBCFHeaderLengthBeyondTheFileIsRefused() throws {
        var bytes: [UInt8] = Array("BCF".utf8) + [2, 2, 0xFF, 0xFF, 0xFF, 0xFF]
        bytes += [UInt8](repeating: 0x41, count: 70)
        let plain = dir.file("big.bcf")
        XCTAssertTrue(FileManager.default.createFile(atPath: plain, contents: Data(bytes)))
        let compressed = dir.file("bigz.bcf")
        let made = try runTool("/bin/sh", ["-c", "bgzip -c \(plain) > \(compressed)"])
        XCTAssertEqual(made.status, 0, made.stderr)
        for path in [plain, compressed] {
            XCTAssertThrowsError(try VariantReader(path: path)) { error in
                XCTAssertTrue("\(error)".contains("claims 4294967295 bytes"), "\(error)")
            }
        }
    }

    func testRegionErrors() throws {
        try requireBcftools()
        let f = try VariantFixture(in: dir)
        let gz = dir.file("v.vcf.gz"), bcf = dir.file("v.bcf")
        try shell("bgzip -c '\(f.vcf)' > '\(gz)' && bcftools view -Ob -o '\(bcf)' '\(f.vcf)'")
        let region = GenomicRegion(chrom: "c1", start: 0, end: 10)
        for path in [f.vcf, gz, bcf] {
            XCTAssertThrowsError(try VariantReader(path: path, region: region), path) { error in
                guard case VariantError.noIndex(let p, let detail) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(p, path)
                XCTAssertTrue(detail.contains(path == f.vcf ? "plain VCF cannot be indexed" : "has none"), detail)
            }
        }
        try shell("tabix -p vcf '\(gz)' && bcftools index '\(bcf)'")
        for path in [gz, bcf] {
            XCTAssertThrowsError(try VariantReader(path: path, region: GenomicRegion(chrom: "chr9", start: 0, end: nil))) { error in
                XCTAssertEqual(error as? VariantError, .contigNotInHeader(path: path, contig: "chr9"))
                XCTAssertEqual("\(error)", "contig 'chr9' is not declared in the VCF header or its index: \(path)")
            }
        }
        let noRecords = try dir.write("h.vcf", VariantFixture.header.replacingOccurrences(of: "##INFO", with: "##contig=<ID=c3,length=9>\n##INFO") + "\nc1\t5\t.\tA\tC\t.\t.\t.\n")
        try shell("bgzip -f '\(noRecords)' && tabix -p vcf '\(noRecords).gz'")
        XCTAssertEqual(try readAll(noRecords + ".gz", region: GenomicRegion(chrom: "c3", start: 0, end: nil)).count, 0, "a declared contig without records is empty")
        try withStandardInput(from: gz) {
            XCTAssertThrowsError(try VariantReader(path: "-", region: region)) { error in
                guard case VariantError.noIndex(_, let detail) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains("standard input"), detail)
            }
        }
    }

    func testTSVInput() throws {
        let text = "# chrom\tpos\tref\talt\tid\n\nc1\t5\tA\tC\nc1\t7\tAT\tA,ATT\trs1\r\nc2 9 g t .\nc2\t10\tC\t.\n"
        let p = try dir.write("v.tsv", text)
        let reader = try VariantReader(path: p)
        XCTAssertEqual(reader.format, .tsv)
        XCTAssertEqual(reader.header, .minimal)
        let got = try readAll(p)
        XCTAssertEqual(got.map(\.chrom), ["c1", "c1", "c2", "c2"])
        XCTAssertEqual(got.map(\.pos), [4, 6, 8, 9])
        XCTAssertEqual(got.map(\.ref), ["A", "AT", "g", "C"])
        XCTAssertEqual(got.map(\.alts), [["C"], ["A", "ATT"], ["t"], []])
        XCTAssertEqual(got.map(\.id), [nil, "rs1", nil, nil])
        XCTAssertEqual(got.map(\.line), [3, 4, 5, 6])
        XCTAssertEqual(got.map(\.ordinal), [1, 2, 3, 4])
        XCTAssertEqual(try readAll(p, format: .tsv, region: GenomicRegion(chrom: "c1", start: 6, end: 7)).map(\.pos), [6], "TSV regions are filtered")
        XCTAssertEqual(try withStandardInput(from: p) { try readAll("-") }.count, 4)
        XCTAssertThrowsError(try VariantReader(path: p, format: .vcf)) { error in
            guard case VariantError.wrongFormat = error else { return XCTFail("\(error)") }
        }
        let f = try VariantFixture(in: dir)
        XCTAssertThrowsError(try VariantReader(path: f.vcf, format: .tsv)) { error in
            XCTAssertEqual("\(error)", "a VCF file was given as TSV: \(f.vcf)")
        }
    }

    func testBadTSVLinesNameLineAndField() throws {
        let cases: [(String, String, String)] = [
            ("c1\t5\tA\n", "line", "3 columns, expected 4 or 5"),
            ("c1\tx\tA\tC\n", "pos", "'x' is not a positive integer"),
            ("chrom\tpos\tref\talt\n", "pos", "a header line must start with '#'"),
            ("c1\t0\tA\tC\n", "pos", "1-based"),
            ("c1\t-4\tA\tC\n", "pos", "not a positive integer"),
            ("c1\t99999999999999999999\tA\tC\n", "pos", "exceeds the largest coordinate"),
            ("c1\t5\t.\tC\n", "ref", "is not a REF allele"),
            ("c1\t5\tA\tC,,G\n", "alt", "empty allele"),
            ("c1\t5\tA\tC\tx;y\n", "id", "';'"),
        ]
        for (i, (line, field, message)) in cases.enumerated() {
            let p = try dir.write("bad\(i).tsv", "#h\nc1\t1\tA\tG\n" + line)
            XCTAssertThrowsError(try readAll(p), line) { error in
                guard case VariantError.malformedTSV(let path, let n, let f, let detail) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(path, p)
                XCTAssertEqual(n, 3)
                XCTAssertEqual(f, field, line)
                XCTAssertTrue(detail.contains(message), "\(line): \(detail)")
                XCTAssertTrue("\(error)".hasSuffix(": \(p) line 3"), "\(error)")
            }
        }
    }

    func testMalformedVCFLinesNameFileLineAndRecord() throws {
        let cases: [(String, String)] = [
            ("c1\t5\t.\tA\n", "4 tab-separated columns"),
            ("c1\tfive\t.\tA\tC\t.\t.\t.\n", "POS 'five' is not a positive integer"),
            ("c1\t0\t.\tA\tC\t.\t.\t.\n", "POS 0"),
            ("c1\t-3\t.\tA\tC\t.\t.\t.\n", "POS '-3'"),
            ("c1\t5\t.\t\tC\t.\t.\t.\n", "empty REF"),
            ("c1\t5\t.\tA\t\t.\t.\t.\n", "empty ALT"),
            ("c1\t5\t.\tA\tC,\t.\t.\t.\n", "empty allele in ALT"),
            ("c1\t5\t.\tA\tC\t.\t.\t.\tGT\t0/1\n", "the header has no samples"),
            ("#late comment\n", "a '#' line after the header"),
        ]
        for (i, (line, message)) in cases.enumerated() {
            let p = try dir.write("bad\(i).vcf", VariantFixture.header + "\nc1\t1\t.\tA\tG\t.\t.\t.\n" + line)
            var records: [Int] = []
            XCTAssertThrowsError(try VariantReader(path: p).forEach { records.append($0.ordinal) }, line) { error in
                guard case VariantError.malformedRecord(let origin, let detail) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(origin, "\(p) line 7 (record 2)")
                XCTAssertTrue(detail.contains(message), "\(line): \(detail)")
                XCTAssertFalse("\(error)".contains("\n"))
            }
            XCTAssertEqual(records, [1], "the good record before it is returned")
        }
    }

    func testTruncatedBgzipAndBCFAreErrors() throws {
        try requireBcftools()
        let f = try VariantFixture(in: dir)
        // Enough records for several BGZF blocks.
        var body = VariantFixture.header.replacingOccurrences(of: "length=300", with: "length=100000") + "\n"
        for i in 0..<20000 { body += "c1\t\(i + 1)\trs\(i)\tA\tC,G\t\(i % 90)\tPASS\tDP=\(i)\n" }
        let big = try dir.write("big.vcf", body)
        let bcf = dir.file("big.bcf"), gz = dir.file("big.vcf.gz")
        try shell("bcftools view -Ob -o '\(bcf)' '\(big)' && bgzip -c '\(big)' > '\(gz)'")
        for (path, cut) in [(bcf, 0.5), (gz, 0.5), (bcf, 0.999)] {
            let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
            let out = dir.file("cut-\(cut)-" + (path as NSString).lastPathComponent)
            try shell("head -c \(Int(Double(size) * cut)) '\(path)' > '\(out)'")
            XCTAssertThrowsError(try readAll(out), out) { error in
                XCTAssertEqual(error as? GenomeError, .truncated(path: out))
            }
            // Through stdin the end-of-file check cannot seek: the read fails instead.
            XCTAssertThrowsError(try withStandardInput(from: out) { try readAll("-") }, "stdin \(out)")
        }
        _ = f
    }

    func testNotAVariantFileAndMissingFile() throws {
        XCTAssertThrowsError(try VariantReader(path: dir.file("absent.vcf"))) { error in
            XCTAssertEqual(error as? GenomeError, .fileNotFound(path: dir.file("absent.vcf")))
        }
        let bad = try dir.write("h.vcf", "##fileformat=VCFv4.2\n##contig=<ID=c1>\n")
        XCTAssertThrowsError(try VariantReader(path: bad)) { error in
            guard case VariantError.badHeader = error else { return XCTFail("\(error)") }
        }
    }

    /// Shapes seen in htslib's own test VCFs: samples with FORMAT, contig names holding ':'
    /// and '-', positions past 2^31, a FORMAT of '.'.
    static let samplesVCF = """
        ##fileformat=VCFv4.2
        ##contig=<ID=1:1-1,length=100>
        ##contig=<ID=big,length=4000000000>
        ##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
        ##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
        #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2
        1:1-1\t1\t.\tC\tT\t.\t.\t.\tGT:DP\t0/1:3\t1|1:.
        1:1-1\t2\t.\tC\tT,G\t.\t.\t.\t.\t.\t.
        big\t3000000000\trs9\tA\tG\t.\t.\t.\tGT\t0/0\t./.

        """

    func testSamplesWeirdContigNamesAndLongPositions() throws {
        let p = try dir.write("s.vcf", VariantReaderTests.samplesVCF)
        let reader = try VariantReader(path: p)
        XCTAssertEqual(reader.header.samples, 2)
        XCTAssertEqual(reader.header.contigs.map(\.name), ["1:1-1", "big"])
        XCTAssertEqual(reader.header.contigs.last?.length, 4_000_000_000)
        let got = try readAll(p)
        XCTAssertEqual(got.map(\.chrom), ["1:1-1", "1:1-1", "big"])
        XCTAssertEqual(got.map(\.pos), [0, 1, 2_999_999_999])
        XCTAssertEqual(got.map(\.alts), [["T"], ["T", "G"], ["G"]])
        let short = try dir.write("short.vcf", VariantReaderTests.samplesVCF.replacingOccurrences(of: "\t0/0\t./.", with: "\t0/0"))
        XCTAssertThrowsError(try readAll(short)) { error in
            XCTAssertEqual("\(error)", "malformed VCF record (10 columns, the header's 2 samples need 11): \(short) line 9 (record 3)")
        }
        if hasTool("bgzip") && hasTool("tabix") {
            // A .tbi holds positions below 2^29 only: this file needs a .csi.
            try shell("bgzip -f '\(p)' && tabix -C -p vcf '\(p).gz'")
            let region = try GenomicRegion.parse("{1:1-1}:2-2")
            XCTAssertEqual(try readAll(p + ".gz", region: region).map(\.pos), [1])
        }
    }

    func testUndeclaredContigsAndTagsAreReadAsHtslibReadsThem() throws {
        let p = try dir.write("u.vcf", "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchrZ\t5\t.\tA\tC\t.\tq10\tFOO=1\n")
        let got = try readAll(p)
        XCTAssertEqual(got.map(\.chrom), ["chrZ"])
        XCTAssertEqual(got.first?.alts, ["C"])
    }
}
