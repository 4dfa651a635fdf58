/// What to do with a record whose REF does not match the FASTA (`--ref-mismatch`).
public enum RefMismatchPolicy: String, Sendable, CaseIterable {
    /// Skip its alleles (counted), as `bcftools norm -c x`.
    case skip
    /// Keep its alleles, scored on the FASTA's bases, and count it for a warning (`-c w`).
    case warn
    /// Fail at the first mismatch (`-c e`).
    case error
}

/// The result of checking one record's REF against the FASTA.
public enum RefCheckOutcome: Sendable, Equatable {
    /// REF matches the FASTA at [pos, pos + len(REF)).
    case match
    /// REF differs; `reference` holds the FASTA's bases there (uppercase, non-ACGT as N).
    case mismatch(reference: String)
    /// REF runs past the end of its contig, of `contigLength` bases.
    case pastEnd(contigLength: Int)
    /// The contig (after aliases) is not in the FASTA.
    case absentContig
}

/// A mismatching record, for the caller's report.
public struct RefMismatchExample: Sendable, Equatable {
    /// Where the record is (`in.vcf line 12 (record 3)`).
    public let origin: String
    /// `chrom:pos` (1-based), the contig as the input names it.
    public let locus: String
    /// The record's REF.
    public let ref: String
    /// The FASTA's bases (uppercase, non-ACGT as N); empty past the contig end.
    public let reference: String
}

/// Counts of a run's REF checks.
public struct RefCheckTally: Sendable, Equatable {
    /// Records checked.
    public var checked = 0
    /// Records whose REF matched.
    public var matched = 0
    /// Records whose REF differed from the FASTA.
    public var mismatched = 0
    /// Records whose REF ran past the end of its contig.
    public var pastEnd = 0
    /// Records on contigs absent from the FASTA (after aliases), by contig name.
    public var absent: [String: Int] = [:]
    /// The first mismatching records (and those past a contig end), up to the check's limit.
    public var examples: [RefMismatchExample] = []

    /// Nothing counted yet.
    public init() {}

    /// Records on absent contigs, all names.
    public var absentContig: Int { absent.values.reduce(0, +) }

    /// Absent contig names, most records first.
    public var absentNames: [String] { ContigNameHint.byCount(absent) }
}

/// Checks the REF of records against a FASTA, serially, counting what it finds.
///
/// The reference bases are those at [pos, pos + len(REF)) of the contig, the VCF's name
/// mapped through `ContigAliases` first. The comparison ignores case. N in the VCF's REF
/// matches any FASTA base (the VCF does not know the base; `bcftools norm -c s` likewise
/// accepts it, setting it to the FASTA's base); a FASTA base other than A, C, G or T counts
/// as N (as bcftools turns IUPAC codes into N) and matches only N. A REF past the contig end
/// counts as a mismatch for the policy (kept under `warn`, where the window pads N), and a
/// contig missing from the FASTA is an error under `error` and is skipped otherwise.
public final class VariantRefCheck {
    /// The FASTA.
    public let fasta: FastaFile
    /// What to do with a mismatch.
    public let policy: RefMismatchPolicy
    /// Contig names of the variants mapped to the FASTA's.
    public let aliases: ContigAliases
    /// How many mismatching records `tally.examples` keeps.
    public let exampleLimit: Int
    /// The counts so far.
    public private(set) var tally = RefCheckTally()
    private let reader: FastaReader

    /// A check against `fasta` (opened with a reader of its own) under `policy`.
    public init(fasta: FastaFile, policy: RefMismatchPolicy, aliases: ContigAliases = ContigAliases(), exampleLimit: Int = 5) throws {
        self.fasta = fasta
        self.policy = policy
        self.aliases = aliases
        self.exampleLimit = exampleLimit
        reader = try fasta.makeReader()
    }

    /// The FASTA contig number of a variant contig name, through the aliases; nil if absent.
    public func contigIndex(of chrom: String) -> Int? {
        if let i = fasta.contigIndex(chrom) { return i }
        if let name = aliases.target(of: chrom) { return fasta.contigIndex(name) }
        return nil
    }

    /// Checks `record`'s REF and counts the outcome; under `error`, a mismatch, a REF past
    /// the contig end, or an absent contig throws an error naming the file and record.
    public func check(_ record: VariantRecord) throws -> RefCheckOutcome {
        tally.checked += 1
        guard let contig = contigIndex(of: record.chrom) else {
            if policy == .error {
                throw VariantError.contigNotInFasta(origin: record.origin, contig: record.chrom, fasta: fasta.path)
            }
            tally.absent[record.chrom, default: 0] += 1
            return .absentContig
        }
        let length = fasta.contigs[contig].length
        let refLength = record.ref.utf8.count
        guard record.pos + refLength <= length else {
            tally.pastEnd += 1
            if policy == .error {
                throw VariantError.refMismatch(origin: record.origin, detail: "REF \(VariantRefCheck.short(record.ref)) at \(record.locus) runs past the end of contig \(fasta.contigs[contig].name) (length \(length)) in the FASTA \(fasta.path)")
            }
            remember(record, reference: "")
            return .pastEnd(contigLength: length)
        }
        let bases = try reader.sequence(contigIndex: contig, record.pos, record.pos + refLength)
        if VariantRefCheck.matches(ref: record.ref.utf8, reference: bases) {
            tally.matched += 1
            return .match
        }
        let reference = String(decoding: bases.map(VariantRefCheck.normalised), as: UTF8.self)
        tally.mismatched += 1
        if policy == .error {
            throw VariantError.refMismatch(origin: record.origin, detail: "REF \(VariantRefCheck.short(record.ref)) at \(record.locus) does not match the FASTA's \(VariantRefCheck.short(reference)) (\(fasta.path))")
        }
        remember(record, reference: reference)
        return .mismatch(reference: reference)
    }

    /// True when the alleles of a record with this outcome are to be scored: a match, or a
    /// mismatch (or REF past the contig end) under `warn`.
    public func keeps(_ outcome: RefCheckOutcome) -> Bool {
        switch outcome {
        case .match: return true
        case .mismatch, .pastEnd: return policy == .warn
        case .absentContig: return false
        }
    }

    /// True when the VCF's REF bases equal the FASTA's (`reference`, as stored), by the rule of
    /// the type's documentation: case ignored, N in REF matches anything, a FASTA base other
    /// than ACGT counts as N, and any other byte in REF (an IUPAC code) matches nothing.
    public static func matches(ref: some Collection<UInt8>, reference: some Collection<UInt8>) -> Bool {
        guard ref.count == reference.count else { return false }
        for (r, f) in zip(ref, reference) {
            if (r | 0x20) == UInt8(ascii: "n") { continue }
            let a = normalised(r)
            // An IUPAC code or other byte in REF matches nothing (bcftools: NON_ACGTN_REF).
            if a == UInt8(ascii: "N") || a != normalised(f) { return false }
        }
        return true
    }

    /// A base uppercased, with anything but A, C, G and T as N.
    static func normalised(_ b: UInt8) -> UInt8 {
        let u = b >= 97 && b <= 122 ? b - 32 : b
        switch u {
        case UInt8(ascii: "A"), UInt8(ascii: "C"), UInt8(ascii: "G"), UInt8(ascii: "T"): return u
        default: return UInt8(ascii: "N")
        }
    }

    /// The warnings of a run: mismatches (with the first examples) and absent contigs;
    /// empty when every record matched.
    public func warnings() -> [String] {
        var out: [String] = []
        let t = tally
        let bad = t.mismatched + t.pastEnd
        if bad > 0 {
            let what = policy == .warn ? "kept, scored on the FASTA's bases" : "skipped"
            var w = "\(bad) record\(bad == 1 ? "" : "s") of \(t.checked) had a REF that does not match the FASTA \(fasta.path) (\(what))"
            if t.pastEnd > 0 { w += ", \(t.pastEnd) of them past a contig end" }
            let shown = t.examples.map { e in
                "\(e.locus) REF \(VariantRefCheck.short(e.ref)) FASTA \(e.reference.isEmpty ? "(past the end)" : VariantRefCheck.short(e.reference)) (\(e.origin))"
            }
            if !shown.isEmpty { w += ": " + shown.joined(separator: "; ") + (bad > shown.count ? "; ..." : "") }
            if bad * 2 > t.checked && t.checked >= 2 { w += "; the variants may come from another assembly" }
            out.append(w)
        }
        if t.absentContig > 0 {
            var w = "skipped \(t.absentContig) record\(t.absentContig == 1 ? "" : "s") on contigs absent from the FASTA \(fasta.path) (\(ContigNameHint.list(t.absentNames)))"
            if let cause = ContigNameHint.cause(absent: t.absentNames, fasta: fasta) { w += ": \(cause): pass --chrom-alias FILE" }
            out.append(w)
        }
        return out
    }

    private func remember(_ record: VariantRecord, reference: String) {
        guard tally.examples.count < exampleLimit else { return }
        tally.examples.append(RefMismatchExample(origin: record.origin, locus: record.locus, ref: record.ref, reference: reference))
    }

    /// Long alleles shortened for messages: the first 20 bases and the length.
    static func short(_ s: String) -> String {
        s.utf8.count <= 24 ? s : String(s.prefix(20)) + "...(\(s.utf8.count) bp)"
    }
}
