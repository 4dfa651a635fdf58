import Foundation
import Genome
import Pipeline
import Scoring

/// The output formats of `crick variants`.
public enum VariantOutputKind: String, Sendable, CaseIterable {
    /// One row per ALT allele, tab-separated, with a header line.
    case tsv
    /// The input's records with INFO fields added: VCF, bgzip VCF (indexed .tbi), BCF (.csi).
    case vcf
    case vcfGz = "vcf.gz"
    case bcf

    /// The format a name implies: `.vcf`, `.vcf.gz`/`.vcf.bgz`, `.bcf`; anything else
    /// (`-`, `.tsv`) is TSV.
    public static func from(path: String) -> VariantOutputKind {
        guard path != "-" else { return .tsv }
        switch VariantOutputFormat.from(path: path) {
        case .vcf?: return path.hasPrefix("/dev/") ? .tsv : .vcf
        case .vcfGz?: return .vcfGz
        case .bcf?: return .bcf
        case nil: return .tsv
        }
    }
}

/// The score columns of a run: per selected task, each score of the ensemble, then (with
/// `models` > 0) each model's, then the p-value.
struct VariantColumns {
    let scores: [VariantScoreKind]
    let tasks: [String]
    let models: Int
    let pValues: Bool

    /// One column: its TSV name, INFO ID and description, and how to compute it.
    struct Column {
        let name: String
        let infoID: String
        let description: String
        /// Selected-task index, score, model (nil: the ensemble), or the p-value.
        let task: Int
        let score: VariantScoreKind?
        let model: Int?
    }

    var columns: [Column] {
        var out: [Column] = []
        let several = tasks.count > 1
        for (k, task) in tasks.enumerated() {
            let prefix = several ? "\(task)." : ""
            let infoSuffix = several ? "_" + VariantColumns.infoSafe(task) : ""
            for s in scores {
                out.append(Column(name: prefix + s.rawValue, infoID: "CRICK_" + s.rawValue.uppercased() + infoSuffix,
                                  description: "crick variants: \(s.meaning)\(several ? ", task \(task)" : "") (mean logit of the models)",
                                  task: k, score: s, model: nil))
            }
            for m in 0..<models {
                for s in scores {
                    out.append(Column(name: prefix + s.rawValue + ".m\(m + 1)", infoID: "CRICK_" + s.rawValue.uppercased() + infoSuffix + "_M\(m + 1)",
                                      description: "crick variants: \(s.meaning)\(several ? ", task \(task)" : ""), model \(m + 1)",
                                      task: k, score: s, model: m))
                }
            }
            if pValues {
                out.append(Column(name: prefix + "p_value", infoID: "CRICK_P_VALUE" + infoSuffix,
                                  description: "crick variants: empirical p-value of the logit effect against dinucleotide-shuffled flanks\(several ? ", task \(task)" : "")",
                                  task: k, score: nil, model: nil))
            }
        }
        return out
    }

    /// A task name as an INFO ID part: letters, digits and `_`.
    static func infoSafe(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    /// The value of `column` for an allele; `selected` maps task index k to the model output.
    static func value(_ column: Column, _ logits: AlleleLogits, selected: [Int]) -> Double {
        guard let score = column.score else { return logits.pValues?[column.task] ?? .nan }
        let task = selected[column.task]
        if let m = column.model { return score.value(ref: logits.ref[m][task], alt: logits.alt[m][task]) }
        let ref = meanLogits(logits.ref.map { [$0[task]] }).first ?? 0
        let alt = meanLogits(logits.alt.map { [$0[task]] }).first ?? 0
        return score.value(ref: ref, alt: alt)
    }
}

/// Where scored records go: a TSV (one row per scored allele) or a VCF/BCF (every record,
/// with per-ALT INFO values, missing for the ALTs not scored).
final class VariantSink {
    private let columns: [VariantColumns.Column]
    private let selected: [Int]
    private var tsv: OutputFile?
    private var vcf: VariantVCFWriter?
    private let path: String

    init(kind: VariantOutputKind, path: String, columns spec: VariantColumns, selected: [Int], header: VariantHeader, contigs: [VariantContig]) throws {
        self.path = path
        columns = spec.columns
        self.selected = selected
        if kind == .tsv {
            let out = try OutputFile(path: path)
            try out.write((["#chrom", "pos", "id", "ref", "alt", "alt_index", "kind"] + columns.map(\.name)).joined(separator: "\t") + "\n")
            tsv = out
        } else {
            let fields = columns.map { VariantInfoField(id: $0.infoID, number: .perAllele, type: .float, description: $0.description) }
            vcf = try VariantVCFWriter(path: path, header: header, fields: fields, contigs: contigs)
        }
    }

    /// Writes one record's rows (TSV) or the record (VCF).
    func write(_ s: ScoredRecord) throws {
        let r = s.item.record
        if let tsv {
            for (split, logits) in zip(s.item.split, s.alleles) {
                guard let logits, let allele = split.allele else { continue }
                var line = "\(r.chrom)\t\(r.pos + 1)\t\(r.id ?? ".")\t\(r.ref)\t\(allele.alt)\t\(allele.altIndex)\t\(allele.kind.rawValue)"
                for c in columns { line += "\t" + VariantSink.format(VariantColumns.value(c, logits, selected: selected)) }
                try tsv.write(line + "\n")
            }
        } else if let vcf {
            let values: [VariantInfoValue] = columns.map { c in
                guard s.alleles.contains(where: { $0 != nil }) else { return .missing }
                return .floats(s.alleles.map { $0.map { Float(VariantColumns.value(c, $0, selected: selected)) } })
            }
            try vcf.write(r, values: values)
        }
    }

    /// Commits the output (and its index); returns the files written and the warnings a
    /// user needs (why a compressed output has no index, an older index left beside it).
    func finish() throws -> (paths: [String], warnings: [String]) {
        if let tsv {
            try tsv.commit()
            return ([path], [])
        }
        guard let vcf else { return ([], []) }
        let summary = try vcf.finish()
        var warnings: [String] = []
        if let note = summary.note, note != VariantOutputSummary.streamNote { warnings.append("\(summary.path): \(note)") }
        for stale in summary.staleIndexes {
            warnings.append("\(stale) was left in place: it indexes the file \(summary.path) replaced, not the new one; remove it or rebuild it (bcftools index)")
        }
        return ([summary.path] + (summary.index.map { [$0] } ?? []), warnings)
    }

    /// Removes what was written.
    func abort() {
        tsv?.abort()
        vcf?.abort()
    }

    /// Seven significant digits, as the track writers print scores; NaN as `nan`.
    static func format(_ v: Double) -> String {
        v.isNaN ? "nan" : String(format: "%.7g", v)
    }
}

/// The TSV of `crick variants` read back (its writer is `VariantSink`): the fixed columns of
/// each row and its score columns by name.
public struct VariantTable: Sendable {
    /// One scored allele.
    public struct Row: Sendable, Equatable {
        public let chrom: String
        /// 1-based, as written.
        public let pos: Int
        public let id: String
        public let ref: String
        public let alt: String
        public let altIndex: Int
        public let kind: String
        /// Score column name -> value.
        public let scores: [String: Double]
    }

    /// The score columns, in file order.
    public let columns: [String]
    public let rows: [Row]

    static let fixed = ["#chrom", "pos", "id", "ref", "alt", "alt_index", "kind"]

    /// Parses the text of a variants TSV; a header or row that is not one is an error naming the line.
    public static func parse(_ text: String, path: String) throws -> VariantTable {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        if lines.last == "" { lines.removeLast() }
        guard let head = lines.first?.split(separator: "\t").map(String.init), Array(head.prefix(7)) == fixed else {
            throw RunError.invalid("not a crick variants table (the header does not start with \(fixed.joined(separator: " "))): \(path) line 1")
        }
        let columns = Array(head.dropFirst(7))
        var rows: [Row] = []
        for (k, line) in lines.enumerated().dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count == head.count, let pos = Int(f[1]), let altIndex = Int(f[5]) else {
                throw RunError.invalid("not a variants row (\(head.count) fields: chrom, pos, id, ref, alt, alt_index, kind and scores): \(path) line \(k + 1)")
            }
            var scores: [String: Double] = [:]
            for (i, c) in columns.enumerated() {
                guard let v = Double(f[7 + i]) else { throw RunError.invalid("\(c) '\(f[7 + i])' is not a number: \(path) line \(k + 1)") }
                scores[c] = v
            }
            rows.append(Row(chrom: f[0], pos: pos, id: f[2], ref: f[3], alt: f[4], altIndex: altIndex, kind: f[6], scores: scores))
        }
        return VariantTable(columns: columns, rows: rows)
    }

    /// Reads a variants TSV.
    public static func read(path: String) throws -> VariantTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw RunError.invalid("cannot read: \(path)") }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }
}
