import Dataset

/// How well filter motifs recover known (simulated) motifs, as Koo & Ploenzke 2021 measure it.
public struct TruthSummary: Sendable, Equatable {
    /// Share of filters whose best significant match is a truth motif.
    public let matchFraction: Double
    /// Share of filters with any significant match.
    public let matchAny: Double
    /// Share of filters with a truth motif among their significant matches, best or not (the
    /// looser count of Koo & Ploenzke's code, which forgives a best match to a close relative
    /// of a truth motif, such as CEBPG for CEBPB).
    public let matchFractionAnyHit: Double
    /// Share of truth motifs that are the best significant match of at least one filter.
    public let coverage: Double
    /// Share of truth motifs that are the best significant truth match of at least one filter
    /// (the coverage of Koo & Ploenzke's code, which looks at each filter's truth hits only).
    public let coverageAnyHit: Double
    /// Filters, truth motifs, and truth motifs recovered.
    public let filters: Int
    public let truthMotifs: Int
    public let recovered: [String]

    /// A summary of known values (as read back from truth.tsv).
    public init(matchFraction: Double, matchAny: Double, matchFractionAnyHit: Double, coverage: Double, coverageAnyHit: Double,
                filters: Int, truthMotifs: Int, recovered: [String]) {
        self.matchFraction = matchFraction
        self.matchAny = matchAny
        self.matchFractionAnyHit = matchFractionAnyHit
        self.coverage = coverage
        self.coverageAnyHit = coverageAnyHit
        self.filters = filters
        self.truthMotifs = truthMotifs
        self.recovered = recovered
    }

    /// `matches[f]`: filter f's matches into `database`, best first, every database motif;
    /// `truth`: the indices of database motifs that are ground truth; significant: E < `maxE`.
    public init(matches: [[MotifMatch]], database: [Motif], truth: Set<Int>, maxE: Double = 0.1) {
        filters = matches.count
        truthMotifs = truth.count
        var matched = 0, any = 0, anyHit = 0
        var found = Set<Int>(), foundAnyHit = Set<Int>()
        for list in matches {
            if let hit = list.first(where: { $0.eValue < maxE && truth.contains($0.target) }) {
                anyHit += 1
                foundAnyHit.insert(hit.target)
            }
            guard let best = list.first(where: { $0.eValue < maxE }) else { continue }
            any += 1
            if truth.contains(best.target) {
                matched += 1
                found.insert(best.target)
            }
        }
        matchFraction = filters > 0 ? Double(matched) / Double(filters) : 0
        matchAny = filters > 0 ? Double(any) / Double(filters) : 0
        matchFractionAnyHit = filters > 0 ? Double(anyHit) / Double(filters) : 0
        coverage = truth.isEmpty ? 0 : Double(found.count) / Double(truth.count)
        coverageAnyHit = truth.isEmpty ? 0 : Double(foundAnyHit.count) / Double(truth.count)
        recovered = found.sorted().map { database[$0].id }
    }
}

/// A database for truth evaluation: `database` (may be empty) with every truth motif that it
/// lacks (by ID or name) appended; returns the database and the indices of the truth motifs.
public func databaseWithTruth(_ database: [Motif], truth: [Motif]) -> (motifs: [Motif], truth: Set<Int>) {
    var motifs = database
    var indices = Set<Int>()
    for t in truth {
        if let i = motifs.firstIndex(where: { $0.id == t.id || $0.matches(t.name) }) {
            indices.insert(i)
        } else {
            motifs.append(t)
            indices.insert(motifs.count - 1)
        }
    }
    return (motifs, indices)
}
