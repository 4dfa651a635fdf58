import Foundation
import Genome
import NeuralNet
import Pipeline
import Scoring
import Tracks

/// `crick scan`: every window of the genome at a stride, written as one track per task.
public struct ScanRun {
    /// What to scan and how.
    public struct Options {
        public var model: ModelRequest
        public var fasta: String
        /// Bases between window starts; also the bin width.
        public var stride = 20
        /// Scan only these chromosomes.
        public var chroms: [String]?
        /// Scan only the bins overlapping the regions of this BED or narrowPeak file.
        public var regions: String?
        /// BED files of regions (blacklists) whose windows are left out of the tracks.
        public var exclude: [String] = []
        /// The region policy options (`--max-n`, `--strict`, `--chrom-alias`).
        public var check = RegionRequest()
        /// Part K of N (1-based).
        public var shard: (part: Int, parts: Int)?
        /// Bases of window starts per parallel job.
        public var chunkSize = 1 << 17
        /// Track format (nil: from the output name).
        public var format: TrackFormat?
        /// Output file (`-`: stdout), or PREFIX for several tasks.
        public var output = "-"
        /// Write bedGraph without its track line.
        public var noTrackLine = false
        /// Profile models: also write each window's predicted total count over its central
        /// profile here (PREFIX for several tasks).
        public var countsOutput: String?
        public var threads = 1

        public init(model: ModelRequest, fasta: String) {
            self.model = model
            self.fasta = fasta
        }
    }

    /// What a scan did.
    public struct Result: Sendable {
        /// Windows scored.
        public var scored: Int
        /// Windows left out for N.
        public var skippedForN: Int
        /// Windows left out for touching an `exclude` region.
        public var skippedExcluded: Int
        /// The tracks written.
        public var paths: [String]
        /// False when same-padded layers made the scan score windows one by one.
        public var fullyConvolutional: Bool
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// Scans, writes the tracks (all or none) and returns what was done.
    public func run(reporter: RunReporter) throws -> Result {
        setBLASThreads(1)
        let loaded = try LoadedModel(options.model, reporter: reporter, profiles: true)
        let fasta = try FastaFile(path: options.fasta)
        let format = options.format ?? TrackFormat.fromName(options.output)
        var scanOptions = ScanOptions()
        scanOptions.stride = options.stride
        let arch = loaded.model.architecture
        if let layout = ProfileLayout(arch) {
            // Windows every P * bin bases: their central profiles abut.
            let p = layout.bases
            guard (arch.inputLength - p) % 2 == 0 else {
                throw RunError.usage("\(options.model.path): input length \(arch.inputLength) minus profile length \(p) is odd, so profiles cannot tile the genome")
            }
            let resolution = layout.bin == 1 ? "at base resolution" : "in \(layout.bin) bp bins"
            if options.stride != p { reporter.info("scan: a profile model: windows every \(p) bp (its profile length), each writing its central \(p) bp \(resolution)") }
            scanOptions.stride = p
        } else if options.countsOutput != nil {
            throw RunError.usage("--counts-output needs a profile model")
        }
        if let counts = options.countsOutput, counts == options.output || counts == "-" {
            throw RunError.usage("--counts-output must name another file than -o (and not stdout)")
        }
        let policy = try options.check.policy(fasta: fasta)
        scanOptions.maxN = policy.maxN.bases(inLength: loaded.model.architecture.inputLength)
        scanOptions.chunkBases = options.chunkSize
        scanOptions.threads = options.threads
        scanOptions.exclude = try ExcludedRegions.mask(options.exclude, fasta: fasta, aliases: policy.aliases, reporter: reporter)
        let scan = try GenomeScan(fasta: fasta, options: scanOptions, settings: loaded.settings, model: loaded.model)
        var regionList: [Interval]?
        if let regions = options.regions {
            // Regions on absent contigs or past a contig end are skipped and counted (--strict: an error).
            let regionCheck = RegionCheck(fasta: fasta, policy: policy)
            regionList = try regionCheck.accepted(try IntervalReader(path: regions).readAll(), source: regions).map(\.region)
            for w in try regionCheck.finish(source: regions, windowLength: nil) { reporter.warning(w) }
        }
        let runs = try ScanLayout.runs(fasta: fasta, grid: scan.grid, chroms: options.chroms, regions: regionList)
        let genome = trackGenome(fasta)
        var comments: [String] = []
        var part: (part: Int, parts: Int)?
        if let (k, n) = options.shard {
            part = (k - 1, n)
            comments.append(ShardHeader(part: k, parts: n, genomeDigest: genome.digest).comment)
        }
        let jobs = scan.jobs(runs, shard: part)
        let paths = try loaded.outputPaths(options.output, extension: format.fileExtension)
        let countFormat = options.countsOutput.map { options.format ?? TrackFormat.fromName($0) }
        let countPaths = try options.countsOutput.map { try loaded.outputPaths($0, extension: (countFormat ?? format).fileExtension) } ?? []
        var writers: [TrackWriter] = [], countWriters: [TrackWriter] = []
        do {
            for (k, task) in loaded.selected.enumerated() {
                let extra = ProfileLayout(arch).map { " profile=\($0.bases)\($0.bin > 1 ? " bin=\($0.bin)" : "") values=predicted-counts-per-base" } ?? " stride=\(scanOptions.stride)"
                let line = options.noTrackLine ? nil : loaded.trackLine(command: "scan", task: task, extra: extra)
                writers.append(try makeTrackWriter(path: paths[k], format: format, genome: genome, trackLine: line, comments: comments))
                if let countFormat {
                    let countLine = options.noTrackLine ? nil : loaded.trackLine(command: "scan", task: task, extra: " values=predicted-total-count-per-\(scanOptions.stride)bp")
                    countWriters.append(try makeTrackWriter(path: countPaths[k], format: countFormat, genome: genome, trackLine: countLine, comments: comments))
                }
            }
            let total = jobs.reduce(0) { $0 + $1.write.count }
            let progress = reporter.progress(label: "scan", unit: "windows", total: total)
            try scan.run(jobs, tasks: loaded.selected, writers: writers, countWriters: countWriters, progress: progress)
            progress.finish()
            for w in writers + countWriters { try w.finish() }
        } catch {
            (writers + countWriters).forEach { $0.abort() }
            throw error
        }
        return Result(scored: scan.scored, skippedForN: scan.skippedForN, skippedExcluded: scan.skippedExcluded, paths: paths + countPaths, fullyConvolutional: scan.isFullyConvolutional)
    }
}
