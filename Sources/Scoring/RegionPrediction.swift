import Genome
import NeuralNet
import Pipeline

/// How a region longer than the model's input is scored with `--tile`.
public enum TileRule: String, Sendable, CaseIterable {
    /// The mean score of the tiled windows.
    case mean
    /// The largest score of the tiled windows.
    case max
}

/// Options of per-region prediction.
public struct PredictOptions: Sendable {
    /// Where the single window of a region is centred.
    public var center: Interval.Center = .summit
    /// Score regions longer than the input length over tiled windows.
    public var tile: TileRule?
    /// Bases between tiled windows (nil: the input length, so tiles do not overlap).
    public var tileStep: Int?
    /// Worker threads.
    public var threads = 1
    /// Regions whose windows touch these regions (a blacklist) are left out.
    public var exclude: GenomeMask?

    public init() {}
}

/// Per-region scores: each region is scored on the model-length window centred on its summit
/// (or midpoint), or over tiled windows. Window bases past a chromosome end read as N.
public final class RegionPrediction {
    public let fasta: FastaFile
    public let options: PredictOptions
    /// One scorer for every worker (its model's inference keeps no state).
    private let scorer: WindowScorer
    private let readers: [FastaReader]
    /// Windows that ran past a chromosome end (padded with N), after `run`.
    public private(set) var paddedWindows = 0

    /// `model` serves every worker (`Model.inference` keeps no state); it must not be trained
    /// while the prediction runs.
    public init(fasta: FastaFile, options: PredictOptions, settings: ScoreSettings, model: Model) throws {
        self.fasta = fasta
        self.options = options
        var readers: [FastaReader] = []
        for _ in 0..<max(1, options.threads) { readers.append(try fasta.makeReader()) }
        scorer = WindowScorer(model: model, settings: settings)
        self.readers = readers
    }

    /// The windows (start positions) that score `region`.
    public func windows(for region: Interval) -> [Int] {
        let l = scorer.length
        guard options.tile != nil, region.length > l else { return [region.resized(to: l, around: options.center).start] }
        let step = max(1, options.tileStep ?? l)
        var starts: [Int] = []
        var s = region.start
        while s + l <= region.end { starts.append(s); s += step }
        if let last = starts.last, last + l < region.end { starts.append(region.end - l) }
        return starts
    }

    /// Scores the regions of `regions` that `check` accepts (read from `source`, for
    /// messages): regions on absent contigs or past a contig end are skipped there, and
    /// regions whose windows hold more N than the policy's `maxN` (bases of the genome; the
    /// N padding past a contig end does not count) are skipped here; with a strict policy
    /// each is an error. Returns the scored rows (indices into `regions`, in order), their
    /// scores (rows, tasks) row-major, and the regions as scored (contigs renamed through
    /// the aliases). Fails when no region is left.
    public func run(_ regions: [Interval], check: RegionCheck, source: String, progress: ProgressReporter? = nil) throws -> RegionScores {
        let accepted = try check.accepted(regions, source: source)
        progress?.advance(by: regions.count - accepted.count)
        let t = scorer.tasks, l = scorer.length
        let policy = check.policy
        let batch = 256
        var result = RegionScores()
        var next = 0
        try orderedParallelMap(
            threads: max(1, options.threads),
            next: { () -> Range<Int>? in
                guard next < accepted.count else { return nil }
                let r = next..<min(accepted.count, next + batch)
                next = r.upperBound
                return r
            },
            transform: { (range: Range<Int>, worker: Int) -> (rows: [Int], scores: [Float], padded: Int, nRich: Int, excluded: Int) in
                var owners: [Int] = []
                var codes: [UInt8] = []
                var padded = 0, nRich = 0, excluded = 0
                var kept: [Int] = []  // indices into accepted
                for ai in range {
                    let (row, region, contig) = accepted[ai]
                    let first = codes.count, starts = self.windows(for: region)
                    guard let firstStart = starts.first else { continue }
                    if let mask = self.options.exclude, starts.contains(where: { mask.overlaps(contig: contig, start: $0, end: $0 + l) }) {
                        excluded += 1
                        continue
                    }
                    var padding = 0, paddedHere = 0
                    for start in starts {
                        let n = self.fasta.contigs[contig].length
                        padding += l - (Swift.min(n, start + l) - Swift.max(0, start)).clamped(0, l)
                        if try self.readers[worker].appendWindowCodes(to: &codes, contigIndex: contig, start: start, length: l) { paddedHere += 1 }
                    }
                    let nBases = codes[first...].reduce(0) { $0 + ($1 == BaseCode.unknown ? 1 : 0) } - padding
                    let window = Interval(chrom: region.chrom, start: firstStart, end: firstStart + l)
                    if try policy.tooManyN(nBases, of: l * starts.count, window: window, origin: regions[row].origin(path: source)) {
                        codes.removeSubrange(first...)
                        nRich += 1
                        continue
                    }
                    padded += paddedHere
                    kept.append(ai)
                    owners.append(contentsOf: repeatElement(kept.count - 1, count: starts.count))
                }
                let scores = owners.isEmpty ? [] : codes.withUnsafeBufferPointer { self.scorer.score(codes: $0, count: owners.count) }
                // Windows to regions: the single score, or the tile rule over the region's windows.
                var out = [Float](repeating: 0, count: kept.count * t)
                var counts = [Int](repeating: 0, count: kept.count)
                for (w, local) in owners.enumerated() {
                    for k in 0..<t {
                        let v = scores[w * t + k]
                        let slot = local * t + k
                        if counts[local] == 0 { out[slot] = v }
                        else if self.options.tile == .max { out[slot] = Swift.max(out[slot], v) }
                        else { out[slot] += v }
                    }
                    counts[local] += 1
                }
                if self.options.tile == .mean {
                    for local in 0..<kept.count where counts[local] > 1 {
                        for k in 0..<t { out[local * t + k] /= Float(counts[local]) }
                    }
                }
                return (kept, out, padded, nRich, excluded)
            },
            emit: { (rows, scores, padded, nRich, excluded) in
                result.rows += rows.map { accepted[$0].row }
                result.regions += rows.map { accepted[$0].region }
                result.scores += scores
                self.paddedWindows += padded
                check.add(tooManyN: nRich)
                result.excluded += excluded
                progress?.advance(by: rows.count + nRich + excluded)
            })
        result.warnings = try check.finish(source: source, windowLength: nil)
        return result
    }
}

/// The scores of a `RegionPrediction` run.
public struct RegionScores: Sendable {
    /// The rows of the input scored, in input order.
    public var rows: [Int] = []
    /// The regions scored (contig names as in the FASTA), one per row.
    public var regions: [Interval] = []
    /// Scores (rows, tasks), row-major.
    public var scores: [Float] = []
    /// Warnings about skipped regions, for the caller to print.
    public var warnings: [String] = []
    /// Regions left out because a window touches an excluded region.
    public var excluded = 0
}

extension Int {
    /// The value limited to lo...hi.
    func clamped(_ lo: Int, _ hi: Int) -> Int { Swift.min(Swift.max(self, lo), hi) }
}
