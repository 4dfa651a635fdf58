import ArgumentParser
import Genome
import Runs

/// The options of the one region policy (fetch, dataset, predict, attribute, scan --regions):
/// regions on absent contigs, past a contig end or too rich in N are skipped, counted and
/// reported; `--strict` makes each an error.
struct RegionOptions: ParsableArguments {
    @Option(name: .customLong("max-n"), help: ArgumentHelp(
        "Most N bases in a region's window: a fraction of its length when below 1 (0.1: a tenth), else a number of bases.",
        discussion: "fetch writes and counts regions above it; dataset, predict and attribute skip them; it also bounds dataset's background and flank windows and scan's windows."))
    var maxN: Double = 0.1

    @Flag(help: "Fail on the first region on an absent contig, past a contig end or above --max-n, instead of skipping and counting it.")
    var strict = false

    @Option(name: .customLong("chrom-alias"), help: ArgumentHelp(
        "Contig names of the regions mapped to the FASTA's: two columns (name in the regions, name in the FASTA), or a UCSC chromAlias file.",
        valueName: "file"))
    var chromAlias: String?

    func validate() throws {
        guard NLimit(maxN) != nil else { throw ValidationError("--max-n must be a number >= 0 (got \(maxN))") }
    }

    /// The policy the flags ask for.
    var request: RegionRequest { RegionRequest(maxN: maxN, strict: strict, chromAlias: chromAlias) }
}
