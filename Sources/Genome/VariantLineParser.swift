/// Checks on VCF data lines that htslib 1.16's `vcf_parse` does not make (it accepts a line
/// of two columns, a POS that is not a number, an empty REF), and the parser of TSV variant
/// lines.
enum VariantLineParser {
    static let tab = UInt8(ascii: "\t"), comma = UInt8(ascii: ","), dot = UInt8(ascii: ".")

    /// What is wrong with a VCF data line (without its line end) in a file with `samples`
    /// samples, or nil when htslib may parse it.
    static func problem(vcfLine line: UnsafeBufferPointer<UInt8>, samples: Int) -> String? {
        // The first eight columns are looked at; the rest (samples) only counted.
        var fields: [Range<Int>] = []
        fields.reserveCapacity(8)
        var n = 1, start = 0
        for i in 0..<line.count where line[i] == tab {
            if fields.count < 8 { fields.append(start..<i) }
            start = i + 1
            n += 1
        }
        if fields.count < 8 { fields.append(start..<line.count) }
        if n < 8 {
            return "\(n) tab-separated column\(n == 1 ? "" : "s"), a VCF record needs at least 8 (CHROM POS ID REF ALT QUAL FILTER INFO)"
        }
        if samples > 0 && n != 9 + samples {
            return "\(n) columns, the header's \(samples) sample\(samples == 1 ? "" : "s") need \(9 + samples)"
        }
        if samples == 0 && n > 9 {
            return "\(n) columns, the header has no samples (8 columns, or 9 with FORMAT)"
        }
        func text(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: line[r]), as: UTF8.self) }
        if fields[0].isEmpty { return "empty CHROM" }
        let pos = UnsafeBufferPointer(rebasing: line[fields[1]])
        guard let p = unsignedInteger(pos) else { return "POS '\(text(fields[1]))' is not a positive integer" }
        if p < 1 { return "POS 0 (a telomere) is not supported: variants need a position on the contig" }
        if p > Interval.maxCoordinate { return "POS \(text(fields[1])) exceeds the largest coordinate crick accepts (\(Interval.maxCoordinate))" }
        if fields[3].isEmpty { return "empty REF" }
        if line[fields[3]].contains(comma) { return "REF '\(text(fields[3]))' holds a comma" }
        if fields[4].isEmpty { return "empty ALT (write '.' for none)" }
        var allele = 0
        for i in fields[4] {
            if line[i] == comma {
                if allele == 0 { return "empty allele in ALT '\(text(fields[4]))'" }
                allele = 0
            } else {
                allele += 1
            }
        }
        if allele == 0 { return "empty allele in ALT '\(text(fields[4]))'" }
        return nil
    }

    /// A decimal integer of digits only (no sign), saturating at `Int.max`; nil otherwise.
    static func unsignedInteger(_ f: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !f.isEmpty, !(f[0] == UInt8(ascii: "-") || f[0] == UInt8(ascii: "+")) else { return nil }
        return IntervalParser.integer(f)
    }

    /// The description of an htslib record error code (`bcf1_t.errcode`).
    static func describe(errcode: Int32) -> String {
        var parts: [String] = []
        if errcode & Int32(BCFError.contigUndefined) != 0 { parts.append("contig not defined in the header") }
        if errcode & Int32(BCFError.tagUndefined) != 0 { parts.append("tag not defined in the header") }
        if errcode & Int32(BCFError.columns) != 0 { parts.append("wrong number of columns") }
        if errcode & Int32(BCFError.limits) != 0 { parts.append("a value exceeds htslib's limits") }
        if errcode & Int32(BCFError.characters) != 0 { parts.append("invalid characters") }
        if errcode & Int32(BCFError.contigInvalid) != 0 { parts.append("invalid contig") }
        if errcode & Int32(BCFError.tagInvalid) != 0 { parts.append("invalid INFO, FORMAT or FILTER tag") }
        return parts.isEmpty ? "htslib could not parse it" : parts.joined(separator: ", ")
    }

    /// One TSV variant line: chrom, 1-based pos, ref, alt (comma-separated alleles), optional id.
    struct TSVFields {
        var chrom: String
        var pos: Int
        var ref: String
        var alts: [String]
        var id: String?
    }

    /// Parses a TSV data line (tabs, or runs of spaces when the line has no tab); nil for
    /// blank and `#` lines. Errors name the line and field.
    static func parseTSV(_ bytes: UnsafeBufferPointer<UInt8>, splitter: inout FieldSplitter, path: String, line: Int) throws -> TSVFields? {
        var text = bytes
        if text.last == UInt8(ascii: "\r") { text = UnsafeBufferPointer(rebasing: text.dropLast()) }
        guard let first = text.first(where: { $0 != UInt8(ascii: " ") && $0 != tab }) else { return nil }
        if first == UInt8(ascii: "#") { return nil }
        splitter.split(text)
        func fail(_ field: String, _ detail: String) -> VariantError {
            .malformedTSV(path: path, line: line, field: field, detail: detail)
        }
        let n = splitter.count
        guard n == 4 || n == 5 else {
            throw fail("line", "\(n) column\(n == 1 ? "" : "s"), expected 4 or 5: chrom, pos (1-based), ref, alt[, id]")
        }
        let chrom = splitter.string(0)
        if chrom.isEmpty { throw fail("chrom", "empty") }
        guard let pos = unsignedInteger(splitter.field(1)) else {
            let value = splitter.string(1)
            throw fail("pos", "'\(value)' is not a positive integer\(value.lowercased().hasPrefix("pos") ? "; a header line must start with '#'" : "")")
        }
        guard pos >= 1 else { throw fail("pos", "positions are 1-based, 0 is not one") }
        guard pos <= Interval.maxCoordinate else { throw fail("pos", "\(splitter.string(1)) exceeds the largest coordinate crick accepts (\(Interval.maxCoordinate))") }
        let ref = splitter.string(2)
        if ref.isEmpty || ref == "." || ref.contains(",") { throw fail("ref", "'\(ref)' is not a REF allele") }
        let altText = splitter.string(3)
        let alts = altText == "." ? [] : altText.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if alts.contains(where: \.isEmpty) { throw fail("alt", "empty allele in '\(altText)'") }
        var id: String? = nil
        if n == 5 {
            let value = splitter.string(4)
            if value.contains(";") { throw fail("id", "'\(value)' holds a ';'") }
            if value != "." && !value.isEmpty { id = value }
        }
        return TSVFields(chrom: chrom, pos: pos, ref: ref, alts: alts, id: id)
    }

    /// The VCF line of a TSV record (QUAL, FILTER and INFO missing), which the writer parses.
    static func vcfLine(_ f: TSVFields) -> [UInt8] {
        let alt = f.alts.isEmpty ? "." : f.alts.joined(separator: ",")
        return Array("\(f.chrom)\t\(f.pos)\t\(f.id ?? ".")\t\(f.ref)\t\(alt)\t.\t.\t.".utf8)
    }
}

/// htslib's `BCF_ERR_*` codes (vcf.h), which Swift does not import as one set.
enum BCFError {
    static let contigUndefined = 1
    static let tagUndefined = 2
    static let columns = 4
    static let limits = 8
    static let characters = 16
    static let contigInvalid = 32
    static let tagInvalid = 64
    /// Codes after which htslib has added a dummy header line and the record is usable.
    static let warnings = contigUndefined | tagUndefined
}
