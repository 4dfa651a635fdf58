/// A region given on the command line, `chr`, `chr:start` or `chr:start-end`, 1-based and
/// inclusive as in samtools; `{name}:start-end` quotes contig names that contain `:`.
public struct GenomicRegion: Sendable, Equatable {
    /// Contig name.
    public let chrom: String
    /// 0-based start.
    public let start: Int
    /// Exclusive end; nil means the end of the contig.
    public let end: Int?

    public init(chrom: String, start: Int, end: Int?) {
        self.chrom = chrom
        self.start = start
        self.end = end
    }

    /// Parses `text`. `isContig` resolves names that themselves contain `:` (such as
    /// `HLA-A*01:01`): when the whole text is a contig, the region is that whole contig.
    public static func parse(_ text: String, isContig: (String) -> Bool = { _ in false }) throws -> GenomicRegion {
        func fail(_ why: String) -> GenomeError { .badRegion(region: text, detail: why) }
        guard !text.isEmpty else { throw fail("empty region") }
        var name: Substring
        var range: Substring?
        if text.hasPrefix("{") {
            guard let close = text.firstIndex(of: "}") else { throw fail("unclosed '{' in region") }
            name = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw fail("expected ':' after '}'") }
                range = rest.dropFirst()
            }
        } else if isContig(text) {
            name = Substring(text)
        } else if let colon = text.lastIndex(of: ":") {
            name = text[..<colon]
            range = text[text.index(after: colon)...]
        } else {
            name = Substring(text)
        }
        guard !name.isEmpty else { throw fail("empty contig name") }
        guard let range, !range.isEmpty else { return GenomicRegion(chrom: String(name), start: 0, end: nil) }
        let cleaned = range.filter { $0 != "," }
        let parts = cleaned.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let begin1 = Int(parts[0]), begin1 >= 1 else {
            throw fail("start must be a positive integer (regions are 1-based)")
        }
        let limit = Interval.maxCoordinate
        guard begin1 <= limit else { throw fail("start \(begin1) exceeds the largest coordinate crick accepts (\(limit))") }
        if parts.count == 1 { return GenomicRegion(chrom: String(name), start: begin1 - 1, end: nil) }
        if parts[1].isEmpty { return GenomicRegion(chrom: String(name), start: begin1 - 1, end: nil) }
        guard let end1 = Int(parts[1]) else { throw fail("end '\(parts[1])' is not an integer") }
        guard end1 >= begin1 else { throw fail("end \(end1) is before start \(begin1)") }
        guard end1 <= limit else { throw fail("end \(end1) exceeds the largest coordinate crick accepts (\(limit))") }
        return GenomicRegion(chrom: String(name), start: begin1 - 1, end: end1)
    }

    /// The region as an interval, given the contig's length for an open end.
    public func interval(contigLength: Int?) -> Interval {
        Interval(chrom: chrom, start: start, end: end ?? max(contigLength ?? start, start))
    }

    /// True when `interval` overlaps this region (zero-length intervals count when inside).
    public func overlaps(_ interval: Interval) -> Bool {
        guard interval.chrom == chrom else { return false }
        let e = end ?? Int.max
        if interval.start == interval.end { return interval.start >= start && interval.start < e }
        return interval.start < e && interval.end > start
    }
}
