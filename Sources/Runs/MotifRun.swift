import Dataset
import Foundation
import Genome
import Interpret
import NeuralNet
import Pipeline

/// `crick motifs`: first-layer filters as motifs, compared with known motifs, written as a
/// motifs directory (filters.meme, filters.tsv, matches.tsv, truth.tsv).
public struct MotifRun {
    /// Which model, which sequences, and the extraction and comparison settings.
    public struct Options {
        /// A model file or a train run directory.
        public var model: String
        /// A dataset directory, or a FASTA file of sequences.
        public var input: String
        /// Motifs from a file (MEME, JASPAR or HOMER: TF-MoDISco's patterns, say) compared in
        /// place of a model's filters; `model` and `input` are then not read.
        public var queries: String?
        public var split: DatasetSplit = .test
        /// Share of a filter's maximum output that marks a site.
        public var threshold: Float = 0.5
        /// Window width around each site (nil: the filter width).
        public var window: Int?
        public var trimBits = 0.5
        public var trimPad = 0
        /// Known motifs (MEME or JASPAR) to compare with.
        public var compare: String?
        /// Ground truth: a simulate directory or a motif file.
        public var truth: String?
        public var distance: ColumnScore = .pearson
        public var minOverlap = 5
        public var scoring: AlignmentScoring = .complete
        /// Matches listed per filter in matches.tsv.
        public var maxMatches = 5
        /// The output directory.
        public var output: String
        public var force = false
        public var threads = 1
        /// Also extract and compare the filters of the same architecture untrained, initialised
        /// with the training seed (what chance gives), when there is a database.
        public var baseline = true

        public init(model: String, input: String, output: String) {
            self.model = model
            self.input = input
            self.output = output
        }
    }

    /// What was extracted.
    public struct Result: Sendable {
        /// Filters turned into motifs.
        public var filters: Int
        /// The truth summary, with --truth.
        public var truth: TruthSummary?
        /// Filters with a significant match (E < 0.1), with --compare or --truth.
        public var significant: Int?
        /// The same counts for the untrained model (`options.baseline`).
        public var untrained: UntrainedBaseline?
        /// Wall seconds of each stage, in run order.
        public var stages: [(stage: String, seconds: Double)] = []
    }

    /// The kind recorded in the manifest of a motifs directory, and its files.
    public static let outputKind = "motifs"
    public static let files: Set<String> = ["filters.meme", "filters.tsv", "matches.tsv", "truth.tsv", "untrained.tsv"]

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// Extracts, compares and writes the directory (all files or none).
    public func run() throws -> Result {
        setBLASThreads(options.threads)
        var clock = StageClock()
        let m: Model?, filters: [FilterMotif]
        if let path = options.queries {
            // Motifs from a file, trimmed as filters are (their sites as the file gives them).
            m = nil
            filters = try MotifFile.read(path: path).enumerated().map { i, motif in
                FilterMotif(filter: i, motif: motif.trimmed(bits: options.trimBits, pad: options.trimPad), sites: motif.sites ?? 0)
            }
            guard !filters.isEmpty else { throw DatasetError.invalid("no motif in \(path)") }
        } else {
            let model = try ModelFile.read(options.model).model
            let extractor = try FilterMotifExtractor(model: model, threshold: options.threshold, window: options.window,
                                                     trimBits: options.trimBits, trimPad: options.trimPad, threads: options.threads)
            m = model
            filters = try extractor.extract(try sequenceBatches(extractor))
        }
        clock.lap(options.queries == nil ? "extract" : "read queries")
        let queries = filters.map(\.motif)

        var truthMotifs: [Motif] = []
        if let truth = options.truth {
            var isDir: ObjCBool = false
            let path = FileManager.default.fileExists(atPath: truth, isDirectory: &isDir) && isDir.boolValue ? truth + "/motifs.meme" : truth
            truthMotifs = try MotifFile.read(path: path)
        }
        let known = try options.compare.map { try MotifFile.read(path: $0) } ?? []
        let (database, truthIndex) = databaseWithTruth(known, truth: truthMotifs)
        clock.lap("read motifs")
        // One comparison (its database prepared once) for the filters and the untrained baseline.
        let comparison = MotifComparison(database: database, column: options.distance, minOverlap: options.minOverlap,
                                         scoring: options.scoring, threads: options.threads)
        let matches = database.isEmpty ? [] : comparison.compare(queries)
        let summary = truthMotifs.isEmpty ? nil : TruthSummary(matches: matches, database: database, truth: truthIndex)
        if !database.isEmpty { clock.lap("compare") }
        var untrained: UntrainedBaseline?
        if options.baseline, !database.isEmpty, let m {
            // The architecture initialised with the training seed: its filters' matches are chance.
            let seed = MotifRun.trainingSeed(try ModelFile.read(options.model).contents.metadata)
            let fresh = try Model(m.architecture, seed: seed)
            let freshExtractor = try FilterMotifExtractor(model: fresh, threshold: options.threshold, window: options.window,
                                                          trimBits: options.trimBits, trimPad: options.trimPad, threads: options.threads)
            let freshQueries = try freshExtractor.extract(try sequenceBatches(freshExtractor)).map(\.motif)
            clock.lap("untrained extract")
            let freshMatches = comparison.compare(freshQueries)
            untrained = UntrainedBaseline(seed: seed, filters: freshQueries.count,
                                          significant: UntrainedBaseline.significant(freshMatches),
                                          truth: truthMotifs.isEmpty ? nil : TruthSummary(matches: freshMatches, database: database, truth: truthIndex))
            clock.lap("untrained compare")
        }

        let staging = try StagingDirectory(final: options.output, kind: MotifRun.outputKind, force: options.force, legacyFiles: MotifRun.files)
        do {
            try write(MotifFile.memeText(queries), to: staging.path + "/filters.meme")
            try write(FilterTable(filters: filters, matches: matches, database: database).text, to: staging.path + "/filters.tsv")
            if !matches.isEmpty {
                try write(MatchTable(queries: queries, matches: matches, database: database, maxMatches: options.maxMatches).text,
                          to: staging.path + "/matches.tsv")
            }
            if let summary { try write(TruthTable.text(summary), to: staging.path + "/truth.tsv") }
            if let untrained {
                try write(untrained.table(trained: UntrainedBaseline.significant(matches), filters: queries.count, truth: summary).text,
                          to: staging.path + "/untrained.tsv")
            }
            try staging.commit()
        } catch {
            staging.abort()
            throw error
        }
        clock.lap("write")
        return Result(filters: filters.count, truth: summary, significant: database.isEmpty ? nil : UntrainedBaseline.significant(matches),
                      untrained: untrained, stages: clock.stages)
    }

    /// The seed a model was trained with (its metadata's training record; 1 when it has none,
    /// crick's default).
    static func trainingSeed(_ metadata: [String: String]) -> UInt64 {
        guard let json = metadata["training"], let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let seed = object["seed"] as? NSNumber else { return 1 }
        return seed.uint64Value
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
        let input = options.input
        if FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue {
            let data = try OpenDataset(input)
            let rows = data.rows(split: options.split.code)
            guard !rows.rows.isEmpty else { throw DatasetError.invalid("the \(options.split.rawValue) split of \(input) is empty") }
            return {
                var next = 0
                return {
                    guard next < rows.rows.count else { return nil }
                    let chunk = rows.rows[next..<min(rows.rows.count, next + 256)]
                    next += chunk.count
                    var codes: [UInt8] = []
                    codes.reserveCapacity(chunk.count * rows.length)
                    for r in chunk { codes.append(contentsOf: rows.window(r)) }
                    return SequenceBatch(codes: codes, count: chunk.count, length: rows.length)
                }
            }
        }
        return try extractor.fastaBatches(try FastaFile(path: input))
    }
}
