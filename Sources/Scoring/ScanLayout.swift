import Genome

/// The window grid of a scan. Each chromosome is cut into `stride`-bp bins from its start,
/// [j * stride, j * stride + stride) (the last one clipped to the chromosome), and bin j is
/// scored by the window of the model's input length centred on it: the window starts at
/// j * stride + shift, shift = floor((stride - length) / 2). When length - stride is even the
/// bin's centre is exactly the window's centre, so for a model that gives x and its reverse
/// complement the same score, the scan of a reverse-complemented chromosome whose length is a
/// multiple of the stride is exactly the mirrored track. When it is odd, the window reaches one
/// base further to the left of the bin than to its right. Only bins whose window lies inside the
/// chromosome are scored; window k of a chromosome is the k-th of them.
public struct ScanGrid: Sendable, Equatable {
    public let length: Int
    public let stride: Int

    public init(length: Int, stride: Int) {
        self.length = length
        self.stride = stride
    }

    /// Window start minus bin start: floor((stride - length) / 2).
    public var shift: Int { floorDiv(stride - length, 2) }

    /// The first bin whose window starts inside the chromosome.
    public var firstBin: Int { shift >= 0 ? 0 : ceilDiv(-shift, stride) }

    /// The start of window k (on any chromosome).
    public func windowStart(_ k: Int) -> Int { (firstBin + k) * stride + shift }

    /// Windows that fit in a chromosome of `n` bases.
    public func windowCount(_ n: Int) -> Int {
        let room = n - length - windowStart(0)
        return room >= 0 ? room / stride + 1 : 0
    }

    /// The bin of window k on a chromosome of `n` bases.
    public func bin(_ k: Int, chromLength n: Int) -> (start: Int, end: Int) {
        let s = (firstBin + k) * stride
        return (s, Swift.min(s + stride, n))
    }

    /// Window indices whose bins overlap [start, end), clamped to the `count` windows.
    public func windows(overlapping start: Int, _ end: Int, count: Int) -> Range<Int> {
        let lo = floorDiv(start, stride) - firstBin
        let hi = ceilDiv(end, stride) - firstBin
        let a = Swift.max(0, lo), b = Swift.min(count, hi)
        return a < b ? a..<b : 0..<0
    }

    private func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
    private func ceilDiv(_ a: Int, _ b: Int) -> Int { -floorDiv(-a, b) }
}

/// A run of consecutive windows on one chromosome: window indices [first, end).
public struct WindowRun: Sendable, Equatable {
    /// The FASTA contig index.
    public let contig: Int
    public let first: Int
    public let end: Int

    public init(contig: Int, first: Int, end: Int) {
        self.contig = contig
        self.first = first
        self.end = end
    }

    public var count: Int { end - first }
}

/// Which windows a scan covers, in track order (chromosomes by name in byte order).
public enum ScanLayout {
    /// Every window of the chosen chromosomes (`chroms` nil: all), or with `regions` only the
    /// windows whose bins overlap a region. Unknown chromosome names throw.
    public static func runs(fasta: FastaFile, grid: ScanGrid, chroms: [String]?, regions: [Interval]?) throws -> [WindowRun] {
        var chosen = fasta.contigs.indices.map { $0 }
        if let chroms {
            chosen = try chroms.map { name in
                guard let i = fasta.contigIndex(name) else { throw GenomeError.unknownContig(name: name, path: fasta.path) }
                return i
            }
            chosen = Array(Set(chosen))
        }
        chosen.sort { fasta.contigs[$0].name.utf8.lexicographicallyPrecedes(fasta.contigs[$1].name.utf8) }
        var byContig: [Int: [Range<Int>]] = [:]
        if let regions {
            for r in regions {
                guard let i = fasta.contigIndex(r.chrom) else {
                    throw GenomeError.unknownContig(name: r.chrom, path: fasta.path)
                }
                let count = grid.windowCount(fasta.contigs[i].length)
                let w = grid.windows(overlapping: r.start, r.end, count: count)
                if !w.isEmpty { byContig[i, default: []].append(w) }
            }
        }
        var runs: [WindowRun] = []
        for i in chosen {
            let count = grid.windowCount(fasta.contigs[i].length)
            guard count > 0 else { continue }
            guard regions != nil else {
                runs.append(WindowRun(contig: i, first: 0, end: count))
                continue
            }
            // Merge the regions' window ranges.
            let ranges = (byContig[i] ?? []).sorted { $0.lowerBound < $1.lowerBound }
            var current: Range<Int>?
            for r in ranges {
                if let c = current, r.lowerBound <= c.upperBound {
                    current = c.lowerBound..<Swift.max(c.upperBound, r.upperBound)
                } else {
                    if let c = current { runs.append(WindowRun(contig: i, first: c.lowerBound, end: c.upperBound)) }
                    current = r
                }
            }
            if let c = current { runs.append(WindowRun(contig: i, first: c.lowerBound, end: c.upperBound)) }
        }
        return runs
    }

    /// `runs` cut into jobs of at most `maxWindows` windows. With `shard` (part, parts), only
    /// the jobs holding windows of that part, each still computing all its windows but writing
    /// only the part's: a window's score then never depends on where shards are cut, and
    /// sharded runs merge into the unsharded track byte for byte.
    public static func jobs(_ runs: [WindowRun], maxWindows: Int, shard: (part: Int, parts: Int)? = nil) -> [ScanJob] {
        let total = runs.reduce(0) { $0 + $1.count }
        let (lo, hi) = shard.map { (total * $0.part / $0.parts, total * ($0.part + 1) / $0.parts) } ?? (0, total)
        var out: [ScanJob] = []
        var offset = 0
        for r in runs {
            var a = r.first
            while a < r.end {
                let b = Swift.min(r.end, a + Swift.max(1, maxWindows))
                let g0 = offset + a - r.first
                let e0 = Swift.max(lo, g0), e1 = Swift.min(hi, g0 + b - a)
                if e0 < e1 {
                    out.append(ScanJob(run: WindowRun(contig: r.contig, first: a, end: b), write: (a + e0 - g0)..<(a + e1 - g0)))
                }
                a = b
            }
            offset += r.count
        }
        return out
    }
}

/// One parallel job of a scan: the windows it computes and the windows it writes.
public struct ScanJob: Sendable, Equatable {
    public let run: WindowRun
    /// Window indices written (within `run`).
    public let write: Range<Int>
}
