/// A genomic interval, 0-based half-open, with the optional parts of BED and narrowPeak.
public struct Interval: Sendable, Equatable {
    /// Contig name.
    public var chrom: String
    /// 0-based start.
    public var start: Int
    /// End (exclusive).
    public var end: Int
    /// BED name column, when present and not ".".
    public var name: String?
    /// The summit as an absolute 0-based position (narrowPeak column 10); nil when absent or -1.
    public var summit: Int?
    /// 1-based line number in the source file (0 for region strings).
    public var line: Int
    /// The value of the score column an `IntervalReader` was asked to read (`scoreColumn`).
    public var score: Double?

    /// The largest coordinate (and window length) any crick reader accepts: 2^60, far above
    /// any genome (htslib's own limit is about 2^63). Every reader of coordinates and every
    /// length flag enforces it, so that a start, end or summit plus or minus a length can
    /// never overflow.
    public static let maxCoordinate = 1 << 60

    public init(chrom: String, start: Int, end: Int, name: String? = nil, summit: Int? = nil, line: Int = 0) {
        self.chrom = chrom
        self.start = start
        self.end = end
        self.name = name
        self.summit = summit
        self.line = line
    }

    /// Length in bases.
    public var length: Int { end - start }

    /// The midpoint (rounded down), as bedtools and MACS compute it.
    public var midpoint: Int { start + (end - start) / 2 }

    /// Where a window is centred on this interval.
    public enum Center: String, Sendable, CaseIterable {
        /// The narrowPeak summit, or the midpoint when there is none.
        case summit
        /// The midpoint.
        case midpoint
    }

    /// The position a window is centred on.
    public func center(_ mode: Center) -> Int {
        switch mode {
        case .summit: return summit ?? midpoint
        case .midpoint: return midpoint
        }
    }

    /// A window of `length` bases centred on `center(mode)`: [c - length/2, c - length/2 + length).
    /// The result may run past the contig; callers check bounds.
    public func resized(to length: Int, around mode: Center) -> Interval {
        let c = center(mode)
        var r = self
        r.start = c - length / 2
        r.end = r.start + length
        r.summit = nil
        return r
    }

    /// `chrom:start-end` with a 0-based start, as `bedtools getfasta` names sequences.
    public var bedName: String { "\(chrom):\(start)-\(end)" }
}
