import ArgumentParser
import Genome
import Runs
import Scoring

extension Genome.VariantInputFormat: ExpressibleByArgument {}
extension Genome.RefMismatchPolicy: ExpressibleByArgument {}
extension Runs.VariantOutputKind: ExpressibleByArgument {}

/// `crick variants`: variant effect scores from a VCF, BCF or TSV.
struct Variants: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score the effect of each ALT allele of a VCF, BCF or TSV on a model's predictions.",
        discussion: """
            Each record's REF is checked against the FASTA (--ref-mismatch); each ALT is scored \
            on its own (multi-allelic records split as bcftools norm -m- splits them; symbolic, \
            breakend, '*' and missing ALTs are skipped and counted). With input length L and \
            c = floor(L/2), the reference window is the genome [p - c, p - c + L) for a first \
            REF base at 0-based p (1-based POS p + 1): that base sits at index c. The \
            alternative window keeps the start: SNVs and MNPs replace the bases; a deletion \
            fills from the right flank; an insertion of d extra bases trims floor(d/2) from the \
            left flank and the rest from the right. Bases past a contig end read as N. \
            Scores per task: ref_prob, alt_prob, diff (alt - ref probability), logit_diff, \
            log2fc; several --model are combined by their mean logit. --shuffles N adds an \
            empirical p-value against N dinucleotide-shuffled flank pairs. Output: TSV (one row \
            per scored allele, input order), or, by name, .vcf, .vcf.gz (indexed .tbi) or .bcf \
            (indexed .csi) keeping every record with CRICK_* INFO fields (Number=A). Output is \
            identical at every thread count; --shard K/N scores a contiguous K-th of the records.
            """)

    @Argument(help: "Variants: VCF, BCF (plain or bgzip) or TSV (chrom, pos, ref, alt[, id]); '-' for stdin.")
    var input: String

    @Option(help: "Indexed FASTA (plain or bgzip) of the assembly the variants are on.")
    var fasta: String

    @Option(help: "Model file or train run directory; repeatable (scores use the mean logit).")
    var model: [String] = []

    @Option(help: "Score only this task (default: every task).")
    var task: String?

    @Option(name: .customLong("strand-mode"), help: "Standard models: forward, average or max over x and rc(x); rc and conjoined models ignore it. (default: forward)")
    var strandMode: StrandCombination?

    @Option(help: "Score columns, comma-separated: ref_prob, alt_prob, diff, logit_diff, log2fc (default: all).", transform: VariantScoreList.parse)
    var scores: VariantScoreList?

    @Flag(name: .customLong("per-model"), help: "Also write each model's scores (columns .m1, .m2, ...).")
    var perModel = false

    @Option(name: .customLong("ref-mismatch"), help: "A REF that differs from the FASTA: skip (count it), warn (score it anyway) or error.")
    var refMismatch: RefMismatchPolicy = .skip

    @Option(name: .customLong("chrom-alias"), help: ArgumentHelp("Contig names of the variants mapped to the FASTA's (two columns, or a UCSC chromAlias file).", valueName: "file"))
    var chromAlias: String?

    @Option(help: "Only records overlapping this region (chr:start-end), through the input's .tbi/.csi index.")
    var region: String?

    @Option(name: .customLong("input-format"), help: "auto, vcf (VCF or BCF) or tsv.")
    var inputFormat: VariantInputFormat = .auto

    @Option(help: "Dinucleotide-shuffled flank pairs per allele for an empirical p-value (0: none).")
    var shuffles: Int = 0

    @Option(help: "Seed of the shuffles.")
    var seed: UInt64 = 1

    @Option(help: "tsv, vcf, vcf.gz or bcf (default: from the output name; tsv).")
    var format: VariantOutputKind?

    @Option(name: .shortAndLong, help: "Output file ('-' for stdout).")
    var output: String = "-"

    @Option(help: "Score part K of N (1-based) of the records, e.g. 3/10, for cluster jobs.", transform: Shard.parse)
    var shard: Shard?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if model.isEmpty { throw ValidationError("give at least one --model") }
        guard shuffles >= 0 && shuffles <= 100_000 else { throw ValidationError("--shuffles must be between 0 and 100000") }
    }

    func run() throws {
        var options = VariantRun.Options(input: input, fasta: fasta, models: model)
        options.inputFormat = inputFormat
        options.region = region
        options.task = task
        options.strandMode = strandMode
        options.scores = scores?.kinds ?? VariantScoreKind.defaults
        options.perModel = perModel
        options.refMismatch = refMismatch
        options.chromAlias = chromAlias
        options.shuffles = shuffles
        options.seed = seed
        options.format = format
        options.output = output
        options.shard = shard.map { ($0.part, $0.parts) }
        options.threads = common.threads
        let r = try VariantRun(options).run(reporter: ConsoleReporter(quiet: common.quiet))
        let skipped = r.alleles.skippedSummary
        Diagnostics.info("variants: \(r.records) records, \(r.scored) alleles scored"
                         + (r.unscored > 0 ? ", \(r.unscored) not scored (REF check)" : "")
                         + (skipped.isEmpty ? "" : "; skipped \(skipped)")
                         + (output == "-" ? "" : ": \(r.paths.joined(separator: ", "))"), quiet: common.quiet)
    }
}

/// `--scores a,b,...` of `VariantScoreKind`.
struct VariantScoreList {
    let kinds: [VariantScoreKind]

    static func parse(_ argument: String) throws -> VariantScoreList {
        var kinds: [VariantScoreKind] = []
        for item in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let k = VariantScoreKind(rawValue: String(item)) else {
                throw ValidationError("--scores takes \(VariantScoreKind.allCases.map(\.rawValue).joined(separator: ", ")), comma-separated (got '\(item)')")
            }
            if !kinds.contains(k) { kinds.append(k) }
        }
        return VariantScoreList(kinds: kinds)
    }
}
