import Genome
import Tracks

/// The one region policy as asked for (`--max-n`, `--strict`, `--chrom-alias`): regions on
/// absent contigs, past a contig end or too rich in N are skipped, counted and reported;
/// `strict` makes each an error.
public struct RegionRequest: Sendable {
    /// Most N bases in a region's window: a fraction of its length when below 1, else bases.
    public var maxN = 0.1
    /// Fail on the first such region instead of skipping it.
    public var strict = false
    /// A contig alias file (two columns, or a UCSC chromAlias file).
    public var chromAlias: String?

    public init(maxN: Double = 0.1, strict: Bool = false, chromAlias: String? = nil) {
        self.maxN = maxN
        self.strict = strict
        self.chromAlias = chromAlias
    }

    /// The policy, with the alias file read against `fasta`.
    public func policy(fasta: FastaFile) throws -> RegionPolicy {
        let aliases = try chromAlias.map { try ContigAliases(path: $0, fasta: fasta) } ?? ContigAliases()
        return RegionPolicy(strict: strict, maxN: NLimit(maxN) ?? .standard, aliases: aliases)
    }
}

/// The chromosomes of a FASTA as a track genome.
public func trackGenome(_ fasta: FastaFile) -> TrackGenome {
    TrackGenome(fasta.contigs.map { ($0.name, $0.length) })
}
