/// Errors raised while reading, checking and writing variants (VCF, BCF, TSV).
///
/// Like `GenomeError`, every case carries its context and `description` reads
/// `<what>: <where>`, where `<where>` names the file and the record (`in.vcf line 12
/// (record 3)`, `in.bcf record 3`) or the line of a TSV file. Files that cannot be found,
/// opened or that are truncated are reported as `GenomeError`s, as for every other input.
public enum VariantError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The input is not what was asked for (not VCF or BCF, or a VCF given as TSV).
    case wrongFormat(path: String, detail: String)
    /// The VCF or BCF header could not be read.
    case badHeader(path: String, detail: String)
    /// A VCF or BCF record htslib could not parse, or one that breaks the format.
    case malformedRecord(origin: String, detail: String)
    /// A bad line in a TSV variant file: its field and what is wrong with it.
    case malformedTSV(path: String, line: Int, field: String, detail: String)
    /// A read failed in the middle of the file (a corrupt or cut BCF or bgzip block).
    case readFailed(origin: String, detail: String)
    /// A region names a contig that the VCF header (and its index) does not declare.
    case contigNotInHeader(path: String, contig: String)
    /// A region was asked of a file that has no index (or cannot have one).
    case noIndex(path: String, detail: String)
    /// A record's contig (after aliases) is absent from the FASTA.
    case contigNotInFasta(origin: String, contig: String, fasta: String)
    /// A record's REF does not match the FASTA (or runs past the contig end).
    case refMismatch(origin: String, detail: String)
    /// An INFO field definition the writer cannot use.
    case badField(id: String, detail: String)
    /// A value given to the writer that does not fit its field or record.
    case badValue(path: String, origin: String, detail: String)
    /// The output cannot hold a record (BCF needs every contig and tag in its header).
    case unwritable(path: String, origin: String, detail: String)
    /// Records handed to the writer out of input order.
    case outOfOrder(path: String, detail: String)
    /// An htslib call failed while writing or indexing.
    case htslib(path: String, call: String, code: Int)

    public var description: String {
        switch self {
        case .wrongFormat(let path, let detail):
            return "\(detail): \(path)"
        case .badHeader(let path, let detail):
            return "cannot read the VCF header (\(detail)): \(path)"
        case .malformedRecord(let origin, let detail):
            return "malformed VCF record (\(detail)): \(origin)"
        case .malformedTSV(let path, let line, let field, let detail):
            return "bad \(field) in variant TSV (\(detail)): \(path) line \(line)"
        case .readFailed(let origin, let detail):
            return "cannot read variants (\(detail)): \(origin)"
        case .contigNotInHeader(let path, let contig):
            return "contig '\(contig)' is not declared in the VCF header or its index: \(path)"
        case .noIndex(let path, let detail):
            return "\(detail): \(path)"
        case .contigNotInFasta(let origin, let contig, let fasta):
            return "contig '\(contig)' is not in the FASTA \(fasta) (pass --chrom-alias FILE if it has another name there): \(origin)"
        case .refMismatch(let origin, let detail):
            return "\(detail): \(origin)"
        case .badField(let id, let detail):
            return "cannot add INFO field '\(id)': \(detail)"
        case .badValue(let path, let origin, let detail):
            return "cannot write \(origin) to \(path): \(detail)"
        case .unwritable(let path, let origin, let detail):
            return "cannot write \(origin) to \(path): \(detail)"
        case .outOfOrder(let path, let detail):
            return "records must be written in input order (\(detail)): \(path)"
        case .htslib(let path, let call, let code):
            return "htslib \(call) failed with code \(code): \(path)"
        }
    }
}
