import Dataset
import Foundation
import Genome
import Interpret
import NeuralNet
import Pipeline
import Scoring
import Tracks

/// `crick attribute`: saliency, in-silico mutagenesis or contribution-score (DeepLIFT/SHAP,
/// integrated gradients) maps of regions, written as PREFIX.npy (regions x L x 4),
/// PREFIX.windows.bed and a per-base track; contribution scores also as TF-MoDISco's
/// PREFIX.ohe.npy and PREFIX.hyp.npy (regions x 4 x L).
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
        /// deepliftshap and integrated-gradients: references, seed, steps.
        public var contributions = ContributionSettings()
        /// A references file (uint8 base codes, regions x n x L, one row per region of the
        /// regions file) instead of `contributions.references`.
        public var referencesFile: String?
        /// Warn when a region's completeness delta exceeds this.
        public var warningThreshold: Float = 1e-3

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
        /// Contribution scores: the largest and the mean completeness delta over the regions.
        public var maxDelta: Float?
        public var meanDelta: Float?
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// The files an attribution run writes for `prefix`.
    public static func outputFiles(prefix: String) -> [String] {
        [".npy", ".windows.bed", ".bedGraph", ".bw", ".ohe.npy", ".hyp.npy"].map { prefix + $0 }
    }

    /// Explains the regions and writes the three outputs (all or none).
    public func run(reporter: RunReporter) throws -> Result {
        setBLASThreads(1)
        let model = options.model, output = options.output, method = options.method
        let (m, contents) = try ModelFile.read(model)
        try refuseProfileModel(m.architecture, path: model)
        let names = modelTaskNames(metadata: contents.metadata, outputs: m.architecture.outputs)
        var taskIndex = 0
        if let task = options.task {
            guard let i = names.firstIndex(of: task) else { throw ScoringError.unknownTask(name: task, model: model, tasks: names) }
            taskIndex = i
        }
        let fastaFile = try FastaFile(path: options.fasta)
        let intervals = try IntervalReader(path: options.regions).readAll()
        guard !intervals.isEmpty else { throw DatasetError.invalid("no regions in \(options.regions)") }
        var settings = options.contributions
        if let file = options.referencesFile {
            settings.references = try AttributionRun.readReferences(file, regions: intervals.count, length: m.architecture.inputLength)
        }
        guard settings.references.count > 0 else { throw RunError.usage("--references needs at least one reference") }
        let runner = try RegionAttribution(fasta: fastaFile, method: method, task: taskIndex, strandAverage: options.strandAverage,
                                           center: options.center, threads: options.threads, ismEngine: options.ismEngine,
                                           settings: settings, model: m)
        let l = runner.length
        let npy = try OutputFile(path: output + ".npy", seekable: true)
        let bed = try OutputFile(path: output + ".windows.bed")
        // TF-MoDISco's inputs, (regions, 4, L) float32 each: one-hot and hypothetical contributions.
        let modisco = method.hasHypothetical
        let ohe = modisco ? try OutputFile(path: output + ".ohe.npy", seekable: true) : nil
        let hyp = modisco ? try OutputFile(path: output + ".hyp.npy", seekable: true) : nil
        var deltas: [Float] = []
        var pieces: [TrackInterval] = []
        var warnings: [String] = []
        var rows = 0
        let trackPath = output + "." + options.format.fileExtension
        let progress = reporter.progress(label: "attribute", unit: "regions", total: intervals.count)
        do {
            try npy.write(NPYHeader.bytes(dtype: "<f4", shape: [0, l, 4]))
            try ohe?.write(NPYHeader.bytes(dtype: "<f4", shape: [0, 4, l]))
            try hyp?.write(NPYHeader.bytes(dtype: "<f4", shape: [0, 4, l]))
            let regionCheck = RegionCheck(fasta: fastaFile, policy: try options.check.policy(fasta: fastaFile))
            warnings = try runner.run(intervals, check: regionCheck, source: options.regions, threads: options.threads, progress: progress) { window, codes, result in
                rows += 1
                let map = result.map
                try map.withUnsafeBytes { try npy.write($0) }
                if let ohe, let hyp, let h = result.hypothetical {
                    try AttributionRun.channelsFirst(ReferenceKind.oneHot(codes), length: l).withUnsafeBytes { try ohe.write($0) }
                    try AttributionRun.channelsFirst(h, length: l).withUnsafeBytes { try hyp.write($0) }
                }
                if let d = result.delta { deltas.append(d) }
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
            try ohe?.overwrite(at: 0, with: NPYHeader.bytes(dtype: "<f4", shape: [rows, 4, l]))
            try hyp?.overwrite(at: 0, with: NPYHeader.bytes(dtype: "<f4", shape: [rows, 4, l]))
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
            try ohe?.commit()
            try hyp?.commit()
        } catch {
            npy.abort()
            bed.abort()
            ohe?.abort()
            hyp?.abort()
            throw error
        }
        for w in warnings { reporter.warning(w) }
        var result = Result(regions: rows, trackPath: trackPath)
        if let worst = deltas.max() {
            result.maxDelta = worst
            result.meanDelta = deltas.reduce(0, +) / Float(deltas.count)
            let over = deltas.filter { $0 > options.warningThreshold }.count
            if over > 0 {
                reporter.warning("completeness: in \(over) of \(deltas.count) regions the contributions miss f(x) - f(reference) by more than \(options.warningThreshold) (largest \(worst))")
            }
        }
        return result
    }

    /// (L, 4) channels-last values as (4, L).
    static func channelsFirst(_ map: [Float], length l: Int) -> [Float] {
        var out = [Float](repeating: 0, count: l * 4)
        for p in 0..<l { for b in 0..<4 { out[b * l + p] = map[p * 4 + b] } }
        return out
    }

    /// References from an NPY of uint8 base codes shaped (regions, n, L): row i holds the
    /// references of the i-th region of the regions file.
    static func readReferences(_ path: String, regions: Int, length: Int) throws -> ReferenceKind {
        let file = try NPYFile(path: path)
        guard file.dtype == "|u1" || file.dtype == "<u1" else {
            throw DatasetError.invalid("references \(path): dtype \(file.dtype), expected uint8 base codes (0-4)")
        }
        guard file.shape.count == 3, file.shape[0] == regions, file.shape[1] > 0, file.shape[2] == length else {
            throw DatasetError.invalid("references \(path): shape \(file.shape), expected (\(regions) regions, n >= 1, \(length))")
        }
        let count = CheckedSize.product(regions, file.shape[1], length)
        if let why = MemoryBudget.refusal("references \(path)", bytes: count) { throw DatasetError.invalid(why) }
        let codes = [UInt8](file.data.bindMemory(to: UInt8.self).prefix(count ?? 0))
        if let bad = codes.firstIndex(where: { $0 > 4 }) {
            throw DatasetError.invalid("references \(path): value \(codes[bad]) at element \(bad) is not a base code (0-4)")
        }
        return .given(codes: codes, perSequence: file.shape[1])
    }
}
