import ArgumentParser
import Genome
import Runs
import Scoring
import Tracks

extension Runs.PredictFormat: ExpressibleByArgument {}

/// `crick predict`: one score per region (and task).
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score regions with a model: a bedGraph/bigWig track on the regions' coordinates, or the regions as BED with score columns.",
        discussion: """
            Each region is scored on the model-length window centred on its summit (narrowPeak \
            column 10, else the midpoint); --tile scores regions longer than the window over \
            tiled windows instead. Window bases past a chromosome end read as N. Regions on \
            contigs absent from the FASTA (see --chrom-alias), past a contig end, or whose \
            windows hold more N than --max-n (padding past a contig end not counted) are \
            skipped with a warning that counts them, and left out of the output (--strict: an \
            error); when no region is left the run fails. In bedGraph and \
            bigWig output, regions are sorted and where they overlap the shared bases take the \
            max (or --overlap mean) of their scores. --format bed writes the input rows in input \
            order with one score column per task. Count models (--loss mse or poisson) give \
            their predicted counts (--output-type count, their default); profile models the \
            predicted total over the window's central profile (crick scan writes the profiles).
            """)

    @OptionGroup var scoring: ScoringOptions

    @Option(help: "Regions: BED or narrowPeak (plain, gzip or bgzip).")
    var regions: String

    @Option(help: "BED of regions (a blacklist) whose windows are left out (their regions are not scored), counted; repeatable.")
    var exclude: [String] = []

    @Option(help: "Where a region's window is centred: summit or midpoint.")
    var center: Interval.Center = .summit

    @Option(help: "Score regions longer than the model's input as the mean or max over tiled windows.")
    var tile: TileRule?

    @Option(name: .customLong("tile-step"), help: "Bases between tiled windows (default: the input length).")
    var tileStep: Int?

    @Option(help: "Where regions overlap in a track: max or mean.")
    var overlap: OverlapRule = .max

    @Option(help: "bedgraph, bigwig or bed (default: from the output name; bedgraph).")
    var format: PredictFormat?

    @Option(name: .shortAndLong, help: "Output file ('-' for stdout), or PREFIX for several tasks.")
    var output: String = "-"

    @OptionGroup var check: RegionOptions

    @OptionGroup var common: CommonOptions

    func validate() throws {
        try FlagBounds.length(tileStep, "--tile-step")
    }

    func run() throws {
        var options = PredictionRun.Options(model: scoring.request, fasta: scoring.fasta, regions: regions)
        options.center = center
        options.tile = tile
        options.tileStep = tileStep
        options.overlap = overlap
        options.format = format
        options.output = output
        options.check = check.request
        options.exclude = exclude
        options.noTrackLine = scoring.noTrackLine
        options.threads = common.threads
        let result = try PredictionRun(options).run(reporter: ConsoleReporter(quiet: common.quiet))
        // BED rows go to their file without a summary line, as the input rows with scores.
        let bed = (format ?? PredictFormat.fromName(output)) == .bed
        Diagnostics.info("scored \(result.regions) regions into \(result.paths.joined(separator: ", "))", quiet: common.quiet || output == "-" || bed)
    }
}
