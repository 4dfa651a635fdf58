import ArgumentParser
import Foundation
import Genome
import NeuralNet
import Pipeline
import Scoring
import Tracks

/// Output formats of `crick predict`.
enum PredictFormat: String, ExpressibleByArgument, CaseIterable {
    case bedgraph, bigwig, bed

    static func fromName(_ path: String) -> PredictFormat {
        if path.lowercased().hasSuffix(".bed") { return .bed }
        return TrackFormat.fromName(path) == .bigwig ? .bigwig : .bedgraph
    }
}

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
            order with one score column per task.
            """)

    @OptionGroup var scoring: ScoringOptions

    @Option(help: "Regions: BED or narrowPeak (plain, gzip or bgzip).")
    var regions: String

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
        setBLASThreads(1)
        let loaded = try LoadedModel(scoring, quiet: common.quiet)
        let fasta = try FastaFile(path: scoring.fasta)
        let format = format ?? PredictFormat.fromName(output)
        let reader = try IntervalReader(path: regions)
        reader.keepsText = format == .bed
        var intervals: [Interval] = []
        var texts: [String] = []
        while let i = try reader.next() {
            intervals.append(i)
            if format == .bed { texts.append(reader.lastText) }
        }
        var options = PredictOptions()
        options.center = center
        options.tile = tile
        options.tileStep = tileStep
        options.threads = common.threads
        let prediction = try RegionPrediction(fasta: fasta, options: options, settings: loaded.settings, loadModel: loaded.load)
        let progress = ProgressReporter(label: "predict", unit: "regions", total: intervals.count, quiet: common.quiet)
        let regionCheck = RegionCheck(fasta: fasta, policy: try check.policy(fasta: fasta))
        let result = try prediction.run(intervals, check: regionCheck, source: regions, progress: progress)
        progress.finish()
        for w in result.warnings { Diagnostics.warning(w) }
        let scores = result.scores
        if prediction.paddedWindows > 0 {
            Diagnostics.warning("\(prediction.paddedWindows) windows ran past a chromosome end and were padded with N")
        }
        let t = loaded.model.architecture.outputs
        if format == .bed {
            let out = try OutputFile(path: output)
            for (i, row) in result.rows.enumerated() {
                try out.write(texts[row] + loaded.selected.map { "\t" + formatScore(scores[i * t + $0]) }.joined() + "\n")
            }
            try out.commit()
            return
        }
        let names = loaded.selected.map { loaded.taskNames[$0] }
        if names.count > 1 && output == "-" {
            throw ValidationError("the model has \(names.count) tasks: give -o PREFIX (writes PREFIX.TASK.\(format == .bigwig ? "bw" : "bedGraph")) or --task")
        }
        let paths = taskOutputPaths(output, tasks: names, extension: format == .bigwig ? "bw" : "bedGraph")
        let genome = trackGenome(fasta)
        for (k, task) in loaded.selected.enumerated() {
            let scored = result.regions.enumerated().map {
                TrackInterval(chrom: $0.element.chrom, start: $0.element.start, end: $0.element.end, value: scores[$0.offset * t + task])
            }
            let line = scoring.noTrackLine ? nil : loaded.trackLine(command: "predict", task: task, extra: " overlap=\(overlap.rawValue)")
            let writer = try makeTrackWriter(path: paths[k], format: format == .bigwig ? .bigwig : .bedgraph, genome: genome, trackLine: line)
            do {
                for i in resolveOverlaps(scored, rule: overlap, genome: genome) { try writer.add(i.chrom, i.start, i.end, i.value) }
                try writer.finish()
            } catch {
                writer.abort()
                throw error
            }
        }
        Diagnostics.info("scored \(result.rows.count) regions into \(paths.joined(separator: ", "))", quiet: common.quiet || output == "-")
    }
}
