import CHTSlib

/// Streams the intervals of a BED or narrowPeak file (plain, gzip or bgzip, `-` for stdin).
///
/// Skips blank, `#`, `track` and `browser` lines; CRLF line ends are accepted. With a
/// `region`, only intervals overlapping it are returned: through the tabix index when the
/// file has one (`.tbi` or `.csi`), otherwise by scanning the whole file.
public final class IntervalReader {
    /// The path as given.
    public let path: String
    /// The format in use; `.auto` resolves at the first data line.
    public private(set) var format: IntervalFormat
    private let lines: TextLineReader?
    private let region: GenomicRegion?
    private var tabix: TabixQuery?
    private var splitter = FieldSplitter()
    /// A column to read into each interval's `score` (nil: none is read).
    public var scoreColumn: ScoreColumn?
    /// When true, `lastText` holds the line of the interval `next()` returned last.
    public var keepsText = false
    /// The text of the last returned interval's line (without the line end), with `keepsText`.
    public private(set) var lastText = ""

    /// Opens `path`. `format` `.auto` decides from the name, then from the first data line.
    public init(path: String, format: IntervalFormat = .auto, region: GenomicRegion? = nil) throws {
        self.path = path
        self.region = region
        self.format = format == .auto ? (IntervalFormat.fromName(path) ?? .auto) : format
        if let region, path != "-", let query = try TabixQuery(path: path, region: region) {
            tabix = query
            lines = nil
        } else {
            lines = try TextLineReader(path: path)
        }
    }

    /// The next interval, or nil at the end of the file. Throws on a malformed line.
    public func next() throws -> Interval? {
        while true {
            let parsed: Interval??
            if let tabix {
                guard var text = try tabix.nextLine() else { return nil }
                do {
                    parsed = try text.withUTF8 { try parseLine($0, number: 0) }
                } catch GenomeError.malformedLine(let path, 0, let detail) {
                    // The tabix iterator does not count lines: find the line in the file.
                    if let n = try? lineNumber(of: text) { throw GenomeError.malformedLine(path: path, line: n, detail: detail) }
                    throw GenomeError.badRegion(region: region.map { "\($0.chrom):\($0.start + 1)-\($0.end.map(String.init) ?? "")" } ?? "",
                                                detail: "\(detail): a line of \(path) in")
                }
            } else if let lines {
                guard let result = try lines.withNextLine({ try parseLine($0, number: lines.lineNumber) }) else { return nil }
                parsed = result
            } else {
                return nil
            }
            guard let interval = parsed ?? nil else { continue }
            if tabix == nil, let region, !region.overlaps(interval) { continue }
            return interval
        }
    }

    /// The 1-based number of the first line of the file that reads `text`, or nil.
    private func lineNumber(of text: String) throws -> Int? {
        let scan = try TextLineReader(path: path)
        while let line = try scan.nextLine() {
            if line == text { return scan.lineNumber }
        }
        return nil
    }

    /// Parses one line; nil for header, comment and blank lines.
    private func parseLine(_ bytes: UnsafeBufferPointer<UInt8>, number: Int) throws -> Interval? {
        var line = bytes
        if line.last == UInt8(ascii: "\r") { line = UnsafeBufferPointer(rebasing: line.dropLast()) }
        if IntervalParser.isHeader(line) { return nil }
        splitter.split(line)
        if format == .auto { format = IntervalFormat.fromFields(splitter) }
        let interval = try IntervalParser.parse(splitter, format: format, path: path, lineNumber: number, scoreColumn: scoreColumn)
        if keepsText { lastText = String(decoding: line, as: UTF8.self) }
        return interval
    }

    /// Reads every remaining interval.
    public func readAll() throws -> [Interval] {
        var all: [Interval] = []
        while let i = try next() { all.append(i) }
        return all
    }
}

/// Lines of a tabix-indexed file that overlap one region.
final class TabixQuery {
    private let path: String
    private let fp: UnsafeMutablePointer<htsFile>
    private let tbx: UnsafeMutablePointer<tbx_t>
    private var itr: UnsafeMutablePointer<hts_itr_t>?
    private var ks = kstring_t()

    /// Opens the index of `path`; returns nil when the file has none.
    init?(path: String, region: GenomicRegion) throws {
        _ = HTSLog.silenced
        try FileChecks.requireReadableFile(path)
        guard let tbx = tbx_index_load3(path, nil, Int32(HTS_IDX_SILENT_FAIL)) else { return nil }
        guard let fp = hts_open(path, "r") else {
            tbx_destroy(tbx)
            throw GenomeError.unreadable(path: path, reason: "hts_open failed")
        }
        if hts_check_EOF(fp) == 0 {
            hts_close(fp)
            tbx_destroy(tbx)
            throw GenomeError.truncated(path: path)
        }
        self.path = path
        self.fp = fp
        self.tbx = tbx
        let tid = tbx_name2id(tbx, region.chrom)
        if tid >= 0 {
            // End as hts_pos_t; HTS_POS_MAX stands for "to the end of the contig".
            let end: hts_pos_t = region.end.map { hts_pos_t($0) } ?? hts_pos_t(Int64.max >> 1)
            itr = crick_tbx_itr_queryi(tbx, tid, hts_pos_t(region.start), end)
            if itr == nil { throw GenomeError.htslib(path: path, call: "tbx_itr_queryi", code: -1) }
        }
    }

    deinit {
        if let itr { crick_tbx_itr_destroy(itr) }
        tbx_destroy(tbx)
        hts_close(fp)
        crick_ks_free(&ks)
    }

    /// The next overlapping line, or nil when there are no more.
    func nextLine() throws -> String? {
        guard let itr else { return nil }
        let r = crick_tbx_itr_next(fp, tbx, itr, &ks)
        if r == -1 { return nil }
        if r < -1 { throw GenomeError.unreadable(path: path, reason: "tabix read error \(r)") }
        return String(cString: ks.s)
    }
}
