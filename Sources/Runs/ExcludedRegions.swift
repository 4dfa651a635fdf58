import Genome

/// The `--exclude` BED files of scan and predict as one mask.
enum ExcludedRegions {
    /// The regions of `paths` on the contigs of `fasta` (through `aliases`), or nil when there
    /// are none; regions on other contigs are counted in a warning.
    static func mask(_ paths: [String], fasta: FastaFile, aliases: ContigAliases, reporter: RunReporter) throws -> GenomeMask? {
        guard !paths.isEmpty else { return nil }
        var mask = GenomeMask(contigCount: fasta.contigs.count)
        for path in paths {
            let one = try GenomeMask(bed: path, fasta: fasta, aliases: aliases)
            if one.absent > 0 {
                reporter.warning("--exclude \(path): \(one.absent) region\(one.absent == 1 ? "" : "s") on contigs absent from \(fasta.path) ignored")
            }
            mask.add(one)
        }
        mask.finish()
        return mask
    }
}
