import ArgumentParser
import Foundation
import Interpret
import Runs

extension Interpret.ColumnScore: ExpressibleByArgument {}

/// `crick motifs`: first-layer filters as motifs, optionally matched against a database.
struct Motifs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "First-layer filters as motifs (activation-based PWMs), compared with known motifs.",
        discussion: """
            For every first-layer filter: the positions where its output (after batch norm and \
            activation) exceeds --threshold x its maximum over the sequences, the one-hot windows \
            aligned there averaged, flanks under --trim-bits (0.5) trimmed but for --trim-pad \
            columns beside the informative core (Koo & Ploenzke 2021). In rc \
            models a filter and its reverse-complement channel give one motif. Writes DIR/filters.meme \
            and DIR/filters.tsv; --compare DB.meme adds DIR/matches.tsv (Tomtom-style: Pearson \
            column scores over every overlapping offset and both strands, Tomtom's complete \
            scoring unless --incomplete-scores, p-values from the database's null column scores, \
            E = p x database size, q-values); --truth (a simulator \
            directory or its motifs.meme) adds DIR/truth.tsv: match fraction, match-any and coverage. \
            --queries FILE compares the motifs of a file (TF-MoDISco's patterns, say) in place of a \
            model's filters, trimmed the same way.
            """)

    @Option(help: "Model file (model.safetensors), or a crick train run directory.")
    var model: String?

    @Argument(help: "A dataset directory, or a FASTA file of sequences (with --model).")
    var input: String?

    @Option(help: "Compare the motifs of this file (MEME, JASPAR or HOMER; TF-MoDISco's patterns from modisco meme -t PFM, say) instead of a model's filters.")
    var queries: String?

    @Option(help: "Dataset split: train, valid or test.")
    var split: DatasetSplit = .test

    @Option(help: "Share of a filter's maximum output that marks a site.")
    var threshold: Float = 0.5

    @Option(help: "Window width around each site (default: the filter width).")
    var window: Int?

    @Option(name: .customLong("trim-bits"), help: "Flanking columns under this information content (bits) are trimmed; 0 keeps the whole window.")
    var trimBits: Double = 0.5

    @Option(name: .customLong("trim-pad"), help: "Columns kept on each side of the informative core when trimming (Koo & Ploenzke's analysis keeps 3).")
    var trimPad: Int = 0

    @Option(help: "Known motifs (MEME or JASPAR) to compare the filters with.")
    var compare: String?

    @Option(help: "Ground truth: a crick simulate directory or a motif file.")
    var truth: String?

    @Option(help: "Column score: pearson or euclidean.")
    var distance: ColumnScore = .pearson

    @Option(name: .customLong("min-overlap"), help: "Fewest aligned columns in a comparison.")
    var minOverlap: Int = 5

    @Flag(name: .customLong("incomplete-scores"), help: "Score the aligned columns only (Tomtom's -incomplete-scores; default: complete scoring).")
    var incompleteScores = false

    @Option(name: .customLong("max-matches"), help: "Matches listed per filter in matches.tsv.")
    var maxMatches: Int = 5

    @Flag(name: .customLong("no-baseline"), help: "Skip the untrained baseline (the same architecture initialised with the training seed, its filters compared too: untrained.tsv).")
    var noBaseline = false

    @Option(name: .shortAndLong, help: "Output directory.")
    var output: String

    @OptionGroup var replace: ForceOption

    @OptionGroup var common: CommonOptions

    func validate() throws {
        guard (queries == nil) == (model != nil && input != nil), queries == nil || (model == nil && input == nil) else {
            throw ValidationError("give --model MODEL and the INPUT sequences, or --queries FILE")
        }
        guard threshold > 0 && threshold < 1 else { throw ValidationError("--threshold must be between 0 and 1") }
        try FlagBounds.length(window, "--window")
        guard trimBits >= 0 && trimBits <= 2 else { throw ValidationError("--trim-bits must be between 0 and 2") }
        guard trimPad >= 0 else { throw ValidationError("--trim-pad must be at least 0") }
        guard minOverlap >= 1 else { throw ValidationError("--min-overlap must be at least 1") }
    }

    func run() throws {
        var options = MotifRun.Options(model: model ?? "", input: input ?? "", output: output)
        options.queries = queries
        options.split = split
        options.threshold = threshold
        options.window = window
        options.trimBits = trimBits
        options.trimPad = trimPad
        options.compare = compare
        options.truth = truth
        options.distance = distance
        options.minOverlap = minOverlap
        options.scoring = incompleteScores ? .incomplete : .complete
        options.maxMatches = maxMatches
        options.force = replace.force
        options.threads = common.threads
        options.baseline = !noBaseline
        let result = try MotifRun(options).run()
        if let s = result.truth {
            print("match fraction \(String(format: "%.3f", s.matchFraction)) (any truth hit \(String(format: "%.3f", s.matchFractionAnyHit))), "
                  + "match-any \(String(format: "%.3f", s.matchAny)), coverage \(String(format: "%.3f", s.coverage)) "
                  + "(\(s.recovered.count) of \(s.truthMotifs) truth motifs; any truth hit \(String(format: "%.3f", s.coverageAnyHit)))")
        }
        if let significant = result.significant {
            var line = "\(significant) of \(result.filters) \(queries == nil ? "filters" : "motifs") match with E < 0.1"
            if let u = result.untrained {
                line += "; untrained (seed \(u.seed)): \(u.significant) of \(u.filters)"
                if let t = u.truth { line += String(format: ", match fraction %.3f, coverage %.3f", t.matchFraction, t.coverage) }
            }
            print(line)
        }
        if common.verbose {
            Diagnostics.info("seconds: " + result.stages.map { "\($0.stage) \(String(format: "%.4f", $0.seconds))" }.joined(separator: ", "), quiet: false)
        }
        Diagnostics.info("motifs of \(result.filters) \(queries == nil ? "filters" : "queries"): \(output)/filters.meme", quiet: common.quiet)
    }
}
