import ArgumentParser
import Foundation
import Genome
import Runs
import Tracks

extension CoverageMode: ExpressibleByArgument {}
extension CoverageRun.InputKind: ExpressibleByArgument {}

/// `crick coverage`: read or fragment coverage tracks.
struct CoverageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coverage",
        abstract: "Coverage of reads (SAM/BAM/CRAM) or fragments (BED, BEDPE, 10x fragments.tsv) as bedGraph or bigWig.",
        discussion: """
            Alignments go through htslib: reads with any --exclude-flags bit (default 0xF04: \
            unmapped, secondary, QC failed, duplicate, supplementary) or below --min-mapq are \
            skipped. --mode span counts each read's aligned span (--extend N: N bases from its 5' \
            end, as bedtools genomecov -fs) or each fragment; five-prime the 5' end of each read \
            (bedtools genomecov -5); insertions both ends of each fragment (or each read's 5' \
            end), with --tn5-shift moving a fragment's start (a forward read's 5' end) by +4 and \
            its end (a reverse read's 5' end) by -5. --strand + or - keeps reads of one strand. \
            Values are counts, or per million reads or fragments counted with --normalize cpm; \
            runs of equal value are merged and zero is not written, as bedtools genomecov -bg \
            writes them. Fragments need --genome (FASTA, .fai or chrom.sizes); alignments use \
            their header. Records on contigs absent from the genome are skipped and counted.

            Example:
              crick coverage fragments.bedpe.gz --genome sacCer3.fa.gz --mode insertions --tn5-shift -o atac.bw
            """)

    @Argument(help: "SAM/BAM/CRAM files, or fragment files (BED-like, BEDPE, 10x fragments.tsv; plain or gzip).")
    var inputs: [String]

    @Option(help: "auto (from the name: .bam, .cram, .sam are alignments), alignments or fragments.")
    var input: CoverageRun.InputKind = .auto

    @Option(help: "span, five-prime or insertions.")
    var mode: CoverageMode = .span

    @Option(help: "Reads: count N bases from the 5' end instead of the aligned span.")
    var extend: Int?

    @Option(help: "Reads of one strand only: + or -.")
    var strand: String?

    @Option(name: .customLong("exclude-flags"), help: "Skip reads with any of these SAM flag bits (decimal or 0x hex).")
    var excludeFlags: String = "0xF04"

    @Option(name: .customLong("min-mapq"), help: "Skip reads below this mapping quality.")
    var minMapq: Int = 0

    @Flag(name: .customLong("tn5-shift"), help: "Insertions: shift fragment starts +4 and ends -5 (ATAC-seq).")
    var tn5Shift = false

    @Option(help: "none or cpm (per million reads or fragments counted).")
    var normalize: String = "none"

    @Option(name: [.short, .long], help: "Chromosome sizes: FASTA, .fai or chrom.sizes (required for fragments).")
    var genome: String?

    @Option(help: "CRAM reference FASTA.")
    var reference: String?

    @Option(help: "bedgraph or bigwig (default: from the output name; bedgraph).")
    var format: TrackFormat?

    @Flag(name: .customLong("no-track-line"), help: "Write bedGraph without a track line.")
    var noTrackLine = false

    @Option(name: .shortAndLong, help: "Output track ('-' for stdout bedGraph).")
    var output: String

    @OptionGroup var common: CommonOptions

    var flags: UInt16? {
        let t = excludeFlags.lowercased()
        return t.hasPrefix("0x") ? UInt16(t.dropFirst(2), radix: 16) : UInt16(t)
    }

    func validate() throws {
        if let strand, strand != "+" && strand != "-" { throw ValidationError("--strand takes + or -") }
        guard flags != nil else { throw ValidationError("--exclude-flags takes a 16-bit number (decimal or 0x hex), got '\(excludeFlags)'") }
        guard (0...255).contains(minMapq) else { throw ValidationError("--min-mapq takes 0 to 255") }
        try FlagBounds.length(extend, "--extend")
        guard ["none", "cpm"].contains(normalize) else { throw ValidationError("--normalize takes none or cpm") }
        if extend != nil && mode != .span { throw ValidationError("--extend goes with --mode span") }
        if tn5Shift && mode != .insertions { throw ValidationError("--tn5-shift goes with --mode insertions") }
    }

    func run() throws {
        var o = CoverageRun.Options(inputs: inputs, output: output)
        o.kind = input
        o.coverage.mode = mode
        o.coverage.extend = extend
        o.coverage.strand = strand?.first
        o.coverage.excludeFlags = flags ?? 0xF04
        o.coverage.minMapq = minMapq
        o.coverage.tn5Shift = tn5Shift
        o.cpm = normalize == "cpm"
        o.genome = genome
        o.reference = reference
        o.format = format
        o.noTrackLine = noTrackLine
        o.threads = common.threads
        let r = try CoverageRun(o).run(reporter: ConsoleReporter(quiet: common.quiet))
        Diagnostics.info("coverage: \(r.counted) of \(r.read) records counted\(r.skipped > 0 ? " (\(r.skipped) skipped)" : ""), \(r.intervals) intervals: \(r.path)",
                         quiet: common.quiet || output == "-")
    }
}

extension CoverageCommand: FileCommand {
    var inputFiles: [String] { inputs + [genome, reference].compactMap { $0 } }
    var outputFiles: [String] { [output] }
}
