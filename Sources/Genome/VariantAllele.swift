/// What an allele does to the reference, judged after removing the bases REF and ALT share
/// at their ends (first the common suffix, then the common prefix, case-insensitively), so
/// that the anchor base of a VCF indel and the padding of an MNP do not count.
public enum VariantKind: String, Sendable, CaseIterable {
    /// One base replaced by another (`AC>AT` is one too: C>T).
    case snv
    /// Several bases replaced by as many others.
    case mnp
    /// Bases added (`A>ATT`).
    case insertion
    /// Bases removed (`ATT>A`).
    case deletion
    /// Bases replaced by a different number of other bases (`AC>GTT`).
    case complex

    /// The kind of REF -> ALT; nil when they are equal (case-insensitively).
    public static func of(ref: some Collection<UInt8>, alt: some Collection<UInt8>) -> VariantKind? {
        let r = ref.map(upper), a = alt.map(upper)
        var rEnd = r.count, aEnd = a.count
        while rEnd > 0 && aEnd > 0 && r[rEnd - 1] == a[aEnd - 1] { rEnd -= 1; aEnd -= 1 }
        var start = 0
        while start < rEnd && start < aEnd && r[start] == a[start] { start += 1 }
        let rn = rEnd - start, an = aEnd - start
        switch (rn, an) {
        case (0, 0): return nil
        case (0, _): return .insertion
        case (_, 0): return .deletion
        case (1, 1): return .snv
        default: return rn == an ? .mnp : .complex
        }
    }

    private static func upper(_ b: UInt8) -> UInt8 { b >= 97 && b <= 122 ? b - 32 : b }
}

/// One ALT allele of a record, as `bcftools norm -m-` would write it on a line of its own:
/// same CHROM, POS, REF and ALT (nothing trimmed or left-aligned).
public struct VariantAllele: Sendable, Equatable {
    /// The record's ordinal in the input (1-based).
    public let record: Int
    /// The ALT's index in the record, 1-based as in bcftools (the first ALT is 1).
    public let altIndex: Int
    /// Contig name as the input spells it.
    public let chrom: String
    /// 0-based position of the first REF base.
    public let pos: Int
    /// The REF allele as written.
    public let ref: String
    /// The ALT allele as written.
    public let alt: String
    /// What the allele does.
    public let kind: VariantKind

    /// An allele (for callers and tests that build them directly).
    public init(record: Int, altIndex: Int, chrom: String, pos: Int, ref: String, alt: String, kind: VariantKind) {
        self.record = record
        self.altIndex = altIndex
        self.chrom = chrom
        self.pos = pos
        self.ref = ref
        self.alt = alt
        self.kind = kind
    }
}

/// Why an ALT is not turned into a `VariantAllele`.
public enum AlleleSkipReason: String, Sendable, CaseIterable {
    /// `.` inside an ALT list (a whole ALT of `.` means the record has no ALT at all).
    case missing
    /// `*`: the position is deleted by an overlapping variant.
    case spanningDeletion = "spanning-deletion"
    /// `<...>`: `<DEL>`, `<INS>`, `<NON_REF>`, `<*>` and every other symbolic allele (also
    /// VCF 4.1's `C<ctg1>` contig insertions).
    case symbolic
    /// Breakends: `G]chr2:100]`, `[chr2:100[G` and single breakends `G.`, `.G`.
    case breakend
    /// REF or ALT holds a base other than A, C, G, T and N (either case): IUPAC codes such as
    /// R or Y, or any other character. N itself is a base (unknown) and is kept.
    case nonACGTN = "non-ACGTN"
    /// ALT equals REF (case-insensitively): no change to score.
    case sameAsRef = "same-as-REF"
}

/// One ALT of a record after the split: an allele, or why it was skipped.
public enum AlleleSplit: Sendable, Equatable {
    /// A sequence allele.
    case allele(VariantAllele)
    /// An ALT that is not one; `altIndex` is 1-based.
    case skipped(altIndex: Int, alt: String, reason: AlleleSkipReason)

    /// The ALT's 1-based index in its record.
    public var altIndex: Int {
        switch self {
        case .allele(let a): return a.altIndex
        case .skipped(let i, _, _): return i
        }
    }

    /// The allele, when this is one.
    public var allele: VariantAllele? {
        if case .allele(let a) = self { return a }
        return nil
    }
}

extension VariantRecord {
    /// Every ALT in order, each as an allele or a skip reason: element i is ALT i + 1, so the
    /// result has `alts.count` elements (none for a record whose ALT is `.`). The alleles kept
    /// are the lines `bcftools norm -m-` writes for the record, in the same order, less the
    /// skipped ones.
    public func splitAlleles() -> [AlleleSplit] {
        let refBad = !ref.utf8.allSatisfy(VariantRecord.isACGTN)
        return alts.enumerated().map { i, alt in
            let index = i + 1
            if let reason = VariantRecord.skipReason(alt: alt, refBad: refBad) {
                return .skipped(altIndex: index, alt: alt, reason: reason)
            }
            guard let kind = VariantKind.of(ref: ref.utf8, alt: alt.utf8) else {
                return .skipped(altIndex: index, alt: alt, reason: .sameAsRef)
            }
            return .allele(VariantAllele(record: ordinal, altIndex: index, chrom: chrom, pos: pos, ref: ref, alt: alt, kind: kind))
        }
    }

    /// The reason to skip `alt`, checked in the order of `AlleleSkipReason` (less `sameAsRef`).
    static func skipReason(alt: String, refBad: Bool) -> AlleleSkipReason? {
        let bytes = alt.utf8
        guard let first = bytes.first, let last = bytes.last else { return .missing }
        if bytes.count == 1 && first == UInt8(ascii: ".") { return .missing }
        if bytes.count == 1 && first == UInt8(ascii: "*") { return .spanningDeletion }
        if bytes.contains(UInt8(ascii: "<")) { return .symbolic }
        if bytes.contains(UInt8(ascii: "[")) || bytes.contains(UInt8(ascii: "]")) { return .breakend }
        if first == UInt8(ascii: ".") || last == UInt8(ascii: ".") { return .breakend }
        if refBad || !bytes.allSatisfy(isACGTN) { return .nonACGTN }
        return nil
    }

    /// True for A, C, G, T and N in either case.
    static func isACGTN(_ b: UInt8) -> Bool {
        switch b | 0x20 {
        case UInt8(ascii: "a"), UInt8(ascii: "c"), UInt8(ascii: "g"), UInt8(ascii: "t"), UInt8(ascii: "n"): return true
        default: return false
        }
    }
}

/// Counts of a run's alleles: kept by kind, skipped by reason.
public struct AlleleTally: Sendable, Equatable {
    /// Records seen.
    public var records = 0
    /// Records whose ALT is `.` (no allele).
    public var recordsWithoutAlt = 0
    /// ALTs seen.
    public var alts = 0
    /// Alleles kept, by kind.
    public var kinds: [VariantKind: Int] = [:]
    /// ALTs skipped, by reason.
    public var skipped: [AlleleSkipReason: Int] = [:]

    /// Nothing counted yet.
    public init() {}

    /// Alleles kept.
    public var alleles: Int { kinds.values.reduce(0, +) }

    /// ALTs skipped for any reason.
    public var skippedCount: Int { skipped.values.reduce(0, +) }

    /// Counts the split of one record.
    public mutating func add(_ split: [AlleleSplit]) {
        records += 1
        if split.isEmpty { recordsWithoutAlt += 1 }
        alts += split.count
        for s in split {
            switch s {
            case .allele(let a): kinds[a.kind, default: 0] += 1
            case .skipped(_, _, let reason): skipped[reason, default: 0] += 1
            }
        }
    }

    /// "3 symbolic, 1 spanning-deletion", in the order of `AlleleSkipReason`; empty when none.
    public var skippedSummary: String {
        AlleleSkipReason.allCases.compactMap { r in skipped[r].map { "\($0) \(r.rawValue)" } }.joined(separator: ", ")
    }
}
