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

    public init() {}
}

/// Per-region scores: each region is scored on the model-length window centred on its summit
/// (or midpoint), or over tiled windows. Window bases past a chromosome end read as N.
public final class RegionPrediction {
    public let fasta: FastaFile
    public let options: PredictOptions
    private let scorers: [WindowScorer]
    private let readers: [FastaReader]
    /// Windows that ran past a chromosome end (padded with N), after `run`.
    public private(set) var paddedWindows = 0

    public init(fasta: FastaFile, options: PredictOptions, settings: ScoreSettings, loadModel: () throws -> Model) throws {
        self.fasta = fasta
        self.options = options
        var scorers: [WindowScorer] = []
        var readers: [FastaReader] = []
        for _ in 0..<max(1, options.threads) {
            scorers.append(WindowScorer(model: try loadModel(), settings: settings))
            readers.append(try fasta.makeReader())
        }
        self.scorers = scorers
        self.readers = readers
    }

    /// The windows (start positions) that score `region`.
    public func windows(for region: Interval) -> [Int] {
        let l = scorers[0].length
        guard options.tile != nil, region.length > l else { return [region.resized(to: l, around: options.center).start] }
        let step = max(1, options.tileStep ?? l)
        var starts: [Int] = []
        var s = region.start
        while s + l <= region.end { starts.append(s); s += step }
        if let last = starts.last, last + l < region.end { starts.append(region.end - l) }
        return starts
    }

    /// Scores (regions, tasks), row-major, in the order of `regions`, read from `source` (for
    /// messages): every region must lie on a contig of the FASTA and inside it.
    public func run(_ regions: [Interval], source: String, progress: ProgressReporter? = nil) throws -> [Float] {
        try fasta.checkRegions(regions, source: source)
        let t = scorers[0].tasks, l = scorers[0].length
        let batch = 256
        var out = [Float](repeating: 0, count: regions.count * t)
        var next = 0
        try orderedParallelMap(
            threads: max(1, options.threads),
            next: { () -> Range<Int>? in
                guard next < regions.count else { return nil }
                let r = next..<min(regions.count, next + batch)
                next = r.upperBound
                return r
            },
            transform: { (range: Range<Int>, worker: Int) -> (Range<Int>, [Float], Int) in
                var owners: [Int] = []
                var codes: [UInt8] = []
                var padded = 0
                for ri in range {
                    let region = regions[ri]
                    let contig = self.fasta.contigIndex(region.chrom) ?? 0
                    for start in self.windows(for: region) {
                        if try self.readers[worker].appendWindowCodes(to: &codes, contigIndex: contig, start: start, length: l) { padded += 1 }
                        owners.append(ri)
                    }
                }
                let scores = codes.withUnsafeBufferPointer { self.scorers[worker].score(codes: $0, count: owners.count) }
                // Windows to regions: the single score, or the tile rule over the region's windows.
                var result = [Float](repeating: 0, count: range.count * t)
                var counts = [Int](repeating: 0, count: range.count)
                for (w, ri) in owners.enumerated() {
                    let local = ri - range.lowerBound
                    for k in 0..<t {
                        let v = scores[w * t + k]
                        let slot = local * t + k
                        if counts[local] == 0 { result[slot] = v }
                        else if self.options.tile == .max { result[slot] = Swift.max(result[slot], v) }
                        else { result[slot] += v }
                    }
                    counts[local] += 1
                }
                if self.options.tile == .mean {
                    for local in 0..<range.count where counts[local] > 1 {
                        for k in 0..<t { result[local * t + k] /= Float(counts[local]) }
                    }
                }
                return (range, result, padded)
            },
            emit: { (range, result, padded) in
                for (i, v) in result.enumerated() { out[range.lowerBound * t + i] = v }
                self.paddedWindows += padded
                progress?.advance(by: range.count)
            })
        return out
    }
}
