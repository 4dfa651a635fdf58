import ArgumentParser
import Dataset
import Foundation
import Genome
import Interpret
import NeuralNet
import Pipeline

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
            directory or its motifs.meme) adds DIR/truth.tsv: match fraction, match-any and coverage.
            """)

    @Option(help: "Model file (model.safetensors), or a crick train run directory.")
    var model: String

    @Argument(help: "A dataset directory, or a FASTA file of sequences.")
    var input: String

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

    @Option(name: .shortAndLong, help: "Output directory.")
    var output: String

    @OptionGroup var replace: ForceOption

    @OptionGroup var common: CommonOptions

    /// The kind recorded in the manifest of a motifs directory.
    static let outputKind = "motifs"
    /// The files of a motifs directory.
    static let files: Set<String> = ["filters.meme", "filters.tsv", "matches.tsv", "truth.tsv"]

    func validate() throws {
        guard threshold > 0 && threshold < 1 else { throw ValidationError("--threshold must be between 0 and 1") }
        try FlagBounds.length(window, "--window")
        guard trimBits >= 0 && trimBits <= 2 else { throw ValidationError("--trim-bits must be between 0 and 2") }
        guard trimPad >= 0 else { throw ValidationError("--trim-pad must be at least 0") }
        guard minOverlap >= 1 else { throw ValidationError("--min-overlap must be at least 1") }
    }

    func run() throws {
        setBLASThreads(common.threads)
        let m = try ModelFile.read(model).model
        let extractor = try FilterMotifExtractor(model: m, threshold: threshold, window: window, trimBits: trimBits, trimPad: trimPad)
        let batches = try sequenceBatches(extractor)
        let filters = try extractor.extract(batches)
        let queries = filters.map(\.motif)

        var truthMotifs: [Motif] = []
        if let truth {
            var isDir: ObjCBool = false
            let path = FileManager.default.fileExists(atPath: truth, isDirectory: &isDir) && isDir.boolValue ? truth + "/motifs.meme" : truth
            truthMotifs = try MotifFile.read(path: path)
        }
        let known = try compare.map { try MotifFile.read(path: $0) } ?? []
        let (database, truthIndex) = databaseWithTruth(known, truth: truthMotifs)
        let scoring: AlignmentScoring = incompleteScores ? .incomplete : .complete
        let matches = database.isEmpty ? [] : MotifComparison(database: database, column: distance, minOverlap: minOverlap,
                                                               scoring: scoring).compare(queries)

        let staging = try StagingDirectory(final: output, kind: Motifs.outputKind, force: replace.force, legacyFiles: Motifs.files)
        do {
            try write(MotifFile.memeText(queries), to: staging.path + "/filters.meme")
            var tsv = "filter\tsites\twidth\tinformation_content\tconsensus\tbest_match\tbest_match_name\tbest_e_value\n"
            for (i, f) in filters.enumerated() {
                let best = matches.isEmpty ? nil : matches[i].first
                tsv += "\(f.motif.id)\t\(f.sites)\t\(f.motif.width)\t\(String(format: "%.3f", f.informationContent))\t\(f.motif.consensus)\t"
                tsv += best.map { "\(database[$0.target].id)\t\(database[$0.target].name)\t\(String(format: "%.3g", $0.eValue))" } ?? ".\t.\t."
                tsv += "\n"
            }
            try write(tsv, to: staging.path + "/filters.tsv")
            if !matches.isEmpty {
                var out = "filter\trank\ttarget_id\ttarget_name\toffset\tstrand\toverlap\tp_value\te_value\tq_value\n"
                for (i, list) in matches.enumerated() {
                    for (r, x) in list.prefix(maxMatches).enumerated() {
                        out += "\(queries[i].id)\t\(r + 1)\t\(database[x.target].id)\t\(database[x.target].name)\t\(x.offset)\t\(x.strand)\t\(x.overlap)\t"
                        out += "\(String(format: "%.3e", x.pValue))\t\(String(format: "%.3e", x.eValue))\t\(String(format: "%.3e", x.qValue))\n"
                    }
                }
                try write(out, to: staging.path + "/matches.tsv")
            }
            if !truthMotifs.isEmpty {
                let s = TruthSummary(matches: matches, database: database, truth: truthIndex)
                let text = "match_fraction\tmatch_any\tcoverage\tfilters\ttruth_motifs\trecovered\tmatch_fraction_any_hit\tcoverage_any_hit\n"
                    + "\(String(format: "%.4f", s.matchFraction))\t\(String(format: "%.4f", s.matchAny))\t\(String(format: "%.4f", s.coverage))\t\(s.filters)\t\(s.truthMotifs)\t\(s.recovered.joined(separator: ","))\t\(String(format: "%.4f", s.matchFractionAnyHit))\t\(String(format: "%.4f", s.coverageAnyHit))\n"
                try write(text, to: staging.path + "/truth.tsv")
                print("match fraction \(String(format: "%.3f", s.matchFraction)) (any truth hit \(String(format: "%.3f", s.matchFractionAnyHit))), "
                      + "match-any \(String(format: "%.3f", s.matchAny)), coverage \(String(format: "%.3f", s.coverage)) "
                      + "(\(s.recovered.count) of \(s.truthMotifs) truth motifs; any truth hit \(String(format: "%.3f", s.coverageAnyHit)))")
            }
            try staging.commit()
        } catch {
            staging.abort()
            throw error
        }
        Diagnostics.info("motifs of \(filters.count) filters: \(output)/filters.meme", quiet: common.quiet)
    }

    private func write(_ text: String, to path: String) throws {
        let out = try OutputFile(path: path)
        try out.write(text)
        try out.commit()
    }

    /// Batches of equal-length sequences: dataset rows of the split, or FASTA records in
    /// overlapping chunks (bounded memory whatever a record's length).
    private func sequenceBatches(_ extractor: FilterMotifExtractor) throws -> SequenceBatches {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue {
            let data = try OpenDataset(input)
            let rows = data.rows(split: split.code)
            guard !rows.rows.isEmpty else { throw DatasetError.invalid("the \(split.rawValue) split of \(input) is empty") }
            return {
                var next = 0
                return {
                    guard next < rows.rows.count else { return nil }
                    let chunk = rows.rows[next..<min(rows.rows.count, next + 256)]
                    next += chunk.count
                    var codes: [UInt8] = []
                    codes.reserveCapacity(chunk.count * rows.length)
                    for r in chunk { codes.append(contentsOf: rows.sequence(r)) }
                    return SequenceBatch(codes: codes, count: chunk.count, length: rows.length)
                }
            }
        }
        return try extractor.fastaBatches(try FastaFile(path: input))
    }
}
