import Foundation
import Genome
import TestSupport
import XCTest

/// A small genome and a hand-written VCF over it with every kind of allele: SNVs, MNPs,
/// insertions and deletions (odd and even length changes), complex substitutions,
/// multi-allelic records, symbolic alleles, `*`, breakends, `.`, IUPAC codes, lowercase,
/// ALT equal to REF, a REF mismatch, and variants at both ends of both contigs.
struct VariantFixture {
    /// c1 (300 bp) and c2 (40 bp), ACGT only, deterministic.
    let contigs: [(String, String)]
    /// Path of the FASTA (indexed on first open).
    let fasta: String
    /// Path of the VCF.
    let vcf: String
    /// Data lines of the VCF, in order.
    let lines: [String]
    /// The 1-based ordinals of records whose REF does not match the FASTA.
    let mismatched: Set<Int>

    /// The VCF header (two contigs, an INFO and a FORMAT-less body).
    static let header = """
        ##fileformat=VCFv4.2
        ##contig=<ID=c1,length=300>
        ##contig=<ID=c2,length=40>
        ##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">
        #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO
        """

    init(in dir: TempDir) throws {
        var rng = TestRNG(seed: 17)
        let c1 = randomSequence(300, alphabet: "ACGT", rng: &rng)
        let c2 = randomSequence(40, alphabet: "ACGT", rng: &rng)
        contigs = [("c1", c1), ("c2", c2)]
        fasta = try dir.write("genome.fa", fastaText(contigs, width: 60))
        let s1 = Array(c1), s2 = Array(c2)
        /// REF of `n` bases at 1-based `pos`.
        func ref(_ s: [Character], _ pos: Int, _ n: Int) -> String { String(s[(pos - 1)..<(pos - 1 + n)]) }
        /// A base other than `b` (the next in ACGT), `k` steps on.
        func other(_ b: Character, _ k: Int = 1) -> String {
            let a = Array("ACGT")
            let i = a.firstIndex(of: Character(b.uppercased())) ?? 0
            return String(a[(i + k) % 4])
        }
        func alt(_ s: String) -> String { String(s.map { Character(other($0)) }) }
        var l: [String] = []
        func add(_ chrom: String, _ pos: Int, _ id: String, _ r: String, _ a: String, _ info: String = ".") {
            l.append("\(chrom)\t\(pos)\t\(id)\t\(r)\t\(a)\t50\tPASS\t\(info)")
        }
        add("c1", 1, "first", ref(s1, 1, 1), other(s1[0]))                                   // SNV on the first base
        add("c1", 2, ".", ref(s1, 2, 4), ref(s1, 2, 1), "DP=7")                               // deletion at the start
        add("c1", 10, "multi", ref(s1, 10, 1), other(s1[9]) + "," + other(s1[9], 2))          // two SNVs
        add("c1", 20, "mnp", ref(s1, 20, 3), alt(ref(s1, 20, 3)))                             // MNP
        add("c1", 30, "ins5", ref(s1, 30, 1), ref(s1, 30, 1) + "ACGTA")                       // insertion, odd
        add("c1", 40, "cx", ref(s1, 40, 2), "TTT")                                            // complex
        add("c1", 50, "sym", ref(s1, 50, 1), "*,<DEL>," + other(s1[49]))                      // *, symbolic, SNV
        add("c1", 60, ".", ref(s1, 60, 1), "<NON_REF>")
        add("c1", 70, "bnd", ref(s1, 70, 1), ref(s1, 70, 1) + "]c2:10]")                      // breakend
        add("c1", 80, ".", ref(s1, 80, 1), ".")                                               // no ALT
        add("c1", 90, "same", ref(s1, 90, 2), ref(s1, 90, 2) + "," + ref(s1, 90, 1))          // ALT == REF, deletion
        add("c1", 100, "iupac", ref(s1, 100, 1), "R," + other(s1[99]))                        // IUPAC ALT
        add("c1", 110, "ins2", ref(s1, 110, 1), ref(s1, 110, 1) + "CG," + ref(s1, 110, 1) + "TTA") // insertions +2, +3
        add("c1", 120, "del10", ref(s1, 120, 11), ref(s1, 120, 1))                            // 10 bp deletion
        add("c1", 140, "lower", ref(s1, 140, 2).lowercased(), alt(ref(s1, 140, 2)).lowercased())
        add("c1", 150, "badref", other(s1[149]) + ref(s1, 151, 1), "GG")                      // REF mismatch
        add("c1", 160, "nref", "N" + ref(s1, 161, 1), ref(s1, 160, 1))                        // N in REF, deletion
        add("c1", 170, "single", ref(s1, 170, 1), ref(s1, 170, 1) + ".")                     // single breakend
        add("c1", 296, "enddel", ref(s1, 296, 5), ref(s1, 296, 1))                            // deletion to the end
        add("c1", 300, "endins", ref(s1, 300, 1), ref(s1, 300, 1) + "GATTACA")                // insertion on the last base
        add("c2", 1, "c2first", ref(s2, 1, 2), ref(s2, 1, 1) + "CCCC")                        // complex at c2's start
        add("c2", 20, "c2mid", ref(s2, 20, 1), other(s2[19]))
        add("c2", 39, "c2end", ref(s2, 39, 2), alt(ref(s2, 39, 2)))                           // MNP on c2's last bases
        lines = l
        mismatched = [16]
        vcf = try dir.write("variants.vcf", VariantFixture.header + "\n" + l.joined(separator: "\n") + "\n")
    }

    /// The sequence of contig `name`.
    func sequence(_ name: String) -> String { contigs.first { $0.0 == name }?.1 ?? "" }
}

/// Letters of base codes (0-3 ACGT, else N).
func letters(_ codes: some Collection<UInt8>) -> String {
    String(codes.map { $0 < 4 ? Array("ACGT")[Int($0)] : "N" })
}

/// `length` bases of `sequence` from 0-based `start`, N outside it.
func slice(_ sequence: [Character], _ start: Int, _ length: Int) -> String {
    String((start..<(start + length)).map { $0 >= 0 && $0 < sequence.count ? Character(sequence[$0].uppercased()) : "N" })
}

/// Runs a shell command, failing the test on a non-zero status; returns stdout.
@discardableResult
func shell(_ command: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let r = try runTool("sh", ["-c", command])
    XCTAssertEqual(r.status, 0, "\(command): \(r.stderr)", file: file, line: line)
    return r.text
}

/// Reads every record of `path`.
func readAll(_ path: String, format: VariantInputFormat = .auto, region: GenomicRegion? = nil) throws -> [VariantRecord] {
    var out: [VariantRecord] = []
    try VariantReader(path: path, format: format, region: region).forEach { out.append($0) }
    return out
}

/// Runs `body` with the file at `path` as the process's standard input.
func withStandardInput<R>(from path: String, _ body: () throws -> R) throws -> R {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw GenomeError.fileNotFound(path: path) }
    let saved = dup(0)
    dup2(fd, 0)
    close(fd)
    defer {
        dup2(saved, 0)
        close(saved)
    }
    return try body()
}

/// Runs `body` with the process's standard output going to the file at `path`.
func withStandardOutput<R>(to path: String, _ body: () throws -> R) throws -> R {
    fflush(nil)
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw GenomeError.unreadable(path: path, reason: "cannot create") }
    let saved = dup(1)
    dup2(fd, 1)
    close(fd)
    defer {
        fflush(nil)
        dup2(saved, 1)
        close(saved)
    }
    return try body()
}
