import ArgumentParser
import Dataset
import Foundation
import Genome
import Runs

/// `crick fetch`: the sequences of regions, as FASTA, TSV, base codes or an NPY matrix.
struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the sequences of regions from an indexed FASTA.",
        discussion: """
            Regions come from BED or narrowPeak files (plain, gzip or bgzip; '-' for stdin) or \
            from region strings (chr:start-end, 1-based inclusive; {name}:start-end for names \
            with ':'). Sequences are named chrom:start-end with a 0-based start, as bedtools \
            getfasta names them. Regions on contigs absent from the FASTA, or running past a \
            contig end, are skipped with one warning that counts them, and regions with more \
            N than --max-n are written and counted (--strict: each is an error); when no region \
            is left the run fails. Region strings past a contig end are clipped to it, as \
            samtools does, with a warning.

            Examples:
              crick fetch --fasta genome.fa --regions peaks.narrowPeak --length 1000 -o peaks.fa
              crick fetch --fasta genome.fa.gz chrI:1001-2000 --format codes
            """)

    @Option(help: "Indexed FASTA, plain or bgzip (a missing .fai/.gzi is built).")
    var fasta: String

    @Option(name: .long, help: "A BED/narrowPeak file ('-' for stdin) or a region string chr:start-end; repeatable.")
    var regions: [String] = []

    @Argument(help: "More region strings (chr, chr:start, chr:start-end).")
    var regionStrings: [String] = []

    @Option(help: "Only regions of the files that overlap this region (chr:start-end); uses the tabix index when there is one.")
    var region: String?

    @Option(name: .customLong("input-format"), help: "Format of region files: auto, bed or narrowpeak (auto: by name, else by column count).")
    var inputFormat: IntervalFormat = .auto

    @Option(help: "Resize every region to this many bp around its centre (default: keep each region's own length).")
    var length: Int?

    @Option(help: "Centre of resized regions: summit (narrowPeak column 10, midpoint when absent) or midpoint.")
    var center: Interval.Center = .summit

    @Option(help: "Output format: fasta, tsv, codes (one line of 0-4 per region) or npy (uint8 matrix N x L).")
    var format: SequenceFormat = .fasta

    @OptionGroup var check: RegionOptions

    @Option(name: .shortAndLong, help: "Output file ('-' for stdout); written under a temporary name and renamed when complete.")
    var output: String = "-"

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if regions.isEmpty && regionStrings.isEmpty {
            throw ValidationError("give regions with --regions FILE or region strings (chr:start-end)")
        }
        try FlagBounds.length(length, "--length")
    }

    func run() throws {
        var options = FetchRun.Options(fasta: fasta)
        options.regions = regions + regionStrings
        options.region = region
        options.inputFormat = inputFormat
        options.length = length
        options.center = center
        options.format = format
        options.check = check.request
        options.output = output
        options.threads = common.threads
        let reporter = ConsoleReporter(quiet: common.quiet)
        let result = try FetchRun(options).run(reporter: reporter, showProgress: common.verbose || output != "-")
        if common.verbose { Diagnostics.info("fetch: wrote \(result.written) regions", quiet: false) }
    }
}
