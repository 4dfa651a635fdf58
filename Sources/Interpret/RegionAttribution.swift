import Dataset
import Genome
import NeuralNet
import Pipeline

/// Attribution maps for regions: each region's model-length window centred on its summit (or
/// midpoint), bases past a chromosome end read as N; workers share one model and each own an
/// `Attributor` (its pass workspace) and a reader.
public final class RegionAttribution {
    public let fasta: FastaFile
    public let method: AttributionMethod
    public let center: Interval.Center
    private let attributors: [Attributor]
    private let readers: [FastaReader]

    /// `ismEngine`: how ISM scores its mutants; the incremental scorer is built once and shared
    /// by the workers (each keeps its own workspace).
    public init(fasta: FastaFile, method: AttributionMethod, task: Int, strandAverage: Bool, center: Interval.Center,
                threads: Int, ismEngine: ISMEngine = .incremental, model: Model) throws {
        self.fasta = fasta
        self.method = method
        self.center = center
        var attributors: [Attributor] = []
        var readers: [FastaReader] = []
        var scorer: IncrementalScorer?
        for _ in 0..<max(1, threads) {
            if method == .ism, ismEngine == .incremental, scorer == nil {
                scorer = try IncrementalScorer(model: model, strands: strandAverage ? .average : nil)
            }
            attributors.append(Attributor(model: model, task: task, strandAverage: strandAverage, ismEngine: ismEngine, scorer: scorer))
            readers.append(try fasta.makeReader())
        }
        self.attributors = attributors
        self.readers = readers
    }

    /// The model's input length.
    public var length: Int { attributors[0].model.architecture.inputLength }

    /// The window of each region.
    public func windows(_ regions: [Interval]) -> [Interval] { regions.map { $0.resized(to: length, around: center) } }

    /// Explains the windows of the regions of `regions` that `check` accepts (read from
    /// `source`, for messages), in order: regions on absent contigs or past a contig end are
    /// skipped there, and regions whose window holds more N than the policy's `maxN` (N
    /// padding past a contig end not counted) here; with a strict policy each is an error.
    /// `emit` receives, per region kept in input order, its window (contig renamed through
    /// the aliases), its codes (L) and its map (L x 4). Returns the warnings to print; fails
    /// when no region is left.
    public func run(_ regions: [Interval], check: RegionCheck, source: String, threads: Int, progress: ProgressReporter? = nil,
                    emit: (Interval, [UInt8], [Float]) throws -> Void) throws -> [String] {
        let l = length
        let wins = try check.accepted(regions, source: source).map {
            (window: $0.region.resized(to: l, around: center), contig: $0.contig, origin: regions[$0.row].origin(path: source))
        }
        progress?.advance(by: regions.count - wins.count)
        let policy = check.policy
        let per = method == .ism ? 1 : 32
        var next = 0
        try orderedParallelMap(
            threads: max(1, threads),
            next: { () -> Range<Int>? in
                guard next < wins.count else { return nil }
                let r = next..<min(wins.count, next + per)
                next = r.upperBound
                return r
            },
            transform: { (range: Range<Int>, worker: Int) -> ([Int], [UInt8], [Float], Int) in
                var codes: [UInt8] = []
                var kept: [Int] = []
                var nRich = 0
                for i in range {
                    let (w, c, origin) = wins[i]
                    let first = codes.count
                    try self.readers[worker].appendWindowCodes(to: &codes, contigIndex: c, start: w.start, length: l)
                    let inside = max(0, min(self.fasta.contigs[c].length, w.end) - max(0, w.start))
                    let n = codes[first...].reduce(0) { $0 + ($1 == BaseCode.unknown ? 1 : 0) } - (l - inside)
                    if try policy.tooManyN(n, window: w, origin: origin) {
                        codes.removeSubrange(first...)
                        nRich += 1
                    } else {
                        kept.append(i)
                    }
                }
                let maps = kept.isEmpty ? [] : self.attributors[worker].attribute(self.method, codes: codes, count: kept.count, length: l)
                return (kept, codes, maps, nRich)
            },
            emit: { (kept, codes, maps, nRich) in
                for (k, i) in kept.enumerated() {
                    try emit(wins[i].window, Array(codes[(k * l)..<((k + 1) * l)]), Array(maps[(k * l * 4)..<((k + 1) * l * 4)]))
                }
                check.add(tooManyN: nRich)
                progress?.advance(by: kept.count + nRich)
            })
        return try check.finish(source: source, windowLength: nil)
    }
}
