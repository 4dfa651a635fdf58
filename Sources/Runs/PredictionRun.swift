import Foundation
import Genome
import NeuralNet
import Pipeline
import Scoring
import Tracks

/// Output formats of `crick predict`.
public enum PredictFormat: String, Sendable, CaseIterable {
    case bedgraph, bigwig, bed

    /// The format a file name implies: `.bed`, `.bw`/`.bigwig`, else bedGraph.
    public static func fromName(_ path: String) -> PredictFormat {
        if path.lowercased().hasSuffix(".bed") { return .bed }
        return TrackFormat.fromName(path) == .bigwig ? .bigwig : .bedgraph
    }
}

/// `crick predict`: one score per region and task, as a track or as the input rows with
/// score columns.
public struct PredictionRun {
    /// What to score and how.
    public struct Options {
        public var model: ModelRequest
        public var fasta: String
        /// Regions: BED or narrowPeak (plain, gzip or bgzip).
        public var regions: String
        public var center: Interval.Center = .summit
        public var tile: TileRule?
        public var tileStep: Int?
        /// Where regions overlap in a track.
        public var overlap: OverlapRule = .max
        /// nil: from the output name.
        public var format: PredictFormat?
        public var output = "-"
        public var check = RegionRequest()
        /// BED files of regions (blacklists): regions whose windows touch one are left out.
        public var exclude: [String] = []
        public var noTrackLine = false
        public var threads = 1

        public init(model: ModelRequest, fasta: String, regions: String) {
            self.model = model
            self.fasta = fasta
            self.regions = regions
        }
    }

    /// What a prediction did.
    public struct Result: Sendable {
        /// Regions scored (and written).
        public var regions: Int
        /// Windows that ran past a chromosome end and were padded with N.
        public var paddedWindows: Int
        /// The files written.
        public var paths: [String]
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// Scores the regions and writes the output; warnings go to `reporter`.
    public func run(reporter: RunReporter) throws -> Result {
        setBLASThreads(1)
        let loaded = try LoadedModel(options.model, reporter: reporter, profiles: true)
        let fasta = try FastaFile(path: options.fasta)
        let format = options.format ?? PredictFormat.fromName(options.output)
        let reader = try IntervalReader(path: options.regions)
        reader.keepsText = format == .bed
        var intervals: [Interval] = []
        var texts: [String] = []
        while let i = try reader.next() {
            intervals.append(i)
            if format == .bed { texts.append(reader.lastText) }
        }
        var predictOptions = PredictOptions()
        predictOptions.center = options.center
        predictOptions.tile = options.tile
        predictOptions.tileStep = options.tileStep
        predictOptions.threads = options.threads
        let policy = try options.check.policy(fasta: fasta)
        predictOptions.exclude = try ExcludedRegions.mask(options.exclude, fasta: fasta, aliases: policy.aliases, reporter: reporter)
        let prediction = try RegionPrediction(fasta: fasta, options: predictOptions, settings: loaded.settings, model: loaded.model)
        let progress = reporter.progress(label: "predict", unit: "regions", total: intervals.count)
        let regionCheck = RegionCheck(fasta: fasta, policy: policy)
        let result = try prediction.run(intervals, check: regionCheck, source: options.regions, progress: progress)
        progress.finish()
        for w in result.warnings { reporter.warning(w) }
        if result.excluded > 0 {
            reporter.warning("\(result.excluded) region\(result.excluded == 1 ? "" : "s") left out: a window touches an --exclude region")
        }
        if prediction.paddedWindows > 0 {
            reporter.warning("\(prediction.paddedWindows) windows ran past a chromosome end and were padded with N")
        }
        let scores = result.scores
        // Scores per row: one per task, or a profile model's profile and then its totals: a
        // region gets the predicted total count over its window's central profile.
        let arch = loaded.model.architecture
        let t = arch.outputWidth, at = (arch.profileLength ?? 0) * arch.outputs
        if format == .bed {
            let out = try OutputFile(path: options.output)
            for (i, row) in result.rows.enumerated() {
                try out.write(texts[row] + loaded.selected.map { "\t" + formatScore(scores[i * t + at + $0]) }.joined() + "\n")
            }
            try out.commit()
            return Result(regions: result.rows.count, paddedWindows: prediction.paddedWindows, paths: [options.output])
        }
        let trackFormat: TrackFormat = format == .bigwig ? .bigwig : .bedgraph
        let paths = try loaded.outputPaths(options.output, extension: trackFormat.fileExtension)
        let genome = trackGenome(fasta)
        for (k, task) in loaded.selected.enumerated() {
            let scored = result.regions.enumerated().map {
                TrackInterval(chrom: $0.element.chrom, start: $0.element.start, end: $0.element.end, value: scores[$0.offset * t + at + task])
            }
            let line = options.noTrackLine ? nil : loaded.trackLine(command: "predict", task: task, extra: " overlap=\(options.overlap.rawValue)")
            let writer = try makeTrackWriter(path: paths[k], format: trackFormat, genome: genome, trackLine: line)
            do {
                for i in resolveOverlaps(scored, rule: options.overlap, genome: genome) { try writer.add(i.chrom, i.start, i.end, i.value) }
                try writer.finish()
            } catch {
                writer.abort()
                throw error
            }
        }
        return Result(regions: result.rows.count, paddedWindows: prediction.paddedWindows, paths: paths)
    }
}
