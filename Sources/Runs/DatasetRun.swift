import Dataset
import Genome
import Pipeline

/// `crick dataset`: a labelled dataset directory from a genome and peak files.
public struct DatasetRun {
    /// The builder's options, with the domain defaults that depend on other options left
    /// open (`labelCore` nil: 200, or the window length when shorter).
    public struct Options {
        public var fasta: String
        public var output: String
        /// Everything the builder takes but the region policy, which `check` gives.
        public var build = DatasetOptions()
        /// Central bases in which a summit makes a window positive (nil: min(200, length)).
        public var labelCore: Int?
        public var check = RegionRequest()

        public init(fasta: String, output: String) {
            self.fasta = fasta
            self.output = output
        }
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// Builds and writes the dataset directory; returns its dataset.json.
    public func run(reporter: RunReporter) throws -> DatasetInfo {
        // Random windows over the genome: small bgzip genomes are decompressed once into memory.
        let genome = try FastaFile(path: options.fasta, inMemoryLimit: 1 << 30)
        var build = options.build
        build.labelCore = options.labelCore ?? min(200, build.length)
        build.maxN = options.check.maxN
        build.policy = try options.check.policy(fasta: genome)
        let builder = try DatasetBuilder(fasta: genome, options: build)
        let progress = reporter.progress(label: "dataset", unit: "windows")
        let tracks = try (build.signal?.tasks ?? []).map { try openSignalTrack(path: $0.path, aliases: build.policy.aliases) }
        let info = try builder.build(into: options.output, progress: progress, tracks: tracks)
        if let missing = info.signal?.missingContig, !missing.isEmpty {
            for (task, n) in missing.sorted(by: { $0.key < $1.key }) {
                reporter.warning("signal \(task): \(n) windows lie on contigs the track lacks (their targets are 0)")
            }
        }
        for n in builder.notes { reporter.info(n) }
        for w in builder.warnings { reporter.warning(w) }
        return info
    }
}
