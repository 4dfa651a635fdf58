import ArgumentParser
import Genome
import Interpret
import Runs
import Tracks

extension Interpret.AttributionMethod: ExpressibleByArgument {}
extension Interpret.ISMEngine: ExpressibleByArgument {}

/// `crick attribute`: saliency or in-silico mutagenesis maps for regions.
struct Attribute: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Attribution maps (saliency or in-silico mutagenesis) for regions: a per-base track and a per-region matrix.",
        discussion: """
            Each region is explained on the model-length window centred on its summit (or \
            midpoint). saliency: gradient of the task's logit times the one-hot input; ism: the \
            logit of every single-base mutant minus the sequence's logit. Writes PREFIX.npy \
            (float32, regions x length x 4), PREFIX.windows.bed (the windows in input order, clipped to \
            their chromosome, column 5 the matrix column of their start) and \
            a per-base track PREFIX.bedGraph (or .bw with --format bigwig): the attribution of the \
            base present (ism: minus the mean effect of its mutations), overlapping windows \
            averaged. For standard models --strand-average explains the mean of x and rc(x); \
            conjoined models always do. Regions on contigs absent from the FASTA (see \
            --chrom-alias), past a contig end, or whose window holds more N than --max-n \
            (padding past a contig end not counted) are skipped with a warning that counts them \
            (--strict: an error); when no region is left the run fails.
            """)

    @Option(help: "Model file (model.safetensors), or a crick train run directory.")
    var model: String

    @Option(help: "Indexed FASTA (plain or bgzip).")
    var fasta: String

    @Option(help: "Regions: BED or narrowPeak.")
    var regions: String

    @Option(help: "saliency or ism.")
    var method: AttributionMethod = .saliency

    @Option(name: .customLong("ism-engine"), help: "ism: incremental (recompute only what each base change reaches) or full (every mutant through the full forward pass; the reference implementation).")
    var ismEngine: ISMEngine = .incremental

    @Option(help: "Task to explain (default: the first).")
    var task: String?

    @Option(help: "Where a region's window is centred: summit or midpoint.")
    var center: Interval.Center = .summit

    @Flag(name: .customLong("strand-average"), help: "Standard models: explain the mean of the logits of x and rc(x).")
    var strandAverage = false

    @Option(help: "Per-base track format: bedgraph or bigwig.")
    var format: TrackFormat = .bedgraph

    @Option(name: .shortAndLong, help: "Output prefix (PREFIX.npy, PREFIX.windows.bed, PREFIX.bedGraph or .bw).")
    var output: String

    @OptionGroup var check: RegionOptions

    @OptionGroup var common: CommonOptions

    func run() throws {
        var options = AttributionRun.Options(model: model, fasta: fasta, regions: regions, output: output)
        options.method = method
        options.ismEngine = ismEngine
        options.task = task
        options.center = center
        options.strandAverage = strandAverage
        options.format = format
        options.check = check.request
        options.threads = common.threads
        let result = try AttributionRun(options).run(reporter: ConsoleReporter(quiet: common.quiet))
        Diagnostics.info("\(method.rawValue) of \(result.regions) regions: \(output).npy, \(output).windows.bed, \(result.trackPath)", quiet: common.quiet)
    }
}
