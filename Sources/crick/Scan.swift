import ArgumentParser
import Foundation
import Genome
import NeuralNet
import Pipeline
import Scoring
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
            """)

    @OptionGroup var scoring: ScoringOptions

    @Option(help: "Bases between window starts; also the bin width.")
    var stride: Int = 20

    @Option(help: "Scan only these chromosomes (comma-separated).")
    var chroms: String?

    @Option(help: "Scan only the bins overlapping these regions (BED or narrowPeak).")
    var regions: String?

    @OptionGroup var check: RegionOptions

    @Option(help: "Score part K of N (1-based), e.g. 3/10, for cluster jobs.", transform: Shard.parse)
    var shard: Shard?

    @Option(name: .customLong("chunk-size"), help: "Bases of window starts per parallel job.")
    var chunkSize: Int = 1 << 17

    @Option(help: "bedgraph or bigwig (default: from the output name; bedgraph).")
    var format: TrackFormat?

    @Option(name: .shortAndLong, help: "Output file ('-' for stdout), or PREFIX for several tasks.")
    var output: String = "-"

    @OptionGroup var common: CommonOptions

    func validate() throws {
        try FlagBounds.length(stride, "--stride")
        guard chunkSize >= 1 else { throw ValidationError("--chunk-size must be at least 1") }
        if chroms != nil && regions != nil { throw ValidationError("give --chroms or --regions, not both") }
    }

    func run() throws {
        setBLASThreads(1)
        let loaded = try LoadedModel(scoring, quiet: common.quiet)
        let fasta = try FastaFile(path: scoring.fasta)
        let format = format ?? TrackFormat.fromName(output)
        var options = ScanOptions()
        options.stride = stride
        let policy = try check.policy(fasta: fasta)
        options.maxN = policy.maxN.bases(inLength: loaded.model.architecture.inputLength)
        options.chunkBases = chunkSize
        options.threads = common.threads
        let scan = try GenomeScan(fasta: fasta, options: options, settings: loaded.settings, loadModel: loaded.load)
        var regionList: [Interval]?
        if let regions {
            // Regions on absent contigs or past a contig end are skipped and counted (--strict: an error).
            let regionCheck = RegionCheck(fasta: fasta, policy: policy)
            regionList = try regionCheck.accepted(try IntervalReader(path: regions).readAll(), source: regions).map(\.region)
            for w in try regionCheck.finish(source: regions, windowLength: nil) { Diagnostics.warning(w) }
        }
        let chromList = chroms.map { $0.split(separator: ",").map(String.init) }
        let runs = try ScanLayout.runs(fasta: fasta, grid: scan.grid, chroms: chromList, regions: regionList)
        var comments: [String] = []
        let genome = trackGenome(fasta)
        var part: (part: Int, parts: Int)?
        if let shard {
            let (k, n) = (shard.part, shard.parts)
            part = (k - 1, n)
            comments.append(ShardHeader(part: k, parts: n, genomeDigest: genome.digest).comment)
        }
        let jobs = scan.jobs(runs, shard: part)
        let names = loaded.selected.map { loaded.taskNames[$0] }
        if names.count > 1 && output == "-" {
            throw ValidationError("the model has \(names.count) tasks: give -o PREFIX (writes PREFIX.TASK.\(format == .bigwig ? "bw" : "bedGraph")) or --task")
        }
        let paths = taskOutputPaths(output, tasks: names, extension: format == .bigwig ? "bw" : "bedGraph")
        var writers: [TrackWriter] = []
        do {
            for (k, task) in loaded.selected.enumerated() {
                let line = scoring.noTrackLine ? nil : loaded.trackLine(command: "scan", task: task, extra: " stride=\(stride)")
                writers.append(try makeTrackWriter(path: paths[k], format: format, genome: genome, trackLine: line, comments: comments))
            }
            let total = jobs.reduce(0) { $0 + $1.write.count }
            let progress = ProgressReporter(label: "scan", unit: "windows", total: total, quiet: common.quiet)
            try scan.run(jobs, tasks: loaded.selected, writers: writers, progress: progress)
            progress.finish()
            for w in writers { try w.finish() }
        } catch {
            writers.forEach { $0.abort() }
            throw error
        }
        if !scan.isFullyConvolutional {
            Diagnostics.info("the model has same-padded layers: windows were scored one by one", quiet: common.quiet)
        }
        Diagnostics.info("scored \(scan.scored) windows (\(scan.skippedForN) left out for N) into \(paths.joined(separator: ", "))",
                         quiet: common.quiet || output == "-")
    }
}
