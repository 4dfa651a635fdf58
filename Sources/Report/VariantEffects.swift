/// The effects of a set of scored variants for the report: their distribution by kind and the
/// strongest ones (`crick variants` TSV, one score column of one task).
public struct VariantEffects: Sendable {
    /// One scored allele.
    public struct Effect: Sendable, Equatable {
        /// chrom:pos ref>alt, with the record's id when it has one.
        public let label: String
        /// snv, mnp, insertion, deletion or complex.
        public let kind: String
        public let value: Double

        public init(label: String, kind: String, value: Double) {
            self.label = label
            self.kind = kind
            self.value = value
        }
    }

    public let name: String
    /// The score shown (logit_diff, diff, ...).
    public let score: String
    public let effects: [Effect]

    public init(name: String, score: String, effects: [Effect]) {
        self.name = name
        self.score = score
        self.effects = effects.filter { $0.value.isFinite }
    }

    /// The `n` largest |effects|, largest first (ties in input order).
    public func top(_ n: Int) -> [Effect] {
        Array(effects.enumerated().sorted { (abs($0.element.value), $1.offset) > (abs($1.element.value), $0.offset) }.prefix(n).map(\.element))
    }

    /// SNVs and MNPs apart from indels (insertions, deletions, complex).
    public var substitutions: [Effect] { effects.filter { $0.kind == "snv" || $0.kind == "mnp" } }
    public var indels: [Effect] { effects.filter { $0.kind != "snv" && $0.kind != "mnp" } }
}
