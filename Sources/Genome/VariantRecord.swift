import CHTSlib

/// One record of a variant input (a VCF/BCF line or a TSV line), as `VariantReader` returns it.
///
/// Coordinates are 0-based (`pos` is VCF POS - 1). The record also keeps what the output
/// writer needs to write it back unchanged (its VCF text, or for BCF input the binary record),
/// so records can be carried through a parallel pipeline and written later, in input order.
public struct VariantRecord: Sendable {
    /// 1-based number of the record in the input (the Nth record read; through a region, the
    /// Nth record of the region).
    public let ordinal: Int
    /// Contig name as the input spells it.
    public let chrom: String
    /// 0-based position of the first REF base.
    public let pos: Int
    /// The ID column, nil for `.` (or a TSV line without one).
    public let id: String?
    /// The REF allele as written.
    public let ref: String
    /// The ALT alleles in input order; empty when ALT is `.`.
    public let alts: [String]
    /// 1-based line of a text input read from its start; nil through an index or for BCF.
    public let line: Int?
    /// The input's path, for messages.
    public let path: String
    /// What the writer re-encodes.
    let source: VariantSource

    init(ordinal: Int, chrom: String, pos: Int, id: String?, ref: String, alts: [String], line: Int?, path: String, source: VariantSource) {
        self.ordinal = ordinal
        self.chrom = chrom
        self.pos = pos
        self.id = id
        self.ref = ref
        self.alts = alts
        self.line = line
        self.path = path
        self.source = source
    }

    /// Where the record is, for messages: `in.vcf line 12 (record 3)` or `in.bcf record 3`.
    public var origin: String {
        if let line { return "\(path) line \(line) (record \(ordinal))" }
        return "\(path) record \(ordinal)"
    }

    /// The record's 1-based position as a region string, `chr1:1234`.
    public var locus: String { "\(chrom):\(pos + 1)" }
}

/// How a record is written back: VCF text (VCF and TSV input) is parsed again against the
/// output header; a BCF record is copied as it is.
enum VariantSource: Sendable {
    /// A VCF data line without its line end (TSV lines are turned into one).
    case text([UInt8])
    /// A BCF record decoded against the input header.
    case binary(BCFRecord)
}

/// Owns one htslib `bcf1_t` that is never changed after it is made (the writer copies it
/// before adding fields), so it may move between threads.
final class BCFRecord: @unchecked Sendable {
    let rec: UnsafeMutablePointer<bcf1_t>
    init(_ rec: UnsafeMutablePointer<bcf1_t>) { self.rec = rec }
    deinit { bcf_destroy(rec) }
}

/// The header of a variant input: the text the writer starts its output header from, and the
/// contigs it declares.
public struct VariantHeader: Sendable, Equatable {
    /// The header text (`##` lines and the `#CHROM` line), as htslib formats it.
    public let text: String
    /// Contigs declared (by `##contig` lines, or a tabix index), in header order; length 0
    /// when the header gives none.
    public let contigs: [VariantContig]
    /// The number of samples.
    public let samples: Int
    /// True when the header came from a BCF file, whose records are copied in binary.
    let binary: Bool

    init(text: String, contigs: [VariantContig], samples: Int, binary: Bool) {
        self.text = text
        self.contigs = contigs
        self.samples = samples
        self.binary = binary
    }

    /// The header of a TSV input: VCF 4.2 with no contigs, INFO fields or samples.
    public static let minimal = VariantHeader(
        text: "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
        contigs: [], samples: 0, binary: false)

    /// Reads the header of an open htslib header object.
    static func from(_ hdr: UnsafeMutablePointer<bcf_hdr_t>, binary: Bool) throws -> VariantHeader {
        var ks = kstring_t()
        defer { crick_ks_free(&ks) }
        // is_bcf 1 keeps IDX= numbering, so a header parsed from this text numbers contigs
        // and tags as the input does (BCF records are copied with those numbers).
        guard bcf_hdr_format(hdr, 1, &ks) == 0, let s = ks.s else {
            throw VariantError.badHeader(path: "", detail: "htslib could not format it")
        }
        let text = String(cString: s)
        var contigs: [VariantContig] = []
        for rid in 0..<Int(crick_bcf_hdr_ncontigs(hdr)) {
            guard let name = crick_bcf_contig_name(hdr, Int32(rid)) else { continue }
            contigs.append(VariantContig(name: String(cString: name), length: Int(crick_bcf_contig_length(hdr, Int32(rid)))))
        }
        return VariantHeader(text: text, contigs: contigs, samples: Int(crick_bcf_hdr_nsamples(hdr)), binary: binary)
    }
}

/// A contig of a variant header: its name and declared length (0 when not declared).
public struct VariantContig: Sendable, Equatable {
    /// The contig's name.
    public let name: String
    /// Its length, 0 when the header gives none.
    public let length: Int

    /// A contig named `name` of `length` bases (0: unknown).
    public init(name: String, length: Int) {
        self.name = name
        self.length = length
    }
}
