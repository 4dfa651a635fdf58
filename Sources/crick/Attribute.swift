import ArgumentParser
import Dataset
import Foundation
import Genome
import Interpret
import NeuralNet
import Pipeline
import Scoring
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
        setBLASThreads(1)
        let (m, contents) = try ModelFile.read(model)
        let names = modelTaskNames(metadata: contents.metadata, outputs: m.architecture.outputs)
        var taskIndex = 0
        if let task {
            guard let i = names.firstIndex(of: task) else { throw ScoringError.unknownTask(name: task, model: model, tasks: names) }
            taskIndex = i
        }
        let fastaFile = try FastaFile(path: fasta)
        let intervals = try IntervalReader(path: regions).readAll()
        guard !intervals.isEmpty else { throw DatasetError.invalid("no regions in \(regions)") }
        let runner = try RegionAttribution(fasta: fastaFile, method: method, task: taskIndex, strandAverage: strandAverage,
                                           center: center, threads: common.threads, ismEngine: ismEngine, loadModel: { try ModelFile.read(model).model })
        let l = runner.length
        let npy = try OutputFile(path: output + ".npy", seekable: true)
        let bed = try OutputFile(path: output + ".windows.bed")
        var pieces: [TrackInterval] = []
        var warnings: [String] = []
        var rows = 0
        let progress = ProgressReporter(label: "attribute", unit: "regions", total: intervals.count, quiet: common.quiet)
        do {
            try npy.write(NPYHeader.bytes(dtype: "<f4", shape: [0, l, 4]))
            let regionCheck = RegionCheck(fasta: fastaFile, policy: try check.policy(fasta: fastaFile))
            warnings = try runner.run(intervals, check: regionCheck, source: regions, threads: common.threads, progress: progress) { window, codes, map in
                rows += 1
                try map.withUnsafeBytes { try npy.write($0) }
                // The window clipped to its chromosome, and the matrix column where that starts
                // (columns outside the chromosome are N, attribution 0).
                let n = fastaFile.length(of: window.chrom) ?? 0
                let start = max(0, window.start), end = min(n, window.end)
                try bed.write("\(window.chrom)\t\(start)\t\(end)\t\(window.name ?? ".")\t\(start - window.start)\n")
                let perBase = Attributor.perBase(map, codes: codes, method: method)
                for (j, v) in perBase.enumerated() where window.start + j >= 0 && window.start + j < n {
                    pieces.append(TrackInterval(chrom: window.chrom, start: window.start + j, end: window.start + j + 1, value: v))
                }
            }
            progress.finish()
            try npy.overwrite(at: 0, with: NPYHeader.bytes(dtype: "<f4", shape: [rows, l, 4]))
            let genome = trackGenome(fastaFile)
            let trackPath = output + (format == .bigwig ? ".bw" : ".bedGraph")
            let line = "track type=bedGraph name=\"crick \(method.rawValue) \(names[taskIndex])\" description=\"crick attribute \((model as NSString).lastPathComponent) task=\(names[taskIndex]) method=\(method.rawValue)\""
            let writer = try makeTrackWriter(path: trackPath, format: format, genome: genome, trackLine: line)
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
        for w in warnings { Diagnostics.warning(w) }
        Diagnostics.info("\(method.rawValue) of \(rows) regions: \(output).npy, \(output).windows.bed, \(output).\(format == .bigwig ? "bw" : "bedGraph")", quiet: common.quiet)
    }
}
