import CHTSlib
#if canImport(Glibc)
import Glibc
#endif

/// The formats `VariantReader` accepts.
public enum VariantInputFormat: String, Sendable, CaseIterable {
    /// Decided from the content: VCF or BCF when htslib recognises it, else TSV.
    case auto
    /// VCF (plain, bgzip) or BCF; anything else is an error.
    case vcf
    /// Tab-separated chrom, pos (1-based), ref, alt[, id].
    case tsv
}

/// The format a `VariantReader` found.
public enum VariantFileFormat: String, Sendable {
    /// VCF text, plain or compressed.
    case vcf
    /// Binary BCF.
    case bcf
    /// A TSV variant list.
    case tsv
}

/// Streams the records of a VCF, BCF or TSV variant file (`-` for stdin), one at a time:
/// memory does not grow with the number of records.
///
/// - VCF (plain, gzip or bgzip) is read line by line through `hts_getline` and parsed by
///   htslib's `vcf_parse` against the header read by `bcf_hdr_read`, after checks htslib 1.16
///   does not make (at least 8 columns, a positive integer POS, a REF, no empty ALT allele).
///   Only CHROM to QUAL are decoded here; INFO and FORMAT are parsed when a record is written.
///   Contigs and tags missing from the header are accepted as htslib accepts them (it adds a
///   dummy header line); the writer refuses them only for BCF output.
/// - BCF is read with `bcf_read` and unpacked with `BCF_UN_STR`.
/// - TSV: columns chrom, pos (1-based), ref, alt[, id]; tabs, or runs of spaces on a line
///   without a tab; `#` lines and blank lines skipped; ALT may list alleles separated by commas
///   and `.` means none.
///
/// With a region, only records whose REF overlaps it are returned (as `bcftools view -r`
/// selects them): through the `.tbi`/`.csi` index of a bgzip VCF or the `.csi` of a BCF. A
/// VCF or BCF without an index, a plain VCF and stdin are errors; a TSV is scanned and
/// filtered. A truncated bgzip or BCF file is an error, at open (`hts_check_EOF`), on a
/// failed read, or at the end (`hts_close`).
public final class VariantReader {
    /// The path as given.
    public let path: String
    /// The format found.
    public let format: VariantFileFormat
    /// The header (for TSV input, `VariantHeader.minimal`).
    public let header: VariantHeader
    /// Records returned so far.
    public private(set) var recordsRead = 0

    private var fp: UnsafeMutablePointer<htsFile>?
    private let hdr: UnsafeMutablePointer<bcf_hdr_t>?
    private let rec: UnsafeMutablePointer<bcf1_t>
    private var ks = kstring_t()
    private let compressed: Bool
    private var query: Query
    private var splitter = FieldSplitter()

    /// Where records come from.
    private enum Query {
        /// The whole file from its start (or a TSV filtered by the region).
        case whole(filter: GenomicRegion?)
        /// A tabix query over a bgzip VCF.
        case tabix(UnsafeMutablePointer<tbx_t>, UnsafeMutablePointer<hts_itr_t>)
        /// A CSI query over a BCF.
        case bcf(OpaquePointer, UnsafeMutablePointer<hts_itr_t>)
        /// A region on a contig the header declares but the index has no record of.
        case empty
    }

    /// Opens `path` (`-` for stdin) as `format`; with `region`, only records overlapping it.
    public init(path: String, format: VariantInputFormat = .auto, region: GenomicRegion? = nil) throws {
        _ = HTSLog.silenced
        self.path = path
        if path != "-" { try FileChecks.requireReadableFile(path) }
        guard let fp = hts_open(path, "r") else {
            throw GenomeError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        // 0: a BGZF file without its end-of-file block; 1 present; 2, 3 not applicable or unknown.
        if hts_check_EOF(fp) == 0 {
            hts_close(fp)
            throw GenomeError.truncated(path: path)
        }
        let compression = crick_hts_compression(fp)
        let opened: (format: VariantFileFormat, hdr: UnsafeMutablePointer<bcf_hdr_t>?, header: VariantHeader, query: Query)
        do {
            opened = try VariantReader.prepare(fp: fp, path: path, format: format, compression: compression, region: region)
        } catch {
            hts_close(fp)
            throw error
        }
        guard let rec = bcf_init() else {
            if case .tabix(let tbx, let itr) = opened.query { crick_tbx_itr_destroy(itr); tbx_destroy(tbx) }
            if case .bcf(let idx, let itr) = opened.query { crick_bcf_itr_destroy(itr); hts_idx_destroy(idx) }
            if let h = opened.hdr { bcf_hdr_destroy(h) }
            hts_close(fp)
            throw VariantError.htslib(path: path, call: "bcf_init", code: -1)
        }
        // Only CHROM to QUAL are decoded while reading; the writer parses the rest.
        if opened.format == .vcf { crick_bcf_set_max_unpack(rec, Int32(BCF_UN_STR)) }
        self.fp = fp
        self.rec = rec
        self.format = opened.format
        self.hdr = opened.hdr
        self.header = opened.header
        self.query = opened.query
        compressed = compression != 0
    }

    /// Reads the header of an open file (nothing for TSV) and sets up the region query.
    /// Refuses a BCF whose header-length field is more than the file can hold: htslib's
    /// `bcf_hdr_read` allocates that many bytes (up to 4 GiB) before reading them. The bound is
    /// the file size less the 9-byte magic and length for plain BCF, and 64 KiB of text per
    /// 28 bytes of file (the smallest BGZF block) for BGZF. Standard input is not checked.
    static func checkBCFHeaderLength(path: String) throws {
        guard path != "-", let size = FileChecks.size(of: path), let bg = bgzf_open(path, "r") else { return }
        defer { bgzf_close(bg) }
        var head = [UInt8](repeating: 0, count: 9)
        // BGZF reads plain files as they are; too short a file is left to htslib to report.
        guard bgzf_read(bg, &head, 9) == 9, head[0] == 0x42, head[1] == 0x43, head[2] == 0x46 else { return }   // "BCF"
        let limit = bgzf_compression(bg) == 0 ? size - 9 : (size / 28 + 1) * 65_536
        let length = Int(head[5]) | Int(head[6]) << 8 | Int(head[7]) << 16 | Int(head[8]) << 24
        if length > limit {
            throw VariantError.badHeader(path: path, detail: "the BCF header claims \(length) bytes of text, more than the \(size)-byte file can hold")
        }
    }

    private static func prepare(fp: UnsafeMutablePointer<htsFile>, path: String, format: VariantInputFormat, compression: Int32,
                                region: GenomicRegion?) throws -> (format: VariantFileFormat, hdr: UnsafeMutablePointer<bcf_hdr_t>?, header: VariantHeader, query: Query) {
        let kind = crick_hts_data_kind(fp)
        switch (kind, format) {
        case (1, .tsv), (2, .tsv):
            throw VariantError.wrongFormat(path: path, detail: "a \(kind == 1 ? "VCF" : "BCF") file was given as TSV")
        case (1, _), (2, _):
            if kind == 2 { try VariantReader.checkBCFHeaderLength(path: path) }
            guard let h = bcf_hdr_read(fp) else {
                throw VariantError.badHeader(path: path, detail: "htslib could not parse it; the header must end with a #CHROM line")
            }
            do {
                let header: VariantHeader
                do {
                    header = try VariantHeader.from(h, binary: kind == 2)
                } catch VariantError.badHeader(_, let detail) {
                    throw VariantError.badHeader(path: path, detail: detail)
                }
                var query = Query.whole(filter: nil)
                if let region {
                    query = try indexQuery(path: path, fp: fp, hdr: h, bcf: kind == 2, compression: compression, region: region)
                }
                return (kind == 1 ? .vcf : .bcf, h, header, query)
            } catch {
                bcf_hdr_destroy(h)
                throw error
            }
        case (3, .vcf):
            throw VariantError.wrongFormat(path: path, detail: "not a VCF or BCF file (a VCF starts with a ##fileformat=VCF line)")
        case (3, _):
            return (.tsv, nil, .minimal, .whole(filter: region))
        default:
            var name = "another format"
            if let d = hts_format_description(hts_get_format(fp)) {
                name = String(cString: d)
                free(d)
            }
            throw VariantError.wrongFormat(path: path, detail: "htslib reads this as \(name), not VCF, BCF or a variant TSV")
        }
    }

    /// The index query for `region` over an open VCF or BCF.
    private static func indexQuery(path: String, fp: UnsafeMutablePointer<htsFile>, hdr: UnsafeMutablePointer<bcf_hdr_t>,
                                   bcf: Bool, compression: Int32, region: GenomicRegion) throws -> Query {
        let kind = bcf ? "BCF" : "VCF"
        guard path != "-" else { throw VariantError.noIndex(path: path, detail: "a region cannot be read from standard input (it has no index)") }
        guard compression == 2 else {
            throw VariantError.noIndex(path: path, detail: "a region needs an indexed file, and a \(compression == 1 ? "gzip" : "plain") \(kind) cannot be indexed; compress it with bgzip and index it (tabix -p vcf FILE.gz)")
        }
        let end: hts_pos_t = region.end.map { hts_pos_t($0) } ?? hts_pos_t(Int64.max >> 1)
        let rid = bcf_hdr_id2int(hdr, Int32(BCF_DT_CTG), region.chrom)
        if bcf {
            guard let idx = bcf_index_load3(path, nil, Int32(HTS_IDX_SILENT_FAIL)) else {
                throw VariantError.noIndex(path: path, detail: "a region needs the BCF's .csi index, and it has none (bcftools index FILE)")
            }
            guard rid >= 0 else {
                hts_idx_destroy(idx)
                throw VariantError.contigNotInHeader(path: path, contig: region.chrom)
            }
            guard let itr = crick_bcf_itr_queryi(idx, rid, hts_pos_t(region.start), end) else {
                hts_idx_destroy(idx)
                throw VariantError.htslib(path: path, call: "bcf_itr_queryi", code: -1)
            }
            return .bcf(idx, itr)
        }
        guard let tbx = tbx_index_load3(path, nil, Int32(HTS_IDX_SILENT_FAIL)) else {
            throw VariantError.noIndex(path: path, detail: "a region needs the VCF's .tbi or .csi index, and it has none (tabix -p vcf FILE)")
        }
        // The header already lists the index's contigs (bcf_hdr_read adds them).
        guard rid >= 0 else {
            tbx_destroy(tbx)
            throw VariantError.contigNotInHeader(path: path, contig: region.chrom)
        }
        let tid = tbx_name2id(tbx, region.chrom)
        guard tid >= 0 else {
            tbx_destroy(tbx)
            return .empty
        }
        guard let itr = crick_tbx_itr_queryi(tbx, tid, hts_pos_t(region.start), end) else {
            tbx_destroy(tbx)
            throw VariantError.htslib(path: path, call: "tbx_itr_queryi", code: -1)
        }
        return .tabix(tbx, itr)
    }

    deinit {
        release()
        if let hdr { bcf_hdr_destroy(hdr) }
        bcf_destroy(rec)
        if let fp { hts_close(fp) }
        crick_ks_free(&ks)
    }

    /// Frees the index query.
    private func release() {
        switch query {
        case .tabix(let tbx, let itr):
            crick_tbx_itr_destroy(itr)
            tbx_destroy(tbx)
        case .bcf(let idx, let itr):
            crick_bcf_itr_destroy(itr)
            hts_idx_destroy(idx)
        case .whole, .empty:
            break
        }
        query = .empty
    }

    /// The next record, or nil at the end of the input. Throws on a malformed record, a
    /// read error, or a truncated file.
    public func next() throws -> VariantRecord? {
        guard let fp else { return nil }
        while true {
            switch query {
            case .empty:
                try finish()
                return nil
            case .whole(let filter):
                let n = readNext(fp)
                if n == -1 {
                    try finish()
                    return nil
                }
                let line = Int(crick_hts_lineno(fp))
                if n < -1 {
                    let at = format == .bcf ? "\(path) record \(recordsRead + 1)" : "\(path) line \(line)"
                    throw VariantError.readFailed(origin: at, detail: "read error; the file may be truncated or corrupt")
                }
                switch format {
                case .bcf:
                    return try binaryRecord(line: nil)
                case .vcf:
                    if let r = try textRecord(line: line) { return r }
                case .tsv:
                    if let r = try tsvRecord(line: line, filter: filter) { return r }
                }
            case .tabix(let tbx, let itr):
                let n = crick_tbx_itr_next(fp, tbx, itr, &ks)
                if n == -1 {
                    try finish()
                    return nil
                }
                if n < -1 { throw VariantError.readFailed(origin: "\(path) record \(recordsRead + 1)", detail: "tabix read error \(n); the file may be truncated or corrupt") }
                if let r = try textRecord(line: nil) { return r }
            case .bcf(_, let itr):
                let n = crick_bcf_itr_next(fp, itr, rec)
                if n == -1 {
                    try finish()
                    return nil
                }
                if n < -1 { throw VariantError.readFailed(origin: "\(path) record \(recordsRead + 1)", detail: "BCF read error \(n); the file may be truncated or corrupt") }
                return try binaryRecord(line: nil)
            }
        }
    }

    /// Calls `body` with every remaining record, in input order.
    public func forEach(_ body: (VariantRecord) throws -> Void) throws {
        while let r = try next() { try body(r) }
    }

    /// Reads the next line (text formats) or record (BCF): >= 0 read, -1 end, < -1 error.
    private func readNext(_ fp: UnsafeMutablePointer<htsFile>) -> Int32 {
        if format == .bcf, let hdr { return bcf_read(fp, hdr, rec) }
        return hts_getline(fp, Int32(UInt8(ascii: "\n")), &ks)
    }

    /// Closes the file at the end, reporting what htslib only reveals then.
    private func finish() throws {
        release()
        guard let fp else { return }
        self.fp = nil
        if hts_close(fp) != 0 {
            if compressed { throw GenomeError.truncated(path: path) }
            throw VariantError.readFailed(origin: path, detail: "htslib reported an error at the end of the file")
        }
    }

    /// The record of the VCF line in `ks`; nil for a blank line.
    private func textRecord(line: Int?) throws -> VariantRecord? {
        guard let hdr else { return nil }
        var count = Int(ks.l)
        guard let s = ks.s else { return nil }
        if count > 0 && s[count - 1] == CChar(UInt8(ascii: "\r")) {
            count -= 1
            ks.l = count
            s[count] = 0
        }
        if count == 0 { return nil }
        let ordinal = recordsRead + 1
        func origin() -> String { line.map { "\(path) line \($0) (record \(ordinal))" } ?? "\(path) record \(ordinal)" }
        let bytes = s.withMemoryRebound(to: UInt8.self, capacity: count) { Array(UnsafeBufferPointer(start: $0, count: count)) }
        if bytes[0] == UInt8(ascii: "#") {
            throw VariantError.malformedRecord(origin: origin(), detail: "a '#' line after the header")
        }
        if let problem = bytes.withUnsafeBufferPointer({ VariantLineParser.problem(vcfLine: $0, samples: header.samples) }) {
            throw VariantError.malformedRecord(origin: origin(), detail: problem)
        }
        let r = vcf_parse(&ks, hdr, rec)
        let code = rec.pointee.errcode
        if r < 0 || (Int(code) & ~BCFError.warnings) != 0 {
            throw VariantError.malformedRecord(origin: origin(), detail: VariantLineParser.describe(errcode: code))
        }
        return try makeRecord(line: line, origin: origin, source: .text(bytes))
    }

    /// The record just read into `rec` from a BCF file.
    private func binaryRecord(line: Int?) throws -> VariantRecord? {
        let ordinal = recordsRead + 1
        func origin() -> String { "\(path) record \(ordinal)" }
        if rec.pointee.errcode != 0 {
            throw VariantError.malformedRecord(origin: origin(), detail: VariantLineParser.describe(errcode: rec.pointee.errcode))
        }
        guard let copy = bcf_dup(rec) else { throw VariantError.htslib(path: path, call: "bcf_dup", code: -1) }
        return try makeRecord(line: nil, origin: origin, source: .binary(BCFRecord(copy)))
    }

    /// Unpacks `rec` (up to ALT) into a record.
    private func makeRecord(line: Int?, origin: () -> String, source: VariantSource) throws -> VariantRecord {
        guard let hdr else { throw VariantError.htslib(path: path, call: "bcf_hdr_read", code: -1) }
        guard bcf_unpack(rec, Int32(BCF_UN_STR)) == 0 else {
            throw VariantError.malformedRecord(origin: origin(), detail: "htslib could not unpack it")
        }
        guard let name = crick_bcf_contig_name(hdr, rec.pointee.rid) else {
            throw VariantError.malformedRecord(origin: origin(), detail: "contig number \(rec.pointee.rid) is not in the header")
        }
        let pos = Int(rec.pointee.pos)
        guard pos >= 0, pos < Interval.maxCoordinate else {
            throw VariantError.malformedRecord(origin: origin(), detail: "POS \(pos + 1) is not a position on a contig")
        }
        let n = Int(crick_bcf_n_allele(rec))
        guard n >= 1, let refPointer = crick_bcf_allele(rec, 0) else {
            throw VariantError.malformedRecord(origin: origin(), detail: "no REF allele")
        }
        let ref = String(cString: refPointer)
        guard !ref.isEmpty else { throw VariantError.malformedRecord(origin: origin(), detail: "empty REF") }
        var alts: [String] = []
        alts.reserveCapacity(n - 1)
        for i in 1..<max(n, 1) {
            guard let a = crick_bcf_allele(rec, Int32(i)) else { continue }
            alts.append(String(cString: a))
        }
        var id: String? = nil
        if let p = crick_bcf_id(rec) {
            let s = String(cString: p)
            if s != "." && !s.isEmpty { id = s }
        }
        recordsRead += 1
        return VariantRecord(ordinal: recordsRead, chrom: String(cString: name), pos: pos, id: id, ref: ref, alts: alts,
                             line: line, path: path, source: source)
    }

    /// The record of the TSV line in `ks`; nil for blank, `#` and filtered-out lines.
    private func tsvRecord(line: Int, filter: GenomicRegion?) throws -> VariantRecord? {
        guard let s = ks.s else { return nil }
        let count = Int(ks.l)
        let fields = try s.withMemoryRebound(to: UInt8.self, capacity: max(count, 1)) {
            try VariantLineParser.parseTSV(UnsafeBufferPointer(start: $0, count: count), splitter: &splitter, path: path, line: line)
        }
        guard let f = fields else { return nil }
        if let filter, !filter.overlaps(Interval(chrom: f.chrom, start: f.pos - 1, end: f.pos - 1 + f.ref.utf8.count)) { return nil }
        recordsRead += 1
        return VariantRecord(ordinal: recordsRead, chrom: f.chrom, pos: f.pos - 1, id: f.id, ref: f.ref, alts: f.alts,
                             line: line, path: path, source: .text(VariantLineParser.vcfLine(f)))
    }
}
