import Foundation
import TestSupport
import XCTest

/// `crick coverage` against bedtools genomecov on the real yeast ATAC-seq fragments and on a
/// BAM of reads made from them (samtools): the same intervals and values.
final class CoverageTests: XCTestCase {
    private var dir: TempDir!
    private var fragments = "", sizes = ""

    override func setUpWithError() throws {
        dir = try TempDir("crick-coverage")
        try requireOracle(hasTool("bedtools") && hasTool("samtools"), "bedtools and samtools are the oracles")
        let yeast = packageRoot + "/Pipelines/data/yeast/"
        // The first 30,000 fragments (chrI to chrIII), and the genome's sizes.
        let head = try runTool("/bin/sh", ["-c", "gzip -dc \(yeast)yeast_atac_fragments.bedpe.gz | head -30000"])
        XCTAssertEqual(head.status, 0, head.stderr)
        fragments = dir.file("frag.bed")
        XCTAssertTrue(FileManager.default.createFile(atPath: fragments, contents: head.stdout))
        let fai = try String(contentsOfFile: yeast + "sacCer3.fa.gz.fai", encoding: .utf8)
        sizes = try dir.write("g.sizes", fai.split(separator: "\n").map { $0.split(separator: "\t").prefix(2).joined(separator: "\t") }.joined(separator: "\n") + "\n")
    }

    override func tearDown() { dir.remove() }

    /// bedGraph lines without a track line, sorted as LC_ALL=C sort -k1,1 -k2,2n.
    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n").filter { !$0.hasPrefix("track") }.map { line -> String in
            let f = line.split(separator: "\t")
            // Values as numbers: crick may write 3 where bedtools writes 3, or 0.5 vs 0.5.
            return "\(f[0])\t\(f[1])\t\(f[2])\t\(Double(f[3]) ?? .nan)"
        }.sorted { a, b in
            let x = a.split(separator: "\t"), y = b.split(separator: "\t")
            return x[0] != y[0] ? x[0].utf8.lexicographicallyPrecedes(y[0].utf8) : Int(x[1]) ?? 0 < Int(y[1]) ?? 0
        }
    }

    /// Equal tables, or the first line where they differ (not both tables).
    private func assertSame(_ a: [String], _ b: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard a != b else { return }
        let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        XCTFail("\(what): \(a.count) against \(b.count) lines; first difference at line \(i + 1): '\(i < a.count ? a[i] : "-")' against '\(i < b.count ? b[i] : "-")'", file: file, line: line)
    }

    private func crick(_ args: [String]) throws -> [String] {
        let out = dir.file("c-\(UUID().uuidString).bedGraph")
        let r = try runTool(crickBinary, ["coverage"] + args + ["-o", out])
        XCTAssertEqual(r.status, 0, r.stderr)
        return lines(try String(contentsOfFile: out, encoding: .utf8))
    }

    private func bedtools(_ shell: String) throws -> [String] {
        let r = try runTool("/bin/sh", ["-c", shell])
        XCTAssertEqual(r.status, 0, r.stderr)
        return lines(r.text)
    }

    func testFragmentsMatchBedtoolsGenomecov() throws {
        let span = try crick([fragments, "--genome", sizes])
        XCTAssertGreaterThan(span.count, 10_000)
        assertSame(span, try bedtools("bedtools genomecov -bg -i \(fragments) -g \(sizes)"), "span")
        // Tn5 insertion sites: start + 4 and end - 5, one base each.
        let insertions = try crick([fragments, "--genome", sizes, "--mode", "insertions", "--tn5-shift"])
        assertSame(insertions, try bedtools("awk 'BEGIN{OFS=\"\\t\"} {print $1, $2 + 4, $2 + 5; print $1, $3 - 5, $3 - 4}' \(fragments) | LC_ALL=C sort -k1,1 -k2,2n | bedtools genomecov -bg -i - -g \(sizes)"), "insertions")
        // Per million fragments.
        let cpm = try crick([fragments, "--genome", sizes, "--normalize", "cpm"])
        XCTAssertEqual(cpm.count, span.count)
        let first = try XCTUnwrap(Double(span[0].split(separator: "\t")[3])), scaled = try XCTUnwrap(Double(cpm[0].split(separator: "\t")[3]))
        XCTAssertEqual(scaled, first * 1e6 / 30_000, accuracy: 1e-3 * scaled)
        // A 10x fragments.tsv (barcode and count columns) and a true BEDPE of the same fragments.
        let tenx = try runTool("/bin/sh", ["-c", "awk 'BEGIN{OFS=\"\\t\"} {print $1, $2, $3, \"AAAC-1\", 2}' \(fragments) | gzip > \(dir.file("fragments.tsv.gz"))"])
        XCTAssertEqual(tenx.status, 0, tenx.stderr)
        assertSame(try crick([dir.file("fragments.tsv.gz"), "--genome", sizes]), span, "coverage")
        let bedpe = try runTool("/bin/sh", ["-c", "awk 'BEGIN{OFS=\"\\t\"} {m = ($3 - $2 < 20) ? $3 - $2 : 20; print $1, $2, $2 + m, $1, $3 - m, $3, \"p\" NR, 60, \"+\", \"-\"}' \(fragments) > \(dir.file("pairs.bedpe"))"])
        XCTAssertEqual(bedpe.status, 0, bedpe.stderr)
        // Numeric contig names (Ensembl style) are still BEDPE; an unplaced mate is skipped and counted.
        let numeric = try runTool("/bin/sh", ["-c", "sed 's/^chrI\t/1\t/; s/\tchrI\t/\t1\t/' \(dir.file("pairs.bedpe")) > \(dir.file("numeric.bedpe")); printf '.\t-1\t-1\tchrI\t5\t50\tq\t0\t.\t+\n' >> \(dir.file("numeric.bedpe")); sed 's/^chrI\t/1\t/' \(sizes) > \(dir.file("numeric.sizes"))"])
        XCTAssertEqual(numeric.status, 0, numeric.stderr)
        let renamed = try runTool(crickBinary, ["coverage", dir.file("numeric.bedpe"), "--genome", dir.file("numeric.sizes"), "--no-track-line", "-o", dir.file("numeric.bedGraph")])
        XCTAssertEqual(renamed.status, 0, renamed.stderr)
        XCTAssertTrue(renamed.stderr.contains("1 pairs with an unplaced mate skipped"), renamed.stderr)
        assertSame(lines(try String(contentsOfFile: dir.file("numeric.bedGraph"), encoding: .utf8)).map { $0.hasPrefix("1\t") ? "chrI" + $0.dropFirst(1) : $0 }.sorted {
            let x = $0.split(separator: "\t"), y = $1.split(separator: "\t")
            return x[0] != y[0] ? x[0].utf8.lexicographicallyPrecedes(y[0].utf8) : Int(x[1]) ?? 0 < Int(y[1]) ?? 0
        }, span, "numeric BEDPE")
        let five = try runTool(crickBinary, ["coverage", fragments, "--genome", sizes, "--mode", "five-prime", "-o", dir.file("five.bedGraph")])
        XCTAssertEqual(five.status, 64, five.stderr)
        assertSame(try crick([dir.file("pairs.bedpe"), "--genome", sizes, "--input", "fragments"]), span, "coverage")
    }

    func testReadsMatchBedtoolsGenomecovOnABAM() throws {
        // Two reads per fragment (a forward 40-mer at its start, a reverse 40-mer at its end),
        // every 7th marked duplicate and every 11th mapping quality 3.
        let sam = try runTool("/bin/sh", ["-c", """
            (awk 'BEGIN{OFS="\\t"} {print "@SQ", "SN:"$1, "LN:"$2}' \(sizes); \
             awk 'BEGIN{OFS="\\t"; q = "IIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIIII"; s = "ACGTACGTACGTACGTACGTACGTACGTACGTACGTACGT"}
                  $3 - $2 >= 40 { d = (NR % 7 == 0) ? 1024 : 0; m = (NR % 11 == 0) ? 3 : 60;
                    print "r"NR, 99 + d, $1, $2 + 1, m, "40M", "=", $3 - 39, $3 - $2, s, q;
                    print "r"NR, 147 + d, $1, $3 - 39, m, "40M", "=", $2 + 1, $2 - $3, s, q }' \(fragments)) \
            | samtools sort -o \(dir.file("reads.bam")) - && samtools index \(dir.file("reads.bam")) && \
            samtools view -b -F 0xF04 -o \(dir.file("kept.bam")) \(dir.file("reads.bam")) && \
            samtools view -b -F 0xF04 -q 20 -o \(dir.file("q20.bam")) \(dir.file("reads.bam"))
            """])
        XCTAssertEqual(sam.status, 0, sam.stderr)
        let bam = dir.file("reads.bam"), kept = dir.file("kept.bam")
        assertSame(try crick([bam]), try bedtools("bedtools genomecov -bg -ibam \(kept)"), "coverage")
        assertSame(try crick([bam, "--mode", "five-prime"]), try bedtools("bedtools genomecov -bg -5 -ibam \(kept)"), "coverage")
        assertSame(try crick([bam, "--strand", "-"]), try bedtools("bedtools genomecov -bg -strand - -ibam \(kept)"), "coverage")
        assertSame(try crick([bam, "--extend", "150"]), try bedtools("bedtools genomecov -bg -fs 150 -ibam \(kept)"), "coverage")
        assertSame(try crick([bam, "--min-mapq", "20", "-@", "2"]), try bedtools("bedtools genomecov -bg -ibam \(dir.file("q20.bam"))"), "coverage")
        assertSame(try crick([bam, "--exclude-flags", "0"]), try bedtools("bedtools genomecov -bg -ibam \(bam)"), "coverage")
        // Bad input: one line, exit 1.
        let truncated = dir.file("cut.bam")
        let data = try Data(contentsOf: URL(fileURLWithPath: bam))
        XCTAssertTrue(FileManager.default.createFile(atPath: truncated, contents: data.prefix(data.count / 2)))
        let r = try runTool(crickBinary, ["coverage", truncated, "-o", dir.file("cut.bedGraph")])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.file("cut.bedGraph")))
        let noGenome = try runTool(crickBinary, ["coverage", fragments, "-o", dir.file("x.bedGraph")])
        XCTAssertEqual(noGenome.status, 64, noGenome.stderr)
    }
}
