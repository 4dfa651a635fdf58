/// Errors raised while writing or reading score tracks.
///
/// `description` reads `<what>: <where>`, the form the CLI prints after `crick: error: `.
public enum TrackError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An interval that would make an invalid track (unsorted, overlapping, out of bounds).
    case invalidInterval(path: String, detail: String)
    /// A malformed line in a bedGraph input.
    case malformedLine(path: String, line: Int, detail: String)
    /// A libBigWig call failed.
    case bigWig(path: String, call: String)
    /// A file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// Writing failed (a full disk, an I/O error).
    case writeFailed(path: String, reason: String)
    /// Track inputs that do not fit together (shards missing, genomes differing).
    case mismatch(detail: String)

    public var description: String {
        switch self {
        case .invalidInterval(let path, let detail): return "\(detail): \(path)"
        case .malformedLine(let path, let line, let detail): return "\(detail): \(path) line \(line)"
        case .bigWig(let path, let call): return "libBigWig \(call) failed: \(path)"
        case .unreadable(let path, let reason): return "cannot read track (\(reason)): \(path)"
        case .writeFailed(let path, let reason): return "cannot write track (\(reason)): \(path)"
        case .mismatch(let detail): return detail
        }
    }
}
