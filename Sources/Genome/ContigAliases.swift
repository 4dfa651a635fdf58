/// Contig names of a regions file mapped onto the names of a FASTA (`--chrom-alias FILE`).
///
/// The file is tab-separated (or space-separated), `#` lines and blank lines ignored. Each
/// line lists names of one contig: a two-column file maps a regions name to a FASTA name, and
/// UCSC chromAlias files (`# ucsc  assembly  ensembl  genbank  refseq`) list every alias of a
/// contig. On each line the name that exists in the FASTA is the target and every other name
/// maps to it; lines that name no contig of the FASTA are ignored.
public struct ContigAliases: Sendable, Equatable {
    private var map: [String: String] = [:]

    /// No aliases.
    public init() {}

    /// Aliases from pairs (alias, FASTA name), for tests and callers that build them.
    public init(_ pairs: [String: String]) { map = pairs }

    /// Reads `path` against the contigs of `fasta`. An alias that would map to two different
    /// contigs is an error naming its line.
    public init(path: String, fasta: FastaFile) throws {
        let reader = try TextLineReader(path: path)
        var from: [String: Int] = [:]
        while let line = try reader.nextLine() {
            var text = Substring(line)
            if text.last == "\r" { text = text.dropLast() }
            if text.isEmpty || text.hasPrefix("#") { continue }
            let names = text.split(whereSeparator: { $0 == "\t" || $0 == " " }).map(String.init)
            guard let target = names.first(where: { fasta.contigIndex($0) != nil }) else { continue }
            for name in names where name != target && fasta.contigIndex(name) == nil {
                if let other = map[name], other != target {
                    throw GenomeError.malformedLine(path: path, line: reader.lineNumber,
                                                    detail: "alias '\(name)' names contig \(target) here and \(other) at line \(from[name] ?? 0)")
                }
                map[name] = target
                from[name] = reader.lineNumber
            }
        }
    }

    /// True when there are no aliases.
    public var isEmpty: Bool { map.isEmpty }

    /// The FASTA name `name` stands for, or nil when it is no alias.
    public func target(of name: String) -> String? { map[name] }
}

/// Advice for regions whose contig names the FASTA does not have: the names on both sides
/// and the likely mismatch (a `chr` prefix, `chrM` against `MT`).
public enum ContigNameHint {
    /// The names of `counts`, most counted first (ties in byte order of the names).
    public static func byCount(_ counts: [String: Int]) -> [String] {
        counts.keys.sorted { (counts[$0] ?? 0, $1) > (counts[$1] ?? 0, $0) }
    }

    /// Up to `limit` names, then "...".
    public static func list(_ names: [String], limit: Int = 5) -> String {
        names.prefix(limit).joined(separator: ", ") + (names.count > limit ? ", ..." : "")
    }

    /// The likely cause of `absent` (regions' names, most frequent first) missing from
    /// `fasta`, or nil when none is recognised.
    public static func cause(absent: [String], fasta: FastaFile) -> String? {
        func has(_ n: String) -> Bool { fasta.contigIndex(n) != nil }
        let mito: Set<String> = ["chrM", "MT", "M", "chrMT", "Mito", "mitochondrion"]
        var notes: [String] = []
        let lacking = absent.filter { $0.hasPrefix("chr") && has(String($0.dropFirst(3))) }
        let extra = absent.filter { !$0.hasPrefix("chr") && has("chr" + $0) }
        if !lacking.isEmpty { notes.append("the regions use a 'chr' prefix the FASTA lacks") }
        if !extra.isEmpty { notes.append("the FASTA uses a 'chr' prefix the regions lack") }
        for name in absent where mito.contains(name) && !lacking.contains(name) && !extra.contains(name) {
            if let there = fasta.contigs.first(where: { mito.contains($0.name) }) {
                notes.append("the mitochondrial genome is \(there.name) in the FASTA, \(name) in the regions")
                break
            }
        }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    /// "regions name contigs A, B; the FASTA has C, D (cause: pass --chrom-alias FILE)".
    public static func describe(absent: [String], fasta: FastaFile) -> String {
        let advice = cause(absent: absent, fasta: fasta).map { "\($0): pass --chrom-alias FILE" }
            ?? "if these are the same contigs under other names, pass --chrom-alias FILE: name in the regions, name in the FASTA"
        return "regions name contigs \(list(absent)); the FASTA has \(list(fasta.contigs.map(\.name))) (\(advice))"
    }
}
