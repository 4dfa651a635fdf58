import CHTSlib

/// One alignment as coverage needs it: contig index, 0-based start, end (exclusive, from the
/// CIGAR), SAM flag and mapping quality.
public struct AlignmentRecord: Sendable {
    public var contig: Int
    public var start: Int
    public var end: Int
    public var flag: UInt16
    public var mapq: UInt8

    /// True for a read aligned to the reverse strand (flag 0x10).
    public var isReverse: Bool { flag & 0x10 != 0 }
}

/// Streams the alignments of a SAM, BAM or CRAM file (htslib sam.h); `-` reads stdin.
public final class AlignmentReader {
    public let path: String
    /// The header's contigs: names and lengths, in header order.
    public let contigs: [(name: String, length: Int)]
    private let fp: UnsafeMutablePointer<htsFile>
    private let header: UnsafeMutablePointer<sam_hdr_t>
    private let record: UnsafeMutablePointer<bam1_t>

    /// Opens `path` with `threads` decompression threads (BAM and CRAM).
    public init(path: String, threads: Int = 1, reference: String? = nil) throws {
        _ = HTSLog.silenced
        if path != "-" { try FileChecks.requireReadableFile(path) }
        guard let fp = crick_sam_open(path) else { throw GenomeError.unreadable(path: path, reason: "htslib cannot open it as SAM, BAM or CRAM") }
        if threads > 1 { hts_set_threads(fp, Int32(threads)) }
        if let reference, hts_set_fai_filename(fp, reference) != 0 {
            hts_close(fp)
            throw GenomeError.unreadable(path: reference, reason: "htslib cannot use it as the CRAM reference")
        }
        guard let h = sam_hdr_read(fp) else {
            hts_close(fp)
            throw GenomeError.unreadable(path: path, reason: "no SAM/BAM/CRAM header (not an alignment file?)")
        }
        guard let b = bam_init1() else {
            sam_hdr_destroy(h)
            hts_close(fp)
            throw GenomeError.unreadable(path: path, reason: "out of memory")
        }
        self.path = path
        self.fp = fp
        self.header = h
        self.record = b
        let n = Int(sam_hdr_nref(h))
        contigs = (0..<n).map { i in
            (sam_hdr_tid2name(h, Int32(i)).map { String(cString: $0) } ?? "?", Int(sam_hdr_tid2len(h, Int32(i))))
        }
    }

    deinit {
        bam_destroy1(record)
        sam_hdr_destroy(header)
        hts_close(fp)
    }

    /// Records read so far.
    public private(set) var count = 0

    /// The next record, or nil at the end; a truncated or corrupt file is an error naming the
    /// record.
    public func next() throws -> AlignmentRecord? {
        let r = sam_read1(fp, header, record)
        if r == -1 { return nil }
        guard r >= 0 else {
            throw GenomeError.unreadable(path: path, reason: "alignment record \(count + 1) is truncated or corrupt (sam_read1 returned \(r))")
        }
        count += 1
        var tid: Int32 = 0, pos: Int64 = 0, end: Int64 = 0, flag: UInt16 = 0, mapq: UInt8 = 0
        crick_bam_core(record, &tid, &pos, &end, &flag, &mapq)
        if tid >= 0 {
            guard Int(tid) < contigs.count, pos >= 0, end >= pos, Int(end) <= Interval.maxCoordinate else {
                throw GenomeError.unreadable(path: path, reason: "alignment record \(count) has contig \(tid) and span \(pos)-\(end), outside the header")
            }
        }
        return AlignmentRecord(contig: Int(tid), start: Int(pos), end: Int(end), flag: flag, mapq: mapq)
    }
}
