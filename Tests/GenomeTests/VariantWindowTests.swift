import Foundation
import Genome
import TestSupport
import XCTest

/// Variant windows: the layout rule by hand, then against genomes built by `bcftools consensus`.
final class VariantWindowTests: XCTestCase {
    private var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir("crick-windows") }
    override func tearDown() { dir.remove() }

    func testLayoutRule() {
        // Even L: the first REF base at index L/2; odd L: the middle base, (L-1)/2.
        var l = VariantWindowLayout(pos: 100, refLength: 1, altLength: 1, length: 10)
        XCTAssertEqual([l.centre, l.refStart, l.altOffset], [5, 95, 5])
        XCTAssertEqual([l.altLeft, l.altBases, l.altRight], [95..<100, 0..<1, 101..<105])
        l = VariantWindowLayout(pos: 100, refLength: 1, altLength: 1, length: 11)
        XCTAssertEqual([l.centre, l.refStart], [5, 95])
        XCTAssertEqual([l.altLeft, l.altBases, l.altRight], [95..<100, 0..<1, 101..<106])
        // MNP: ALT in place of REF.
        l = VariantWindowLayout(pos: 100, refLength: 3, altLength: 3, length: 10)
        XCTAssertEqual([l.altLeft, l.altBases, l.altRight], [95..<100, 0..<3, 103..<105])
        // Deletion of 3: same start, the right flank reads 3 bases past the window's end.
        l = VariantWindowLayout(pos: 100, refLength: 4, altLength: 1, length: 10)
        XCTAssertEqual([l.altLeft, l.altBases, l.altRight], [95..<100, 0..<1, 104..<108])
        XCTAssertEqual(l.altOffset, 5)
        // Insertion of 5: 2 trimmed from the left, 3 from the right.
        l = VariantWindowLayout(pos: 100, refLength: 1, altLength: 6, length: 10)
        XCTAssertEqual([l.altLeft, l.altBases, l.altRight], [97..<100, 0..<6, 101..<102])
        XCTAssertEqual(l.altOffset, 3)
        // Insertion of 4 into an odd window: 2 trimmed from each flank (5 and 5 become 3 and 3).
        l = VariantWindowLayout(pos: 100, refLength: 1, altLength: 5, length: 11)
        XCTAssertEqual([l.altLeft, l.altBases, l.altRight], [97..<100, 0..<5, 101..<104])
        // Complex, longer: like an insertion of 1 (0 from the left, 1 from the right).
        l = VariantWindowLayout(pos: 100, refLength: 2, altLength: 3, length: 10)
        XCTAssertEqual([l.altLeft, l.altBases, l.altRight], [95..<100, 0..<3, 102..<104])
        // An insertion longer than the window: the middle of the inserted bases.
        l = VariantWindowLayout(pos: 100, refLength: 1, altLength: 30, length: 10)
        XCTAssertEqual([l.altLeft, l.altBases, l.altRight], [100..<100, 9..<19, 101..<101])
        XCTAssertEqual(l.altOffset, -9)
        // A deletion longer than the window.
        l = VariantWindowLayout(pos: 100, refLength: 50, altLength: 1, length: 10)
        XCTAssertEqual([l.altLeft, l.altBases, l.altRight], [95..<100, 0..<1, 150..<154])
        // At a contig start the ranges run below 0 (the fetch pads N).
        l = VariantWindowLayout(pos: 2, refLength: 1, altLength: 1, length: 10)
        XCTAssertEqual([l.refStart, l.altLeft.lowerBound], [-3, -3])
        // Every layout fills exactly L bases.
        for length in [1, 2, 7, 64] {
            for (r, a) in [(1, 1), (1, 9), (9, 1), (3, 200), (200, 3), (5, 5)] {
                let x = VariantWindowLayout(pos: 50, refLength: r, altLength: a, length: length)
                XCTAssertEqual(x.altLeft.count + x.altBases.count + x.altRight.count, length, "\(length) \(r) \(a)")
            }
        }
    }

    func testWindowsAsBaseCodes() throws {
        let p = try dir.write("g.fa", ">c\nACGTACGTAC\n")
        let reader = try FastaFile(path: p).makeReader()
        var ref: [UInt8] = [], alt: [UInt8] = []
        let allele = VariantAllele(record: 1, altIndex: 1, chrom: "c", pos: 2, ref: "G", alt: "gN", kind: .insertion)
        let padding = try reader.appendVariantWindows(allele, contigIndex: 0, length: 6, ref: &ref, alt: &alt)
        XCTAssertEqual(ref, [4, 0, 1, 2, 3, 0], "N before the contig start")
        XCTAssertEqual(letters(alt), "NACGNT")
        XCTAssertEqual(padding, VariantWindowPadding(ref: true, alt: true))
        // Appends to what the buffers hold.
        try reader.appendVariantWindows(allele, contigIndex: 0, length: 4, ref: &ref, alt: &alt)
        XCTAssertEqual(ref.count, 10)
        XCTAssertEqual(letters(ref.suffix(4)), "ACGT")
        XCTAssertEqual(letters(alt.suffix(4)), "ACGN", "d = 1: nothing trimmed from the left")
    }

    /// For each allele applied alone by `bcftools consensus`, the alternative window is the
    /// consensus genome's L bases from p - L/2 (+ floor(d/2) for a longer ALT), N past its
    /// ends, and the reference window the FASTA's L bases from p - L/2.
    func testWindowsMatchBcftoolsConsensus() throws {
        try requireOracle(hasTool("bcftools") && hasTool("bgzip"), "bcftools and bgzip are the oracles (make deps installs them)")
        let f = try VariantFixture(in: dir)
        let fasta = try FastaFile(path: f.fasta)
        let reader = try fasta.makeReader()
        var compared = 0, paddedAlt = 0
        for record in try readAll(f.vcf) where !f.mismatched.contains(record.ordinal) && !record.ref.uppercased().contains("N") {
            let genome = Array(f.sequence(record.chrom))
            for allele in record.splitAlleles().compactMap(\.allele) {
                let one = dir.file("one-\(record.ordinal)-\(allele.altIndex).vcf.gz")
                let line = "\(record.chrom)\t\(record.pos + 1)\t.\t\(record.ref)\t\(allele.alt)\t.\t.\t."
                let plain = try dir.write("one.vcf", VariantFixture.header + "\n" + line + "\n")
                try shell("bgzip -c '\(plain)' > '\(one)' && bcftools index '\(one)'")
                let consensus = try shell("bcftools consensus -f '\(f.fasta)' '\(one)' 2>/dev/null")
                let haplotype = Array(contig(record.chrom, in: consensus).uppercased())
                let d = allele.alt.count - allele.ref.count
                XCTAssertEqual(haplotype.count, genome.count + d, "consensus applied \(line)")
                let contigIndex = try XCTUnwrap(fasta.contigIndex(record.chrom))
                for length in [1, 9, 10, 64, 65] {
                    var ref: [UInt8] = [], alt: [UInt8] = []
                    let padding = try reader.appendVariantWindows(allele, contigIndex: contigIndex, length: length, ref: &ref, alt: &alt)
                    let start = allele.pos - length / 2
                    let altStart = start + (d > 0 ? d / 2 : 0)
                    XCTAssertEqual(letters(ref), slice(genome, start, length), "ref \(line) L=\(length)")
                    XCTAssertEqual(letters(alt), slice(haplotype, altStart, length), "alt \(line) L=\(length)")
                    XCTAssertEqual(padding.ref, start < 0 || start + length > genome.count, "\(line) L=\(length)")
                    XCTAssertEqual(padding.alt, altStart < 0 || altStart + length > haplotype.count, "\(line) L=\(length)")
                    if padding.alt { paddedAlt += 1 }
                    compared += 1
                }
            }
        }
        XCTAssertGreaterThan(compared, 80)
        XCTAssertGreaterThan(paddedAlt, 10, "windows at contig ends are compared too")
    }

    /// The sequence of contig `name` in FASTA text.
    private func contig(_ name: String, in fasta: String) -> String {
        var out = "", inside = false
        for line in fasta.split(separator: "\n") {
            if line.hasPrefix(">") {
                inside = line.dropFirst().split(separator: " ").first.map(String.init) == name
            } else if inside {
                out += line
            }
        }
        return out
    }
}
