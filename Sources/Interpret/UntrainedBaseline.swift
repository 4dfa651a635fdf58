import Foundation

/// What chance gives `crick motifs`: the same architecture untrained (initialised with the
/// training seed), its filters extracted and compared as the trained model's are.
public struct UntrainedBaseline: Sendable, Equatable {
    /// The initialisation seed.
    public var seed: UInt64
    /// Filters turned into motifs.
    public var filters: Int
    /// Filters with a significant match (E < 0.1).
    public var significant: Int
    /// Koo & Ploenzke's counts against the ground truth, with --truth.
    public var truth: TruthSummary?

    public init(seed: UInt64, filters: Int, significant: Int, truth: TruthSummary?) {
        self.seed = seed
        self.filters = filters
        self.significant = significant
        self.truth = truth
    }

    /// Queries whose best match has E < `maxE`.
    public static func significant(_ matches: [[MotifMatch]], maxE: Double = 0.1) -> Int {
        matches.filter { ($0.first?.eValue ?? .infinity) < maxE }.count
    }

    /// untrained.tsv: the trained model's counts (`trained` significant filters of `filters`,
    /// `truth`) beside this baseline's.
    public func table(trained: Int, filters trainedFilters: Int, truth trainedTruth: TruthSummary?) -> UntrainedTable {
        UntrainedTable(rows: [
            .init(model: "trained", seed: nil, filters: trainedFilters, significant: trained,
                  matchFraction: trainedTruth?.matchFraction, coverage: trainedTruth?.coverage),
            .init(model: "untrained", seed: seed, filters: filters, significant: significant,
                  matchFraction: truth?.matchFraction, coverage: truth?.coverage),
        ])
    }
}

/// untrained.tsv of `crick motifs`: the trained model's filter counts beside those of the same
/// architecture untrained. This type is the file's one writer and one reader.
public struct UntrainedTable: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        /// `trained` or `untrained`.
        public var model: String
        /// The untrained model's seed (nil: `.`).
        public var seed: UInt64?
        public var filters: Int
        /// Filters with a match of E < 0.1.
        public var significant: Int
        /// With --truth (nil: `.`), 4 decimals.
        public var matchFraction: Double?
        public var coverage: Double?
    }

    public static let header = "model\tseed\tfilters\tsignificant_e_below_0.1\tmatch_fraction\tcoverage"

    public var rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    /// The file's text.
    public var text: String {
        var out = UntrainedTable.header + "\n"
        func fraction(_ v: Double?) -> String { v.map { String(format: "%.4f", $0) } ?? "." }
        for r in rows {
            out += "\(r.model)\t\(r.seed.map(String.init) ?? ".")\t\(r.filters)\t\(r.significant)\t\(fraction(r.matchFraction))\t\(fraction(r.coverage))\n"
        }
        return out
    }

    /// Parses the text of an untrained.tsv.
    public static func parse(_ text: String, path: String) throws -> UntrainedTable {
        let rows = try tableRows(text, header: header, path: path)
        return UntrainedTable(rows: try rows.map { line, f in
            func optional(_ s: Substring, _ name: String) throws -> Double? { s == "." ? nil : try number(s, name, path: path, line: line) }
            guard f.count == 6 else { throw InterpretError.format(path: path, line: line, detail: "6 columns expected, found \(f.count)") }
            return Row(model: String(f[0]), seed: f[1] == "." ? nil : try number(f[1], "seed", path: path, line: line),
                       filters: try number(f[2], "filters", path: path, line: line),
                       significant: try number(f[3], "significant_e_below_0.1", path: path, line: line),
                       matchFraction: try optional(f[4], "match_fraction"), coverage: try optional(f[5], "coverage"))
        })
    }

    /// Reads an untrained.tsv.
    public static func read(path: String) throws -> UntrainedTable { try parse(try readText(path), path: path) }
}
