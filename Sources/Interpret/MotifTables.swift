import CText
import Dataset
import Foundation

/// filters.tsv of `crick motifs`: one row per first-layer filter, with its best database
/// match. This type is the file's one writer and one reader.
public struct FilterTable: Sendable, Equatable {
    /// One filter's row.
    public struct Row: Sendable, Equatable {
        public var filter: String
        public var sites: Int
        public var width: Int
        /// Information content in bits, as written (3 decimals).
        public var informationContent: Double
        public var consensus: String
        /// The best match's id, name and E-value (nil: no database, written as `.`).
        public var bestMatch: (id: String, name: String, eValue: Double)?

        public init(filter: String, sites: Int, width: Int, informationContent: Double, consensus: String,
                    bestMatch: (id: String, name: String, eValue: Double)?) {
            self.filter = filter
            self.sites = sites
            self.width = width
            self.informationContent = informationContent
            self.consensus = consensus
            self.bestMatch = bestMatch
        }

        public static func == (a: Row, b: Row) -> Bool {
            a.filter == b.filter && a.sites == b.sites && a.width == b.width && a.informationContent == b.informationContent
                && a.consensus == b.consensus && a.bestMatch?.id == b.bestMatch?.id && a.bestMatch?.name == b.bestMatch?.name
                && a.bestMatch?.eValue == b.bestMatch?.eValue
        }
    }

    public static let header = "filter\tsites\twidth\tinformation_content\tconsensus\tbest_match\tbest_match_name\tbest_e_value"

    public var rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    /// The rows of `filters` with the best of their `matches` into `database` (empty: none).
    public init(filters: [FilterMotif], matches: [[MotifMatch]], database: [Motif]) {
        rows = filters.enumerated().map { i, f in
            let best = matches.isEmpty ? nil : matches[i].first
            return Row(filter: f.motif.id, sites: f.sites, width: f.motif.width, informationContent: f.informationContent,
                       consensus: f.motif.consensus, bestMatch: best.map { (database[$0.target].id, database[$0.target].name, $0.eValue) })
        }
    }

    /// The file's text.
    public var text: String {
        var out = FilterTable.header + "\n"
        for r in rows {
            out += "\(r.filter)\t\(r.sites)\t\(r.width)\t\(String(format: "%.3f", r.informationContent))\t\(r.consensus)\t"
            out += r.bestMatch.map { "\($0.id)\t\($0.name)\t\(String(format: "%.3g", $0.eValue))" } ?? ".\t.\t."
            out += "\n"
        }
        return out
    }

    /// Parses the text of a filters.tsv.
    public static func parse(_ text: String, path: String) throws -> FilterTable {
        FilterTable(rows: try tableRows(text, header: header, path: path).map { line, f in
            let best: (String, String, Double)? = f[5] == "." ? nil
                : (String(f[5]), String(f[6]), try number(f[7], "best_e_value", path: path, line: line))
            return Row(filter: String(f[0]), sites: try number(f[1], "sites", path: path, line: line),
                       width: try number(f[2], "width", path: path, line: line),
                       informationContent: try number(f[3], "information_content", path: path, line: line),
                       consensus: String(f[4]), bestMatch: best)
        })
    }

    /// Reads a filters.tsv.
    public static func read(path: String) throws -> FilterTable { try parse(try readText(path), path: path) }
}

/// matches.tsv of `crick motifs`: each filter's best matches into a motif database, ranked.
/// This type is the file's one writer and one reader.
public struct MatchTable: Sendable, Equatable {
    /// One match.
    public struct Row: Sendable, Equatable {
        public var filter: String
        /// 1 for the best match of the filter.
        public var rank: Int
        public var targetID: String
        public var targetName: String
        public var offset: Int
        /// `+` or `-`: the target's strand.
        public var strand: String
        public var overlap: Int
        public var pValue: Double
        public var eValue: Double
        public var qValue: Double

        public init(filter: String, rank: Int, targetID: String, targetName: String, offset: Int, strand: String, overlap: Int,
                    pValue: Double, eValue: Double, qValue: Double) {
            self.filter = filter
            self.rank = rank
            self.targetID = targetID
            self.targetName = targetName
            self.offset = offset
            self.strand = strand
            self.overlap = overlap
            self.pValue = pValue
            self.eValue = eValue
            self.qValue = qValue
        }
    }

    public static let header = "filter\trank\ttarget_id\ttarget_name\toffset\tstrand\toverlap\tp_value\te_value\tq_value"

    public var rows: [Row]

    public init(rows: [Row]) { self.rows = rows }

    /// The first `maxMatches` matches of each query into `database`.
    public init(queries: [Motif], matches: [[MotifMatch]], database: [Motif], maxMatches: Int) {
        var rows: [Row] = []
        for (i, list) in matches.enumerated() {
            for (r, x) in list.prefix(maxMatches).enumerated() {
                rows.append(Row(filter: queries[i].id, rank: r + 1, targetID: database[x.target].id, targetName: database[x.target].name,
                                offset: x.offset, strand: String(x.strand), overlap: x.overlap, pValue: x.pValue, eValue: x.eValue, qValue: x.qValue))
            }
        }
        self.rows = rows
    }

    /// The file's text (p, E and q with 4 significant digits).
    public var text: String {
        var out = MatchTable.header + "\n"
        out.reserveCapacity(rows.count * 80)
        var number = [CChar](repeating: 0, count: 32)
        // "%.3e" through C's formatter directly (the text String(format:) gives, without its
        // per-call Foundation cost: a table holds every query-target pair).
        func scientific(_ v: Double) -> String {
            let n = Int(crick_format_scientific(v, 3, &number, number.count))
            return String(decoding: number.prefix(max(0, min(n, number.count - 1))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        for x in rows {
            out += "\(x.filter)\t\(x.rank)\t\(x.targetID)\t\(x.targetName)\t\(x.offset)\t\(x.strand)\t\(x.overlap)\t"
            out += scientific(x.pValue) + "\t" + scientific(x.eValue) + "\t" + scientific(x.qValue) + "\n"
        }
        return out
    }

    /// Each filter's rank-1 match.
    public var best: [String: Row] {
        var out: [String: Row] = [:]
        for r in rows where r.rank == 1 { out[r.filter] = r }
        return out
    }

    /// Parses the text of a matches.tsv.
    public static func parse(_ text: String, path: String) throws -> MatchTable {
        MatchTable(rows: try tableRows(text, header: header, path: path).map { line, f in
            guard f[5] == "+" || f[5] == "-" else { throw InterpretError.format(path: path, line: line, detail: "strand '\(f[5])' is not + or -") }
            return Row(filter: String(f[0]), rank: try number(f[1], "rank", path: path, line: line), targetID: String(f[2]),
                       targetName: String(f[3]), offset: try number(f[4], "offset", path: path, line: line), strand: String(f[5]),
                       overlap: try number(f[6], "overlap", path: path, line: line), pValue: try number(f[7], "p_value", path: path, line: line),
                       eValue: try number(f[8], "e_value", path: path, line: line), qValue: try number(f[9], "q_value", path: path, line: line))
        })
    }

    /// Reads a matches.tsv.
    public static func read(path: String) throws -> MatchTable { try parse(try readText(path), path: path) }
}

/// truth.tsv of `crick motifs --truth`: one row of `TruthSummary`. This type is the file's one
/// writer and one reader.
public enum TruthTable {
    public static let header = "match_fraction\tmatch_any\tcoverage\tfilters\ttruth_motifs\trecovered\tmatch_fraction_any_hit\tcoverage_any_hit"

    /// The file's text (fractions with 4 decimals; recovered motifs comma-separated).
    public static func text(_ s: TruthSummary) -> String {
        header + "\n" + "\(String(format: "%.4f", s.matchFraction))\t\(String(format: "%.4f", s.matchAny))\t\(String(format: "%.4f", s.coverage))\t\(s.filters)\t\(s.truthMotifs)\t\(s.recovered.joined(separator: ","))\t\(String(format: "%.4f", s.matchFractionAnyHit))\t\(String(format: "%.4f", s.coverageAnyHit))\n"
    }

    /// Parses the text of a truth.tsv (its one row).
    public static func parse(_ text: String, path: String) throws -> TruthSummary {
        let rows = try tableRows(text, header: header, path: path)
        guard rows.count == 1, let (line, f) = rows.first else {
            throw InterpretError.format(path: path, line: rows.count + 1, detail: "a truth table has one row (found \(rows.count))")
        }
        return TruthSummary(matchFraction: try number(f[0], "match_fraction", path: path, line: line),
                            matchAny: try number(f[1], "match_any", path: path, line: line),
                            matchFractionAnyHit: try number(f[6], "match_fraction_any_hit", path: path, line: line),
                            coverage: try number(f[2], "coverage", path: path, line: line),
                            coverageAnyHit: try number(f[7], "coverage_any_hit", path: path, line: line),
                            filters: try number(f[3], "filters", path: path, line: line),
                            truthMotifs: try number(f[4], "truth_motifs", path: path, line: line),
                            recovered: f[5].isEmpty ? [] : f[5].split(separator: ",").map(String.init))
    }

    /// Reads a truth.tsv.
    public static func read(path: String) throws -> TruthSummary { try parse(try readText(path), path: path) }
}

/// The text of a file crick wrote, or an error naming it.
func readText(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw InterpretError.invalid("cannot read: \(path)")
    }
    return String(decoding: data, as: UTF8.self)
}
