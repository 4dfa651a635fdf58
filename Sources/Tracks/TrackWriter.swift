/// Where scores go: a sorted, non-overlapping stream of intervals with values.
public protocol TrackWriter: AnyObject {
    /// Appends one interval; throws when it would break the track's order or bounds.
    func add(_ chrom: String, _ start: Int, _ end: Int, _ value: Float) throws
    /// Appends intervals of one chromosome in order, each checked as `add` checks it (a writer
    /// may compose them in bulk).
    func add(_ chrom: String, runs: [(start: Int, end: Int, value: Float)]) throws
    /// Completes the file and renames it into place.
    func finish() throws
    /// Discards the output.
    func abort()
}

extension TrackWriter {
    public func add(_ chrom: String, runs: [(start: Int, end: Int, value: Float)]) throws {
        for r in runs { try add(chrom, r.start, r.end, r.value) }
    }
}

/// Track file formats.
public enum TrackFormat: String, Sendable, CaseIterable {
    case bedgraph
    case bigwig

    /// The format a file name implies: `.bw`/`.bigWig`/`.bigwig` is bigWig, anything else bedGraph.
    public static func fromName(_ path: String) -> TrackFormat {
        let lower = path.lowercased()
        return lower.hasSuffix(".bw") || lower.hasSuffix(".bigwig") ? .bigwig : .bedgraph
    }

    /// The extension of files of this format: `bw` or `bedGraph`.
    public var fileExtension: String { self == .bigwig ? "bw" : "bedGraph" }
}

/// Opens a writer of `format` at `path`. `trackLine` (bedGraph only) is written first;
/// `comments` are `#` lines after it.
public func makeTrackWriter(path: String, format: TrackFormat, genome: TrackGenome,
                            trackLine: String? = nil, comments: [String] = []) throws -> TrackWriter {
    switch format {
    case .bedgraph: return try BedGraphWriter(path: path, genome: genome, trackLine: trackLine, comments: comments)
    case .bigwig: return try BigWigWriter(path: path, genome: genome)
    }
}
