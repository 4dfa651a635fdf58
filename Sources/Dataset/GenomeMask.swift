/// Sorted, merged intervals per contig, for "does this window touch a peak or an excluded
/// region" queries by binary search.
struct GenomeMask {
    /// Merged [start, end) intervals per contig index, sorted by start.
    private var intervals: [[(Int, Int)]]

    init(contigCount: Int) {
        intervals = Array(repeating: [], count: contigCount)
    }

    /// Adds [start, end), widened by `margin` on each side (zero-length intervals too).
    mutating func add(contig: Int, start: Int, end: Int, margin: Int = 0) {
        intervals[contig].append((start - margin, max(end, start + 1) + margin))
    }

    /// Sorts and merges; call once after every `add`.
    mutating func finish() {
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

    /// True when [start, end) overlaps a masked interval of `contig`.
    func overlaps(contig: Int, start: Int, end: Int) -> Bool {
        let list = intervals[contig]
        // First interval whose end is past `start`.
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid].1 <= start { lo = mid + 1 } else { hi = mid }
        }
        return lo < list.count && list[lo].0 < end
    }
}

/// Sorted positions per contig (peak summits), for "is there a summit in [a, b)" queries.
struct PositionIndex {
    private var positions: [[Int]]

    init(contigCount: Int) { positions = Array(repeating: [], count: contigCount) }

    mutating func add(contig: Int, position: Int) { positions[contig].append(position) }

    mutating func finish() { for c in positions.indices { positions[c].sort() } }

    /// True when some position of `contig` lies in [start, end).
    func contains(contig: Int, start: Int, end: Int) -> Bool {
        let list = positions[contig]
        var lo = 0, hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid] < start { lo = mid + 1 } else { hi = mid }
        }
        return lo < list.count && list[lo] < end
    }
}
