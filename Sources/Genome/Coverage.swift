/// What `crick coverage` counts at each base.
public enum CoverageMode: String, Sendable, CaseIterable {
    /// The aligned span of each read, or the whole of each fragment.
    case span
    /// The 5' end of each read (1 bp), as bedtools genomecov -5.
    case fivePrime = "five-prime"
    /// Both ends of each fragment (or the 5' end of each read), 1 bp each: Tn5 insertion sites.
    case insertions
}

/// How reads and fragments become coverage.
public struct CoverageOptions: Sendable {
    public var mode = CoverageMode.span
    /// Reads: extend each to this many bases in its direction (bedtools genomecov -fs).
    public var extend: Int?
    /// Only reads of this strand ("+" or "-"); nil: both.
    public var strand: Character?
    /// Reads whose flag has any of these bits are skipped (default: unmapped, secondary, QC
    /// failed, duplicate, supplementary: 0xF04, as samtools view -F 0xF04).
    public var excludeFlags: UInt16 = 0xF04
    /// Reads below this mapping quality are skipped.
    public var minMapq = 0
    /// Insertions: shift the start of a fragment (and a forward read's 5' end) by +4 and the
    /// end of a fragment (a reverse read's 5' end) by -5, the Tn5 offsets of ATAC-seq.
    public var tn5Shift = false

    public init() {}
}

/// Per-contig coverage built from intervals with weights: events (position, +w or -w) swept in
/// order into maximal runs of one value. Memory grows with the intervals added, not with the
/// genome.
public struct CoverageBuilder: Sendable {
    /// Contig lengths (intervals are clipped to them).
    public let lengths: [Int]
    /// Events per contig, each position << 1 | 1 for a start and position << 1 for an end, so
    /// that a plain integer sort orders them (positions are at most 2^60).
    private var events: [[Int]]
    /// One-base sites per contig (5' ends, insertion sites): one position each, half the
    /// events an interval needs, swept by counting equal positions.
    private var sites: [[Int]]
    /// Intervals added (reads or fragments counted; insertion pairs count once).
    public private(set) var counted = 0

    public init(lengths: [Int]) {
        self.lengths = lengths
        events = Array(repeating: [], count: lengths.count)
        sites = Array(repeating: [], count: lengths.count)
    }

    /// Adds the one-base interval [position, position + 1) on `contig`; nothing when it lies
    /// outside the contig.
    public mutating func addSite(contig: Int, position p: Int) {
        guard p >= 0, p < lengths[contig] else { return }
        sites[contig].append(p)
    }

    /// Adds [start, end) on `contig`, clipped to the contig; empty spans add nothing.
    public mutating func add(contig: Int, start: Int, end: Int) {
        let s = max(0, start), e = min(end, lengths[contig])
        guard s < e else { return }
        events[contig].append(s << 1 | 1)
        events[contig].append(e << 1)
    }

    /// Counts one read or fragment (for per-million scaling).
    public mutating func count() { counted += 1 }

    /// The runs of `contig`: (start, end, value), maximal, in order, zero runs left out.
    public func runs(contig: Int) -> [(start: Int, end: Int, value: Int)] {
        if events[contig].isEmpty { return CoverageBuilder.siteRuns(CoverageBuilder.radixSorted(sites[contig])) }
        var all = events[contig]
        if !sites[contig].isEmpty {
            all.reserveCapacity(all.count + 2 * sites[contig].count)
            for p in sites[contig] { all.append(p << 1 | 1); all.append((p + 1) << 1) }
        }
        let list = CoverageBuilder.radixSorted(all)
        var out: [(start: Int, end: Int, value: Int)] = []
        var depth = 0, i = 0, previous = 0
        while i < list.count {
            let p = list[i] >> 1
            if depth != 0 && p > previous {
                if let last = out.last, last.end == previous, last.value == depth {
                    out[out.count - 1].end = p
                } else {
                    out.append((previous, p, depth))
                }
            }
            while i < list.count && list[i] >> 1 == p {
                depth += list[i] & 1 == 1 ? 1 : -1
                i += 1
            }
            previous = p
        }
        return out
    }

    /// The runs of sorted one-base sites: each position's count, equal neighbours merged.
    static func siteRuns(_ sorted: [Int]) -> [(start: Int, end: Int, value: Int)] {
        var out: [(start: Int, end: Int, value: Int)] = []
        var i = 0
        while i < sorted.count {
            let p = sorted[i]
            var n = 0
            while i < sorted.count && sorted[i] == p { n += 1; i += 1 }
            if let last = out.last, last.end == p, last.value == n {
                out[out.count - 1].end = p + 1
            } else {
                out.append((p, p + 1, n))
            }
        }
        return out
    }

    /// The values (>= 0) in ascending order: a least-significant-digit radix sort on 11-bit
    /// digits, as many passes as the largest value needs (3 for a 2^30-base contig's events),
    /// stable and linear in the count, where a comparison sort takes log2(n) passes.
    static func radixSorted(_ values: [Int]) -> [Int] {
        guard values.count > 64, let top = values.max(), values.allSatisfy({ $0 >= 0 }) else { return values.sorted() }
        let bits = 11, radix = 1 << bits, mask = radix - 1
        var a = values, b = [Int](repeating: 0, count: values.count)
        var shift = 0
        var counts = [Int](repeating: 0, count: radix)
        while shift < Int.bitWidth && top >> shift > 0 {
            a.withUnsafeBufferPointer { src in
                b.withUnsafeMutableBufferPointer { dst in
                    counts.withUnsafeMutableBufferPointer { c in
                        c.update(repeating: 0)
                        for v in src { c[(v >> shift) & mask] += 1 }
                        var sum = 0
                        for d in 0..<radix { let k = c[d]; c[d] = sum; sum += k }
                        for v in src {
                            let d = (v >> shift) & mask
                            dst[c[d]] = v
                            c[d] += 1
                        }
                    }
                }
            }
            swap(&a, &b)
            shift += bits
        }
        return a
    }

    /// Adds one read per `options` (its span, 5' end, extension or insertion site); returns
    /// false when the read is filtered out.
    @discardableResult
    public mutating func add(_ r: AlignmentRecord, options o: CoverageOptions) -> Bool {
        guard r.contig >= 0, r.flag & o.excludeFlags == 0, Int(r.mapq) >= o.minMapq else { return false }
        if let strand = o.strand, (strand == "-") != r.isReverse { return false }
        count()
        switch o.mode {
        case .span:
            if let n = o.extend {
                if r.isReverse { add(contig: r.contig, start: r.end - n, end: r.end) } else { add(contig: r.contig, start: r.start, end: r.start + n) }
            } else {
                add(contig: r.contig, start: r.start, end: r.end)
            }
        case .fivePrime, .insertions:
            var p = r.isReverse ? r.end - 1 : r.start
            if o.mode == .insertions && o.tn5Shift { p += r.isReverse ? -4 : 4 }
            addSite(contig: r.contig, position: p)
        }
        return true
    }

    /// Adds one fragment [start, end) per `options`: its span, or its two insertion sites.
    public mutating func addFragment(contig: Int, start: Int, end: Int, options o: CoverageOptions) {
        count()
        switch o.mode {
        case .span: add(contig: contig, start: start, end: end)
        case .fivePrime, .insertions:
            let a = start + (o.tn5Shift ? 4 : 0), b = end - 1 - (o.tn5Shift ? 4 : 0)
            addSite(contig: contig, position: a)
            addSite(contig: contig, position: b)
        }
    }
}
