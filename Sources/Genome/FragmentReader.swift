/// Streams fragments from BED-like files (chrom, start, end, ...: MACS3's BEDPE, 10x Genomics'
/// fragments.tsv) and from true BEDPE (chrom1, start1, end1, chrom2, start2, end2, ...: the
/// fragment runs from start1 to end2); plain, gzip or bgzip; `#`, track and browser lines
/// skipped.
public final class FragmentReader {
    public let path: String
    private let lines: TextLineReader
    private var splitter = FieldSplitter()
    private var lastChrom = ""
    private var lastChromBytes: [UInt8] = []
    /// True BEDPE (decided at the first data line).
    private var bedpe: Bool?
    /// Pairs with an unplaced mate (true BEDPE: '.' contig or -1 coordinates) skipped so far.
    public private(set) var unplaced = 0
    /// Pairs on two contigs (true BEDPE) skipped so far.
    public private(set) var crossContig = 0

    public init(path: String) throws {
        self.path = path
        lines = try TextLineReader(path: path)
    }

    /// The next fragment (chrom, start, end), or nil at the end; a malformed line is an error
    /// naming it.
    public func next() throws -> Interval? {
        while true {
            let parsed: Interval?? = try lines.withNextLine { bytes -> Interval? in
                var line = bytes
                if line.last == UInt8(ascii: "\r") { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
                if IntervalParser.isHeader(line) { return nil }
                splitter.split(line)
                let n = lines.lineNumber
                if bedpe == nil {
                    // Decided on the first data line: true BEDPE has six or more fields with
                    // integers in the start and end columns of both mates (BED6+ has a strand
                    // in field 6, 10x fragments five fields).
                    bedpe = splitter.count >= 6 && [1, 2, 4, 5].allSatisfy { IntervalParser.integer(splitter.field($0)) != nil }
                }
                if bedpe == true {
                    // True BEDPE: the fragment spans the two mates; a pair with an unplaced mate
                    // ('.' contig or -1 coordinates) or mates on two contigs is skipped and counted.
                    guard splitter.count >= 6, let s2 = IntervalParser.integer(splitter.field(4)), let e2 = IntervalParser.integer(splitter.field(5)) else {
                        throw GenomeError.malformedLine(path: path, line: n, detail: "a BEDPE line needs chrom1, start1, end1, chrom2, start2, end2")
                    }
                    if splitter.string(0) == "." || splitter.string(3) == "." || s2 < 0 || IntervalParser.integer(splitter.field(1)).map({ $0 < 0 }) == true {
                        unplaced += 1
                        return nil
                    }
                    let first = try IntervalParser.parse(splitter, format: .bed, path: path, lineNumber: n)
                    guard splitter.string(3) == first.chrom else { crossContig += 1; return nil }
                    guard s2 >= 0, e2 >= s2, e2 <= Interval.maxCoordinate else {
                        throw GenomeError.malformedLine(path: path, line: n, detail: "second mate \(s2)-\(e2) is not a valid span")
                    }
                    let start = min(first.start, s2), end = max(first.end, e2)
                    return Interval(chrom: first.chrom, start: start, end: end, line: n)
                }
                // The usual line: the contig of the line before (its String reused), two
                // plain integers; anything else goes through the full parser and its errors.
                if splitter.count >= 3, let start = IntervalParser.integer(splitter.field(1)), let end = IntervalParser.integer(splitter.field(2)),
                   start >= 0, end >= start, end <= Interval.maxCoordinate, !lastChromBytes.isEmpty, splitter.field(0).elementsEqual(lastChromBytes) {
                    return Interval(chrom: lastChrom, start: start, end: end, line: n)
                }
                let interval = try IntervalParser.parse(splitter, format: .bed, path: path, lineNumber: n)
                lastChrom = interval.chrom
                lastChromBytes = Array(splitter.field(0))
                return interval
            }
            guard let result = parsed else { return nil }
            if let interval = result { return interval }
        }
    }
}
