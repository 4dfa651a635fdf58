/// Sorted, merged intervals per contig, for "does this window touch a peak or an excluded
/// region" queries by binary search.
public struct GenomeMask: Sendable {
    /// Merged [start, end) intervals per contig index, sorted by start.
    private var intervals: [[(Int, Int)]]

    public init(contigCount: Int) {
        intervals = Array(repeating: [], count: contigCount)
    }

    /// The intervals of a BED file, on the contigs of `fasta` (through `aliases`); intervals
    /// on other contigs are counted in `absent`, or an error naming the line when `strict`.
    public init(bed path: String, fasta: FastaFile, aliases: ContigAliases = ContigAliases(), strict: Bool = false) throws {
        self.init(contigCount: fasta.contigs.count)
        let reader = try IntervalReader(path: path, format: .bed)
        while let r = try reader.next() {
            guard let c = fasta.contigIndex(r.chrom) ?? aliases.target(of: r.chrom).flatMap(fasta.contigIndex) else {
                if strict { throw GenomeError.malformedLine(path: path, line: r.line, detail: "contig '\(r.chrom)' is not in the FASTA \(fasta.path)") }
                absent += 1
                continue
            }
            add(contig: c, start: r.start, end: r.end)
        }
        finish()
    }

    /// Intervals read from a BED file whose contig is not in the FASTA.
    public private(set) var absent = 0

    /// Adds [start, end), widened by `margin` on each side (zero-length intervals too).
    public mutating func add(contig: Int, start: Int, end: Int, margin: Int = 0) {
        intervals[contig].append((start - margin, max(end, start + 1) + margin))
    }

    /// Adds every interval of `other` (on the same contigs).
    public mutating func add(_ other: GenomeMask) {
        for c in intervals.indices where c < other.intervals.count { intervals[c] += other.intervals[c] }
    }

    /// Sorts and merges; call once after every `add`.
    public mutating func finish() {
        for c in intervals.indices {
            let sorted = intervals[c].sorted { $0.0 < $1.0 }
            var merged: [(Int, Int)] = []
            for iv in sorted {
                if let last = merged.last, iv.0 <= last.1 {
                    merged[merged.count - 1].1 = max(last.1, iv.1)
                } else {
                    merged.append(iv)
                }
            }
            intervals[c] = merged
        }
    }

    /// The index of the first interval of `contig` whose end is past `start`.
    private func firstEnding(after start: Int, _ list: [(Int, Int)]) -> Int {
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid].1 <= start { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// True when [start, end) overlaps a masked interval of `contig`.
    public func overlaps(contig: Int, start: Int, end: Int) -> Bool {
        let list = intervals[contig]
        let i = firstEnding(after: start, list)
        return i < list.count && list[i].0 < end
    }

    /// True when [start, end) lies inside one masked interval of `contig`.
    public func contains(contig: Int, start: Int, end: Int) -> Bool {
        let list = intervals[contig]
        let i = firstEnding(after: start, list)
        return i < list.count && list[i].0 <= start && end <= list[i].1
    }

    /// The first interval of this mask that overlaps one of `other`'s, if any.
    public func firstOverlap(with other: GenomeMask) -> (contig: Int, start: Int, end: Int)? {
        for c in intervals.indices {
            for r in intervals[c] where other.overlaps(contig: c, start: r.0, end: r.1) { return (c, r.0, r.1) }
        }
        return nil
    }

    /// The intervals as `contig:start-end` strings.
    public func names(_ contigNames: [String]) -> [String] {
        intervals.indices.flatMap { c in intervals[c].map { "\(contigNames[c]):\($0.0)-\($0.1)" } }
    }
}

/// Sorted positions per contig (peak summits), for "is there a summit in [a, b)" queries.
public struct PositionIndex: Sendable {
    private var positions: [[Int]]

    public init(contigCount: Int) { positions = Array(repeating: [], count: contigCount) }

    public mutating func add(contig: Int, position: Int) { positions[contig].append(position) }

    public mutating func finish() { for c in positions.indices { positions[c].sort() } }

    /// True when some position of `contig` lies in [start, end).
    public func contains(contig: Int, start: Int, end: Int) -> Bool {
        let list = positions[contig]
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid] < start { lo = mid + 1 } else { hi = mid }
        }
        return lo < list.count && list[lo] < end
    }
}
