import CHTSlib
import Pipeline
#if canImport(Glibc)
import Glibc
#endif

/// The formats `VariantVCFWriter` writes, chosen by the output's name.
public enum VariantOutputFormat: String, Sendable, CaseIterable {
    /// Uncompressed VCF (`.vcf`, and `-` for stdout).
    case vcf
    /// bgzip-compressed VCF (`.vcf.gz`, `.vcf.bgz`), indexed with a `.tbi` when complete
    /// (`.csi` for positions from 2^29 on).
    case vcfGz = "vcf.gz"
    /// BCF (`.bcf`), indexed with a `.csi` when complete.
    case bcf

    /// The format a path names; `-` and devices under `/dev/` are VCF; nil for other names.
    public static func from(path: String) -> VariantOutputFormat? {
        let name = path.lowercased()
        if path == "-" || name.hasSuffix(".vcf") || name.hasPrefix("/dev/") { return .vcf }
        if name.hasSuffix(".vcf.gz") || name.hasSuffix(".vcf.bgz") { return .vcfGz }
        if name.hasSuffix(".bcf") { return .bcf }
        return nil
    }

    /// htslib's `hts_open` mode.
    var mode: String {
        switch self {
        case .vcf: return "w"
        case .vcfGz: return "wz"
        case .bcf: return "wb"
        }
    }

    /// The index written beside a compressed output, and htslib's min_shift for it (0: TBI).
    var index: (suffix: String, minShift: Int32)? {
        switch self {
        case .vcf: return nil
        case .vcfGz: return (".tbi", 0)
        case .bcf: return (".csi", 14)
        }
    }
}

/// What a finished output holds.
public struct VariantOutputSummary: Sendable, Equatable {
    /// The output path as given.
    public let path: String
    /// Records written.
    public let records: Int
    /// The index written beside it, if any.
    public let index: String?
    /// Why a compressed output has no index (unsorted records, a stream), or nil.
    public let note: String?
    /// Index files beside the output that crick did not write and left in place: they
    /// describe the file the output replaced, so a reader using them would be misled.
    public let staleIndexes: [String]

    /// The note of an output written through to a stream (stdout, a FIFO, a device).
    public static let streamNote = "not indexed: written to a stream"

    /// A summary (the writer makes them; tests compare with them).
    public init(path: String, records: Int, index: String?, note: String?, staleIndexes: [String] = []) {
        self.path = path
        self.records = records
        self.index = index
        self.note = note
        self.staleIndexes = staleIndexes
    }
}

/// Writes variant records back out as VCF, bgzip VCF or BCF, each with the INFO fields a
/// caller adds, streaming and in input order.
///
/// The header is the input's (`VariantReader.header`), plus a `##contig` line for each contig
/// of `contigs` it lacks (a TSV input's FASTA contigs, which BCF output needs), plus one
/// `##INFO` line per field (`bcf_hdr_append`, `bcf_hdr_sync`); a field the input already
/// declares with the same Number and Type is reused, with another Number or Type it is an
/// error. Every record is written as read, with the fields' values set (`bcf_update_info_*`;
/// per-ALT arrays hold missing values for skipped ALTs, and a field without any value is left
/// out); VCF and TSV records are parsed again against the output header, BCF records copied.
///
/// The output is written like every crick output (`OutputFile`): to a temporary name beside
/// it, renamed into place by `finish()`; stdout (`-`), devices and FIFOs are written through.
/// A compressed output renamed into place is then indexed (`bcf_index_build3`: `.tbi` for
/// `.vcf.gz`, or `.csi` when a position reaches 2^29, which a `.tbi` cannot hold; `.csi` for
/// `.bcf`), the index too under a temporary name, renamed after the output. Records out of genome order (a contig seen again after another, or a position
/// before the last) leave a compressed output without an index: the summary says so, and a
/// stale index of an earlier file of that name is removed. Not thread-safe.
public final class VariantVCFWriter {
    /// The output path as given.
    public let path: String
    /// The output format.
    public let format: VariantOutputFormat
    /// The fields added.
    public let fields: [VariantInfoField]
    /// Records written so far.
    public private(set) var records = 0

    private let output: OutputFile
    private var indexOutput: OutputFile?
    private var fp: UnsafeMutablePointer<htsFile>?
    private let hdr: UnsafeMutablePointer<bcf_hdr_t>
    private let rec: UnsafeMutablePointer<bcf1_t>
    private let binaryHeader: Bool
    private var ks = kstring_t()
    private var lastOrdinal = 0
    private var finished = false
    // Genome order, for the index.
    private var chrom: String?
    private var lastPos = 0
    private var doneContigs: Set<String> = []
    private var unsortedAt: String?
    /// The largest REF end written (a `.tbi` holds positions below 2^29 only).
    private var maxEnd = 0

    /// Creates the output at `path` with the header of `header` (and `contigs` it lacks) and
    /// the INFO `fields`, and writes the header.
    public init(path: String, header: VariantHeader, fields: [VariantInfoField], contigs: [VariantContig] = []) throws {
        _ = HTSLog.silenced
        self.path = path
        self.fields = fields
        guard let format = VariantOutputFormat.from(path: path) else {
            throw VariantError.wrongFormat(path: path, detail: "the output's name must end in .vcf, .vcf.gz or .bcf (or be - for VCF on stdout)")
        }
        self.format = format
        binaryHeader = header.binary
        var seen: Set<String> = []
        for f in fields {
            if let problem = f.problem { throw VariantError.badField(id: f.id, detail: problem) }
            guard seen.insert(f.id).inserted else { throw VariantError.badField(id: f.id, detail: "given twice") }
        }
        hdr = try VariantVCFWriter.makeHeader(header, fields: fields, contigs: contigs, path: path)
        guard let rec = bcf_init() else {
            bcf_hdr_destroy(hdr)
            throw VariantError.htslib(path: path, call: "bcf_init", code: -1)
        }
        self.rec = rec
        do {
            output = try OutputFile(path: path)
        } catch {
            bcf_destroy(rec)
            bcf_hdr_destroy(hdr)
            throw error
        }
        guard let fp = hts_open(output.temporaryPath ?? path, format.mode) else {
            let reason = String(cString: strerror(errno))
            abandon()
            throw OutputError.io(path: path, action: "open output", reason: reason)
        }
        self.fp = fp
        let r = bcf_hdr_write(fp, hdr)
        if r < 0 {
            let reason = String(cString: strerror(errno))
            abandon()
            throw OutputError.io(path: path, action: "write the VCF header", reason: reason)
        }
    }

    deinit {
        if !finished { abort() }
        bcf_destroy(rec)
        bcf_hdr_destroy(hdr)
        crick_ks_free(&ks)
    }

    /// The output header: the input's text, missing contigs, the fields.
    private static func makeHeader(_ header: VariantHeader, fields: [VariantInfoField], contigs: [VariantContig],
                                   path: String) throws -> UnsafeMutablePointer<bcf_hdr_t> {
        guard let hdr = bcf_hdr_init("r") else { throw VariantError.htslib(path: path, call: "bcf_hdr_init", code: -1) }
        var text = Array(header.text.utf8CString)
        let parsed = text.withUnsafeMutableBufferPointer { bcf_hdr_parse(hdr, $0.baseAddress) }
        guard parsed == 0 else {
            bcf_hdr_destroy(hdr)
            throw VariantError.badHeader(path: path, detail: "htslib could not parse the input's header")
        }
        do {
            for c in contigs where bcf_hdr_id2int(hdr, Int32(BCF_DT_CTG), c.name) < 0 && VariantVCFWriter.isContigID(c.name) {
                let line = c.length > 0 ? "##contig=<ID=\(c.name),length=\(c.length)>" : "##contig=<ID=\(c.name)>"
                guard bcf_hdr_append(hdr, line) == 0 else { throw VariantError.htslib(path: path, call: "bcf_hdr_append(\(line))", code: -1) }
            }
            for f in fields {
                if let existing = bcf_hdr_get_hrec(hdr, Int32(BCF_HL_INFO), "ID", f.id, nil) {
                    let number = crick_bcf_hrec_value(existing, "Number").map { String(cString: $0) } ?? ""
                    let type = crick_bcf_hrec_value(existing, "Type").map { String(cString: $0) } ?? ""
                    guard number == f.number.text && type == f.type.rawValue else {
                        throw VariantError.badField(id: f.id, detail: "the input already declares INFO/\(f.id) with Number=\(number), Type=\(type); choose another name")
                    }
                    continue
                }
                guard bcf_hdr_append(hdr, f.headerLine) == 0 else {
                    throw VariantError.badField(id: f.id, detail: "htslib rejected the header line \(f.headerLine)")
                }
            }
            guard bcf_hdr_sync(hdr) == 0 else { throw VariantError.htslib(path: path, call: "bcf_hdr_sync", code: -1) }
        } catch {
            bcf_hdr_destroy(hdr)
            throw error
        }
        return hdr
    }

    /// True for names a `##contig` ID can hold (no commas, angle brackets, '=' or spaces).
    static func isContigID(_ name: String) -> Bool {
        !name.isEmpty && !name.utf8.contains { $0 <= 32 || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "=") || $0 == 127 }
    }

    /// Writes `record` with `values[i]` for `fields[i]`. Records must come in input order
    /// (increasing ordinals); every record of the input should be written, skipped or not.
    public func write(_ record: VariantRecord, values: [VariantInfoValue]) throws {
        guard let fp, !finished else { throw OutputError.io(path: path, action: "write output", reason: "the writer is finished") }
        guard record.ordinal > lastOrdinal else {
            throw VariantError.outOfOrder(path: path, detail: "record \(record.ordinal) after record \(lastOrdinal)")
        }
        guard values.count == fields.count else {
            throw VariantError.badValue(path: path, origin: record.origin, detail: "\(values.count) values for \(fields.count) fields")
        }
        try load(record)
        for (field, value) in zip(fields, values) { try set(field, value, record: record) }
        if bcf_write(fp, hdr, rec) < 0 {
            let reason = errno == 0 ? "htslib bcf_write failed" : String(cString: strerror(errno))
            throw OutputError.io(path: path, action: "write \(record.origin)", reason: reason)
        }
        lastOrdinal = record.ordinal
        records += 1
        trackOrder(record)
    }

    /// Puts `record` into `rec`, numbered by the output header.
    private func load(_ record: VariantRecord) throws {
        switch record.source {
        case .text(let bytes):
            ks.l = 0
            let ok = bytes.withUnsafeBufferPointer { b -> Bool in
                guard let base = b.baseAddress else { return kputsn("", 0, &ks) >= 0 }
                return base.withMemoryRebound(to: CChar.self, capacity: b.count) { kputsn($0, b.count, &ks) >= 0 }
            }
            guard ok else { throw VariantError.htslib(path: path, call: "kputsn", code: -1) }
            let r = vcf_parse(&ks, hdr, rec)
            let code = rec.pointee.errcode
            if r < 0 || (Int(code) & ~BCFError.warnings) != 0 {
                throw VariantError.malformedRecord(origin: record.origin, detail: VariantLineParser.describe(errcode: code))
            }
            if code != 0 && format == .bcf {
                let what = Int(code) & BCFError.contigUndefined != 0 ? "its contig '\(record.chrom)' is" : "an INFO, FORMAT or FILTER tag it uses is"
                throw VariantError.unwritable(path: path, origin: record.origin,
                                              detail: "\(what) not declared in the input's header, and BCF needs it declared; write .vcf or .vcf.gz, or declare it in the header")
            }
        case .binary(let source):
            guard binaryHeader else {
                throw VariantError.unwritable(path: path, origin: record.origin, detail: "a BCF record needs the header of its BCF file")
            }
            guard bcf_copy(rec, source.rec) != nil else { throw VariantError.htslib(path: path, call: "bcf_copy", code: -1) }
        }
    }

    /// Sets (or removes) one field of `rec`.
    private func set(_ field: VariantInfoField, _ value: VariantInfoValue, record: VariantRecord) throws {
        func fail(_ detail: String) -> VariantError { .badValue(path: path, origin: record.origin, detail: "INFO/\(field.id): \(detail)") }
        if !value.isEmpty {
            let expected: Int?
            switch field.number {
            case .perAllele: expected = record.alts.count
            case .fixed(let n): expected = n
            case .variable: expected = nil
            }
            if let expected, value.count != expected {
                throw fail("\(value.count) value\(value.count == 1 ? "" : "s"), Number=\(field.number.text) needs \(expected)")
            }
        }
        let r: Int32
        switch (field.type, value) {
        case (.float, _) where value.isEmpty, (.integer, _) where value.isEmpty:
            r = field.type == .float ? crick_bcf_update_info_float(hdr, rec, field.id, nil, 0) : crick_bcf_update_info_int32(hdr, rec, field.id, nil, 0)
        case (.string, _) where value.isEmpty:
            r = crick_bcf_update_info_string(hdr, rec, field.id, nil)
        case (.float, .floats(let v)):
            let missing = crick_bcf_float_missing()
            let values = v.map { $0 ?? missing }
            r = crick_bcf_update_info_float(hdr, rec, field.id, values, Int32(values.count))
        case (.integer, .integers(let v)):
            let missing = crick_bcf_int32_missing()
            // BCF reserves the eight smallest 32-bit integers (missing, end of vector, ...).
            guard v.allSatisfy({ $0.map { $0 > Int32.min + 7 } ?? true }) else { throw fail("values below \(Int32.min + 8) are reserved by BCF") }
            let values = v.map { $0 ?? missing }
            r = crick_bcf_update_info_int32(hdr, rec, field.id, values, Int32(values.count))
        case (.string, .strings(let v)):
            for s in v.compactMap({ $0 }) where s.isEmpty || s.utf8.contains(where: { $0 <= 32 || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: ",") }) {
                throw fail("'\(s)' is empty or holds a space, ';', '=' or ','")
            }
            r = crick_bcf_update_info_string(hdr, rec, field.id, v.map { $0 ?? "." }.joined(separator: ","))
        default:
            throw fail("the values are not of Type=\(field.type.rawValue)")
        }
        if r < 0 { throw VariantError.htslib(path: path, call: "bcf_update_info(\(field.id)) at \(record.origin)", code: Int(r)) }
    }

    /// Notes the first record out of genome order.
    private func trackOrder(_ record: VariantRecord) {
        guard unsortedAt == nil else { return }
        if record.chrom != chrom {
            if let chrom { doneContigs.insert(chrom) }
            if doneContigs.contains(record.chrom) { unsortedAt = "\(record.origin) returns to contig \(record.chrom)" }
            chrom = record.chrom
        } else if record.pos < lastPos {
            unsortedAt = "\(record.origin) at \(record.locus) comes after position \(lastPos + 1)"
        }
        lastPos = record.pos
        maxEnd = max(maxEnd, record.pos + record.ref.utf8.count)
    }

    /// Closes the output, indexes it when compressed, sorted and renamed into place, and
    /// moves both to their final names.
    public func finish() throws -> VariantOutputSummary {
        guard !finished, let fp else { throw OutputError.io(path: path, action: "finish output", reason: "the writer is finished") }
        self.fp = nil
        if hts_close(fp) != 0 {
            let reason = errno == 0 ? "htslib could not close it" : String(cString: strerror(errno))
            abandon()
            throw OutputError.io(path: path, action: "write output", reason: reason)
        }
        var note: String? = nil
        var indexPath: String? = nil
        if var index = format.index {
            // Positions from 2^29 on need a CSI index.
            if maxEnd >= 1 << 29 { index = (".csi", 14) }
            if let data = output.temporaryPath {
                if let unsortedAt {
                    note = "not indexed: the records are not in genome order (\(unsortedAt))"
                } else {
                    do {
                        let file = try OutputFile(path: path + index.suffix)
                        indexOutput = file
                        let r = file.temporaryPath.map { bcf_index_build3(data, $0, index.minShift, 0) } ?? -1
                        if r < 0 { throw VariantError.htslib(path: path, call: "bcf_index_build3", code: Int(r)) }
                    } catch {
                        abandon()
                        throw error
                    }
                    indexPath = path + index.suffix
                }
            } else {
                note = VariantOutputSummary.streamNote
            }
        }
        finished = true
        do {
            try output.commit()
        } catch {
            indexOutput?.abort()
            throw error
        }
        if indexPath != nil {
            try indexOutput?.commit()
        } else {
            indexOutput?.abort()
        }
        let stale = output.temporaryPath == nil ? [] : staleIndexes(besides: indexPath)
        return VariantOutputSummary(path: path, records: records, index: indexPath, note: note, staleIndexes: stale)
    }

    /// The `.tbi` and `.csi` files beside the output other than the one just written. They
    /// belong to the file the output replaced; crick did not write them, so it leaves them
    /// and its caller warns.
    private func staleIndexes(besides kept: String?) -> [String] {
        [".tbi", ".csi"].map { path + $0 }.filter { candidate in
            var st = stat()
            return candidate != kept && lstat(candidate, &st) == 0
        }
    }

    /// Drops the output: closes htslib's handle and removes the temporary files.
    public func abort() {
        abandon()
    }

    private func abandon() {
        finished = true
        if let fp { hts_close(fp) }
        fp = nil
        output.abort()
        indexOutput?.abort()
    }
}
