import Foundation
import Genome
import Tracks

/// `crick merge-tracks`: tracks (scan shards, or any bedGraph/bigWig) joined into one.
public struct TrackMergeRun {
    /// Which tracks, which genome, which output.
    public struct Options: Sendable {
        public var inputs: [String]
        /// Chromosome sizes: FASTA, .fai or chrom.sizes.
        public var genome: String
        /// nil: from the output name.
        public var format: TrackFormat?
        public var noTrackLine = false
        public var output = "-"

        public init(inputs: [String], genome: String) {
            self.inputs = inputs
            self.genome = genome
        }
    }

    public let options: Options

    public init(_ options: Options) { self.options = options }

    /// Merges the inputs into the output (all or nothing).
    public func run() throws {
        let g = try TrackMergeRun.loadGenome(options.genome)
        let format = options.format ?? TrackFormat.fromName(options.output)
        let line = options.noTrackLine ? nil : try TrackMerge.trackLine(options.inputs)
        let writer = try makeTrackWriter(path: options.output, format: format, genome: g, trackLine: line)
        do {
            try TrackMerge.merge(options.inputs, genome: g, into: writer)
            try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
    }

    /// Chromosome sizes from a FASTA (through its index), a .fai, or a chrom.sizes file.
    public static func loadGenome(_ path: String) throws -> TrackGenome {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GenomeError.fileNotFound(path: path)
        }
        if data.first == UInt8(ascii: ">") || path.hasSuffix(".gz") || path.hasSuffix(".bgz") {
            return trackGenome(try FastaFile(path: path))
        }
        return try TrackGenome.parseChromSizes([UInt8](data), path: path)
    }
}
