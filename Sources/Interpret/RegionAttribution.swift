import Dataset
import Genome
import NeuralNet
import Pipeline

/// Attribution maps for regions: each region's model-length window centred on its summit (or
/// midpoint), bases past a chromosome end read as N; workers each own a model and a reader.
public final class RegionAttribution {
    public let fasta: FastaFile
    public let method: AttributionMethod
    public let center: Interval.Center
    private let attributors: [Attributor]
    private let readers: [FastaReader]

    public init(fasta: FastaFile, method: AttributionMethod, task: Int, strandAverage: Bool, center: Interval.Center,
                threads: Int, loadModel: () throws -> Model) throws {
        self.fasta = fasta
        self.method = method
        self.center = center
        var attributors: [Attributor] = []
        var readers: [FastaReader] = []
        for _ in 0..<max(1, threads) {
            attributors.append(Attributor(model: try loadModel(), task: task, strandAverage: strandAverage))
            readers.append(try fasta.makeReader())
        }
        self.attributors = attributors
        self.readers = readers
    }

    /// The model's input length.
    public var length: Int { attributors[0].model.architecture.inputLength }

    /// The window of each region.
    public func windows(_ regions: [Interval]) -> [Interval] { regions.map { $0.resized(to: length, around: center) } }

    /// Scores the windows of `regions` (read from `source`, for messages; each must lie on a
    /// contig of the FASTA and inside it) in order; `emit` receives, per region in input order,
    /// its window, its codes (L) and its map (L x 4).
    public func run(_ regions: [Interval], source: String, threads: Int, progress: ProgressReporter? = nil,
                    emit: (Interval, [UInt8], [Float]) throws -> Void) throws {
        try fasta.checkRegions(regions, source: source)
        let l = length
        let wins = windows(regions)
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
            transform: { (range: Range<Int>, worker: Int) -> (Range<Int>, [UInt8], [Float]) in
                var codes: [UInt8] = []
                for i in range {
                    let c = self.fasta.contigIndex(wins[i].chrom) ?? 0
                    try self.readers[worker].appendWindowCodes(to: &codes, contigIndex: c, start: wins[i].start, length: l)
                }
                let maps = self.attributors[worker].attribute(self.method, codes: codes, count: range.count, length: l)
                return (range, codes, maps)
            },
            emit: { (range, codes, maps) in
                for (k, i) in range.enumerated() {
                    try emit(wins[i], Array(codes[(k * l)..<((k + 1) * l)]), Array(maps[(k * l * 4)..<((k + 1) * l * 4)]))
                }
                progress?.advance(by: range.count)
            })
    }
}
