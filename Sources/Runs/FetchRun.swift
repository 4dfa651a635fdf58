import Dataset
import Foundation
import Genome
import Pipeline

/// `crick fetch`: the sequences of regions (files or region strings), resized or not, as
/// FASTA, TSV, code lines or an NPY matrix.
public struct FetchRun {
    /// Which regions of which FASTA, and how to write them.
    public struct Options {
        public var fasta: String
        /// BED/narrowPeak files (`-`: stdin) or region strings, in order.
        public var regions: [String] = []
        /// Only regions of the files that overlap this region string.
        public var region: String?
        public var inputFormat: IntervalFormat = .auto
        /// Resize every region to this many bases around its centre (nil: keep).
        public var length: Int?
        public var center: Interval.Center = .summit
        public var format: SequenceFormat = .fasta
        public var check = RegionRequest()
        public var output = "-"
        public var threads = 1

        public init(fasta: String) { self.fasta = fasta }
    }

    /// Regions written.
    public struct Result: Sendable {
        public var written: Int
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// Writes the sequences (all or nothing); progress shows when `showProgress`.
    public func run(reporter: RunReporter, showProgress: Bool) throws -> Result {
        let genome = try FastaFile(path: options.fasta)
        var sources: [RegionSource] = []
        let restrict = try options.region.map { try GenomicRegion.parse($0, isContig: { genome.contigIndex($0) != nil }) }
        for value in options.regions {
            if value == "-" || FileManager.default.fileExists(atPath: value) {
                sources.append(.file(path: value, format: options.inputFormat, region: restrict))
            } else if FetchRun.looksLikeRegion(value, genome: genome) {
                let r = try GenomicRegion.parse(value, isContig: { genome.contigIndex($0) != nil })
                sources.append(.regions([r]))
            } else if FetchRun.looksLikeFileName(value) {
                throw GenomeError.fileNotFound(path: value)
            } else {
                let name = value.split(separator: ":").first.map(String.init) ?? value
                let cause = ContigNameHint.cause(absent: [name], fasta: genome).map { "; \($0)" } ?? ""
                throw GenomeError.unusableRegion(origin: genome.path, detail: "no contig '\(name)' in the FASTA, nor a file named \(value)\(cause)")
            }
        }
        var export = ExportOptions()
        export.length = options.length
        export.center = options.center
        export.format = options.format
        export.policy = try options.check.policy(fasta: genome)
        export.threads = options.threads
        let out = try OutputFile(path: options.output, seekable: options.format == .npy)
        let progress = showProgress ? reporter.progress(label: "fetch", unit: "regions") : SilentReporter().progress(label: "fetch", unit: "regions")
        let summary: ExportSummary
        do {
            summary = try SequenceExport(fasta: genome, options: export).run(sources: sources, output: out, progress: progress)
            try out.commit()
        } catch {
            out.abort()
            throw error
        }
        for warning in summary.warnings { reporter.warning(warning) }
        return Result(written: summary.written)
    }

    /// True when `value` names a file rather than a contig: a path, or a name with the
    /// extension of a regions file.
    static func looksLikeFileName(_ value: String) -> Bool {
        if value.contains("/") { return true }
        guard let dot = value.lastIndex(of: ".") else { return false }
        let ext = value[value.index(after: dot)...].lowercased()
        return ["bed", "gz", "bgz", "narrowpeak", "broadpeak", "txt", "tsv", "bz2", "xz"].contains(ext)
    }

    /// True when `value` reads as a region string rather than a file name.
    static func looksLikeRegion(_ value: String, genome: FastaFile) -> Bool {
        if genome.contigIndex(value) != nil || value.hasPrefix("{") { return true }
        guard let colon = value.lastIndex(of: ":") else { return false }
        return genome.contigIndex(String(value[..<colon])) != nil
            || value[value.index(after: colon)...].allSatisfy { $0.isNumber || $0 == "-" || $0 == "," }
    }
}
