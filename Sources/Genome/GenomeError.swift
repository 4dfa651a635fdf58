/// Errors raised while reading genomes and interval files.
///
/// Every case carries its context (path, line, region); `description` reads
/// `<what>: <where>`, the form the CLI prints after `crick: error: `.
public enum GenomeError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but could not be opened or read.
    case unreadable(path: String, reason: String)
    /// A FASTA file compressed with plain gzip, which cannot be indexed.
    case plainGzip(path: String)
    /// A bgzip file that lacks its end-of-file block.
    case truncated(path: String)
    /// The FASTA index could not be built; `detail` says why (ragged lines, ...).
    case indexBuild(path: String, detail: String)
    /// The FASTA index is missing and its directory is not writable.
    case indexNotWritable(path: String, directory: String)
    /// The FASTA index does not describe the file (the file changed after indexing).
    case staleIndex(path: String, detail: String)
    /// A contig name absent from the FASTA.
    case unknownContig(name: String, path: String)
    /// Coordinates outside a contig (0-based half-open).
    case outOfBounds(contig: String, start: Int, end: Int, length: Int)
    /// A malformed line in a text input.
    case malformedLine(path: String, line: Int, detail: String)
    /// A region string (`chr:start-end`) that does not parse.
    case badRegion(region: String, detail: String)
    /// An htslib call failed.
    case htslib(path: String, call: String, code: Int)
    /// A region that cannot be used (absent contig, past a contig end, too much N), or a run
    /// left with none; `origin` is the file and line, the region, or the file.
    case unusableRegion(origin: String, detail: String)

    public var description: String {
        switch self {
        case .fileNotFound(let path):
            return "no such file: \(path)"
        case .unreadable(let path, let reason):
            return "cannot read file (\(reason)): \(path)"
        case .plainGzip(let path):
            return "FASTA is compressed with plain gzip, which cannot be indexed; recompress it with bgzip (zcat FILE | bgzip > FILE.bgz): \(path)"
        case .truncated(let path):
            return "truncated bgzip file (no end-of-file block): \(path)"
        case .indexBuild(let path, let detail):
            return "cannot index FASTA, \(detail): \(path)"
        case .indexNotWritable(let path, let directory):
            return "FASTA has no index and its directory \(directory) is not writable; run 'samtools faidx' on a writable copy, or copy the FASTA somewhere writable: \(path)"
        case .staleIndex(let path, let detail):
            return "FASTA index does not match the file (\(detail)); the FASTA changed after indexing, delete the .fai and rerun: \(path)"
        case .unknownContig(let name, let path):
            return "contig '\(name)' is not in the FASTA: \(path)"
        case .outOfBounds(let contig, let start, let end, let length):
            return "region \(start)-\(end) is outside contig \(contig) of length \(length): \(contig):\(start + 1)-\(end)"
        case .malformedLine(let path, let line, let detail):
            return "\(detail): \(path) line \(line)"
        case .badRegion(let region, let detail):
            return "\(detail): region '\(region)'"
        case .htslib(let path, let call, let code):
            return "htslib \(call) failed with code \(code): \(path)"
        case .unusableRegion(let origin, let detail):
            return "\(detail): \(origin)"
        }
    }
}
