import Genome

/// Where regions come from: an interval file, or region strings given on the command line.
public enum RegionSource: Sendable {
    /// A BED or narrowPeak file (`-` for stdin), optionally restricted to one region.
    case file(path: String, format: IntervalFormat, region: GenomicRegion?)
    /// Region strings, already parsed.
    case regions([GenomicRegion])
}

/// Streams the intervals of a list of sources, in order.
final class RegionStream {
    private var sources: [RegionSource]
    private var reader: IntervalReader?
    private var pending: [Interval] = []
    private let fasta: FastaFile
    /// The path of the file being read, for messages.
    private(set) var currentPath: String?

    init(sources: [RegionSource], fasta: FastaFile) {
        self.sources = sources.reversed()
        self.fasta = fasta
    }

    /// The next interval, or nil when every source is exhausted.
    func next() throws -> Interval? {
        while true {
            if let reader {
                if let i = try reader.next() { return i }
                self.reader = nil
            }
            if !pending.isEmpty { return pending.removeLast() }
            guard let source = sources.popLast() else { return nil }
            switch source {
            case .file(let path, let format, let region):
                currentPath = path == "-" ? "stdin" : path
                reader = try IntervalReader(path: path, format: format, region: region)
            case .regions(let regions):
                currentPath = nil
                pending = regions.map { $0.interval(contigLength: fasta.length(of: $0.chrom)) }.reversed()
            }
        }
    }
}
