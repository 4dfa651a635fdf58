import Dataset
import Foundation
import Genome
import Interpret
import NeuralNet
import Pipeline
import Scoring
import Tracks

/// `crick attribute`: saliency or in-silico mutagenesis maps of regions, written as
/// PREFIX.npy (regions x L x 4), PREFIX.windows.bed and a per-base track.
public struct AttributionRun {
    /// Which model, regions and method.
    public struct Options {
        /// A model file or a train run directory.
        public var model: String
        public var fasta: String
        /// Regions: BED or narrowPeak.
        public var regions: String
        public var method: AttributionMethod = .saliency
        /// ism: incremental (recompute only what each base change reaches) or full.
        public var ismEngine: ISMEngine = .incremental
        /// Task to explain (nil: the first).
        public var task: String?
        public var center: Interval.Center = .summit
        /// Standard models: explain the mean of the logits of x and rc(x).
        public var strandAverage = false
        /// Per-base track format.
        public var format: TrackFormat = .bedgraph
        /// Output prefix.
        public var output: String
        public var check = RegionRequest()
        public var threads = 1

        public init(model: String, fasta: String, regions: String, output: String) {
            self.model = model
            self.fasta = fasta
            self.regions = regions
            self.output = output
        }
    }

    /// What was written.
    public struct Result: Sendable {
        /// Regions explained (rows of the matrix).
        public var regions: Int
        /// The per-base track written.
        public var trackPath: String
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// The three files an attribution run writes for `prefix`.
    public static func outputFiles(prefix: String) -> [String] {
        [".npy", ".windows.bed", ".bedGraph", ".bw"].map { prefix + $0 }
    }

    /// Explains the regions and writes the three outputs (all or none).
    public func run(reporter: RunReporter) throws -> Result {
        setBLASThreads(1)
        let model = options.model, output = options.output, method = options.method
        let (m, contents) = try ModelFile.read(model)
        let names = modelTaskNames(metadata: contents.metadata, outputs: m.architecture.outputs)
        var taskIndex = 0
        if let task = options.task {
            guard let i = names.firstIndex(of: task) else { throw ScoringError.unknownTask(name: task, model: model, tasks: names) }
            taskIndex = i
        }
        let fastaFile = try FastaFile(path: options.fasta)
        let intervals = try IntervalReader(path: options.regions).readAll()
        guard !intervals.isEmpty else { throw DatasetError.invalid("no regions in \(options.regions)") }
        let runner = try RegionAttribution(fasta: fastaFile, method: method, task: taskIndex, strandAverage: options.strandAverage,
                                           center: options.center, threads: options.threads, ismEngine: options.ismEngine, model: m)
        let l = runner.length
        let npy = try OutputFile(path: output + ".npy", seekable: true)
        let bed = try OutputFile(path: output + ".windows.bed")
        var pieces: [TrackInterval] = []
        var warnings: [String] = []
        var rows = 0
        let trackPath = output + "." + options.format.fileExtension
        let progress = reporter.progress(label: "attribute", unit: "regions", total: intervals.count)
        do {
            try npy.write(NPYHeader.bytes(dtype: "<f4", shape: [0, l, 4]))
            let regionCheck = RegionCheck(fasta: fastaFile, policy: try options.check.policy(fasta: fastaFile))
            warnings = try runner.run(intervals, check: regionCheck, source: options.regions, threads: options.threads, progress: progress) { window, codes, map in
                rows += 1
                try map.withUnsafeBytes { try npy.write($0) }
                // Columns outside the chromosome are N, attribution 0.
                let n = fastaFile.length(of: window.chrom) ?? 0
                try bed.write(AttributionWindow.line(chrom: window.chrom, start: window.start, end: window.end, contigLength: n, name: window.name))
                let perBase = Attributor.perBase(map, codes: codes, method: method)
                for (j, v) in perBase.enumerated() where window.start + j >= 0 && window.start + j < n {
                    pieces.append(TrackInterval(chrom: window.chrom, start: window.start + j, end: window.start + j + 1, value: v))
                }
            }
            progress.finish()
            try npy.overwrite(at: 0, with: NPYHeader.bytes(dtype: "<f4", shape: [rows, l, 4]))
            let genome = trackGenome(fastaFile)
            let line = "track type=bedGraph name=\"crick \(method.rawValue) \(names[taskIndex])\" description=\"crick attribute \((model as NSString).lastPathComponent) task=\(names[taskIndex]) method=\(method.rawValue)\""
            let writer = try makeTrackWriter(path: trackPath, format: options.format, genome: genome, trackLine: line)
            do {
                for p in resolveOverlaps(pieces, rule: .mean, genome: genome) { try writer.add(p.chrom, p.start, p.end, p.value) }
                try writer.finish()
            } catch {
                writer.abort()
                throw error
            }
            try npy.commit()
            try bed.commit()
        } catch {
            npy.abort()
            bed.abort()
            throw error
        }
        for w in warnings { reporter.warning(w) }
        return Result(regions: rows, trackPath: trackPath)
    }
}
