import Dataset
import Genome
import NeuralNet
import Pipeline

/// One window's attribution: its map and, for contribution scores, the hypothetical
/// contributions and the completeness delta.
public struct WindowAttribution: Sendable {
    /// (L, 4)
    public var map: [Float]
    /// (L, 4), for `deepliftshap` and `integrated-gradients`.
    public var hypothetical: [Float]?
    /// |sum of contributions - (f(x) - f(reference))|, the largest over the references.
    public var delta: Float?

    public init(map: [Float], hypothetical: [Float]? = nil, delta: Float? = nil) {
        self.map = map
        self.hypothetical = hypothetical
        self.delta = delta
    }
}

/// Attribution maps for regions: each region's model-length window centred on its summit (or
/// midpoint), bases past a chromosome end read as N; workers share one model and each own an
/// `Attributor` (its pass workspace) and a reader.
public final class RegionAttribution {
    public let fasta: FastaFile
    public let method: AttributionMethod
    public let center: Interval.Center
    /// References, seed and steps of the contribution scores.
    public let settings: ContributionSettings
    private let attributors: [Attributor]
    private let readers: [FastaReader]

    /// `ismEngine`: how ISM scores its mutants; the incremental scorer is built once and shared
    /// by the workers (each keeps its own workspace).
    public init(fasta: FastaFile, method: AttributionMethod, task: Int, strandAverage: Bool, center: Interval.Center,
                threads: Int, ismEngine: ISMEngine = .incremental, settings: ContributionSettings = ContributionSettings(), model: Model) throws {
        self.fasta = fasta
        self.method = method
        self.center = center
        self.settings = settings
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
    /// the aliases), its codes (L) and its attribution. Returns the warnings to print; fails
    /// when no region is left.
    public func run(_ regions: [Interval], check: RegionCheck, source: String, threads: Int, progress: ProgressReporter? = nil,
                    emit: (Interval, [UInt8], WindowAttribution) throws -> Void) throws -> [String] {
        let l = length
        let wins = try check.accepted(regions, source: source).map {
            (window: $0.region.resized(to: l, around: center), contig: $0.contig, origin: regions[$0.row].origin(path: source), row: $0.row)
        }
        progress?.advance(by: regions.count - wins.count)
        let policy = check.policy
        let per = method == .saliency ? 32 : 1
        var next = 0
        try orderedParallelMap(
            threads: max(1, threads),
            next: { () -> Range<Int>? in
                guard next < wins.count else { return nil }
                let r = next..<min(wins.count, next + per)
                next = r.upperBound
                return r
            },
            transform: { (range: Range<Int>, worker: Int) -> ([Int], [UInt8], [WindowAttribution], Int) in
                var codes: [UInt8] = []
                var kept: [Int] = []
                var nRich = 0
                for i in range {
                    let (w, c, origin, _) = wins[i]
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
                let attributor = self.attributors[worker]
                var results: [WindowAttribution] = []
                if kept.isEmpty {
                    results = []
                } else if self.method.hasHypothetical {
                    results = attributor.contributions(self.method, codes: codes, count: kept.count, length: l,
                                                       rows: kept.map { wins[$0].row }, settings: self.settings)
                        .map { WindowAttribution(map: $0.map, hypothetical: $0.hypothetical, delta: $0.delta) }
                } else {
                    let maps = attributor.attribute(self.method, codes: codes, count: kept.count, length: l)
                    results = (0..<kept.count).map { WindowAttribution(map: Array(maps[($0 * l * 4)..<(($0 + 1) * l * 4)])) }
                }
                return (kept, codes, results, nRich)
            },
            emit: { (kept, codes, results, nRich) in
                for (k, i) in kept.enumerated() {
                    try emit(wins[i].window, Array(codes[(k * l)..<((k + 1) * l)]), results[k])
                }
                check.add(tooManyN: nRich)
                progress?.advance(by: kept.count + nRich)
            })
        return try check.finish(source: source, windowLength: nil)
    }
}
