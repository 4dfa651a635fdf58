import ArgumentParser
import Dataset
import Foundation
import Genome
import Pipeline

/// `crick fetch`: the sequences of regions, as FASTA, TSV, base codes or an NPY matrix.
struct Fetch: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the sequences of regions from an indexed FASTA.",
        discussion: """
            Regions come from BED or narrowPeak files (plain, gzip or bgzip; '-' for stdin) or \
            from region strings (chr:start-end, 1-based inclusive; {name}:start-end for names \
            with ':'). Sequences are named chrom:start-end with a 0-based start, as bedtools \
            getfasta names them. Regions on contigs absent from the FASTA, or running past a \
            contig end, are skipped with one warning that counts them, and regions with more \
            N than --max-n are written and counted (--strict: each is an error); when no region \
            is left the run fails. Region strings past a contig end are clipped to it, as \
            samtools does, with a warning.

            Examples:
              crick fetch --fasta genome.fa --regions peaks.narrowPeak --length 1000 -o peaks.fa
              crick fetch --fasta genome.fa.gz chrI:1001-2000 --format codes
            """)

    @Option(help: "Indexed FASTA, plain or bgzip (a missing .fai/.gzi is built).")
    var fasta: String

    @Option(name: .long, help: "A BED/narrowPeak file ('-' for stdin) or a region string chr:start-end; repeatable.")
    var regions: [String] = []

    @Argument(help: "More region strings (chr, chr:start, chr:start-end).")
    var regionStrings: [String] = []

    @Option(help: "Only regions of the files that overlap this region (chr:start-end); uses the tabix index when there is one.")
    var region: String?

    @Option(name: .customLong("input-format"), help: "Format of region files: auto, bed or narrowpeak (auto: by name, else by column count).")
    var inputFormat: IntervalFormat = .auto

    @Option(help: "Resize every region to this many bp around its centre (default: keep each region's own length).")
    var length: Int?

    @Option(help: "Centre of resized regions: summit (narrowPeak column 10, midpoint when absent) or midpoint.")
    var center: Interval.Center = .summit

    @Option(help: "Output format: fasta, tsv, codes (one line of 0-4 per region) or npy (uint8 matrix N x L).")
    var format: SequenceFormat = .fasta

    @OptionGroup var check: RegionOptions

    @Option(name: .shortAndLong, help: "Output file ('-' for stdout); written under a temporary name and renamed when complete.")
    var output: String = "-"

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if regions.isEmpty && regionStrings.isEmpty {
            throw ValidationError("give regions with --regions FILE or region strings (chr:start-end)")
        }
        try FlagBounds.length(length, "--length")
    }

    func run() throws {
        let genome = try FastaFile(path: fasta)
        var sources: [RegionSource] = []
        let restrict = try region.map { try GenomicRegion.parse($0, isContig: { genome.contigIndex($0) != nil }) }
        for value in regions + regionStrings {
            if value == "-" || FileManager.default.fileExists(atPath: value) {
                sources.append(.file(path: value, format: inputFormat, region: restrict))
            } else if looksLikeRegion(value, genome: genome) {
                let r = try GenomicRegion.parse(value, isContig: { genome.contigIndex($0) != nil })
                sources.append(.regions([r]))
            } else if looksLikeFileName(value) {
                throw GenomeError.fileNotFound(path: value)
            } else {
                let name = value.split(separator: ":").first.map(String.init) ?? value
                let cause = ContigNameHint.cause(absent: [name], fasta: genome).map { "; \($0)" } ?? ""
                throw GenomeError.unusableRegion(origin: genome.path, detail: "no contig '\(name)' in the FASTA, nor a file named \(value)\(cause)")
            }
        }
        var options = ExportOptions()
        options.length = length
        options.center = center
        options.format = format
        options.policy = try check.policy(fasta: genome)
        options.threads = common.threads
        let out = try OutputFile(path: output, seekable: format == .npy)
        let progress = ProgressReporter(label: "fetch", unit: "regions", quiet: common.quiet || !common.verbose && output == "-")
        let summary: ExportSummary
        do {
            summary = try SequenceExport(fasta: genome, options: options).run(sources: sources, output: out, progress: progress)
            try out.commit()
        } catch {
            out.abort()
            throw error
        }
        for warning in summary.warnings { Diagnostics.warning(warning) }
        if common.verbose { Diagnostics.info("fetch: wrote \(summary.written) regions", quiet: false) }
    }

    /// True when `value` names a file rather than a contig: a path, or a name with the
    /// extension of a regions file.
    private func looksLikeFileName(_ value: String) -> Bool {
        if value.contains("/") { return true }
        guard let dot = value.lastIndex(of: ".") else { return false }
        let ext = value[value.index(after: dot)...].lowercased()
        return ["bed", "gz", "bgz", "narrowpeak", "broadpeak", "txt", "tsv", "bz2", "xz"].contains(ext)
    }

    /// True when `value` reads as a region string rather than a file name.
    private func looksLikeRegion(_ value: String, genome: FastaFile) -> Bool {
        if genome.contigIndex(value) != nil || value.hasPrefix("{") { return true }
        guard let colon = value.lastIndex(of: ":") else { return false }
        return genome.contigIndex(String(value[..<colon])) != nil
            || value[value.index(after: colon)...].allSatisfy { $0.isNumber || $0 == "-" || $0 == "," }
    }
}
