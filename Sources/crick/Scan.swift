import ArgumentParser
import Runs
import Tracks

extension Tracks.TrackFormat: ExpressibleByArgument {}

/// `crick scan`: genome-wide score tracks.
struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score every window of the genome at a stride: a bedGraph or bigWig track.",
        discussion: """
            Windows of the model's input length start every --stride bases from each \
            chromosome's start; each score goes to the stride-wide bin holding its window's \
            centre. Models whose layers slide (valid convolutions and pools, as the chip \
            preset) run their convolutional trunk once along each chunk of sequence and share it \
            between overlapping windows. Windows with more N than --max-n are left out. With \
            --regions, regions on contigs absent from the FASTA (see --chrom-alias) or past a \
            contig end are skipped and counted (--strict: an error). Chromosomes are written in \
            byte order of their names. \
            --shard K/N scores the K-th of N parts of equal window counts; crick merge-tracks \
            joins the parts.

            Profile models (a profilehead, such as --preset bpnet) tile the genome instead: \
            windows every P bp (the profile length, whatever --stride says), each writing the \
            predicted count at every base of its central P bp (the softmax of the profile \
            logits times the predicted total, exp(log count) - 1), so the centres abut into one \
            base-resolution track; the ends of each chromosome, (L - P) / 2 bp that no window \
            centre reaches, are not written. --counts-output also writes each window's \
            predicted total over its central P bp. Count models (--loss mse or poisson) write \
            their predicted counts (--output-type count, the default for them).
            """)

    @OptionGroup var scoring: ScoringOptions

    @Option(help: "Bases between window starts; also the bin width.")
    var stride: Int = 20

    @Option(help: "Scan only these chromosomes (comma-separated).")
    var chroms: String?

    @Option(help: "Scan only the bins overlapping these regions (BED or narrowPeak).")
    var regions: String?

    @Option(help: "BED of regions (a blacklist) whose windows are left out of the tracks, counted; repeatable.")
    var exclude: [String] = []

    @OptionGroup var check: RegionOptions

    @Option(help: "Score part K of N (1-based), e.g. 3/10, for cluster jobs.", transform: Shard.parse)
    var shard: Shard?

    @Option(name: .customLong("chunk-size"), help: "Bases of window starts per parallel job.")
    var chunkSize: Int = 1 << 17

    @Option(help: "bedgraph or bigwig (default: from the output name; bedgraph).")
    var format: TrackFormat?

    @Option(name: .shortAndLong, help: "Output file ('-' for stdout), or PREFIX for several tasks.")
    var output: String = "-"

    @Option(name: .customLong("counts-output"), help: "Profile models: also write each window's predicted total count over its central profile here (PREFIX for several tasks).")
    var countsOutput: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        try FlagBounds.length(stride, "--stride")
        guard chunkSize >= 1 else { throw ValidationError("--chunk-size must be at least 1") }
        if chroms != nil && regions != nil { throw ValidationError("give --chroms or --regions, not both") }
    }

    func run() throws {
        var options = ScanRun.Options(model: scoring.request, fasta: scoring.fasta)
        options.stride = stride
        options.chroms = chroms.map { $0.split(separator: ",").map(String.init) }
        options.regions = regions
        options.check = check.request
        options.exclude = exclude
        options.shard = shard.map { ($0.part, $0.parts) }
        options.chunkSize = chunkSize
        options.format = format
        options.output = output
        options.countsOutput = countsOutput
        options.noTrackLine = scoring.noTrackLine
        options.threads = common.threads
        let result = try ScanRun(options).run(reporter: ConsoleReporter(quiet: common.quiet))
        if !result.fullyConvolutional {
            Diagnostics.info("the model has same-padded layers: windows were scored one by one", quiet: common.quiet)
        }
        let excluded = result.skippedExcluded > 0 || !exclude.isEmpty ? ", \(result.skippedExcluded) for --exclude regions" : ""
        Diagnostics.info("scored \(result.scored) windows (\(result.skippedForN) left out for N\(excluded)) into \(result.paths.joined(separator: ", "))",
                         quiet: common.quiet || output == "-")
    }
}
