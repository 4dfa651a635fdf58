import ArgumentParser
import Foundation
import Genome
import Tracks

/// `crick merge-tracks`: the shards of a scan (or other non-overlapping tracks) as one track.
struct MergeTracks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-tracks",
        abstract: "Join the bedGraph shards of 'crick scan --shard K/N' (or any non-overlapping tracks) into one bedGraph or bigWig.",
        discussion: """
            Shards must all be present, once each, and scanned on the same genome; their \
            intervals are streamed in shard order. Inputs without shard lines (bedGraph or \
            bigWig) are sorted together and must not overlap.
            """)

    @Argument(help: "Track files: scan shards (bedGraph) or other bedGraph/bigWig tracks.")
    var inputs: [String]

    @Option(name: [.short, .long], help: "The genome: its FASTA (indexed), a .fai, or a chrom.sizes file (name and length per line).")
    var genome: String

    @Option(help: "bedgraph or bigwig (default: from the output name; bedgraph).")
    var format: TrackFormat?

    @Flag(name: .customLong("no-track-line"), help: "Write bedGraph without the inputs' 'track' line.")
    var noTrackLine = false

    @Option(name: .shortAndLong, help: "Output file ('-' for stdout).")
    var output: String = "-"

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give the tracks to merge") }
    }

    func run() throws {
        let g = try MergeTracks.loadGenome(genome)
        let format = format ?? TrackFormat.fromName(output)
        let line = noTrackLine ? nil : try TrackMerge.trackLine(inputs)
        let writer = try makeTrackWriter(path: output, format: format, genome: g, trackLine: line)
        do {
            try TrackMerge.merge(inputs, genome: g, into: writer)
            try writer.finish()
        } catch {
            writer.abort()
            throw error
        }
    }

    /// Chromosome sizes from a FASTA (through its index), a .fai, or a chrom.sizes file.
    static func loadGenome(_ path: String) throws -> TrackGenome {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GenomeError.fileNotFound(path: path)
        }
        if data.first == UInt8(ascii: ">") || path.hasSuffix(".gz") || path.hasSuffix(".bgz") {
            return trackGenome(try FastaFile(path: path))
        }
        var chroms: [(name: String, length: Int)] = []
        // Split on any line end: "\r\n" is one Character, which a split on "\n" never sees.
        for (n, text) in String(decoding: data, as: UTF8.self).split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if text.isEmpty || text.hasPrefix("#") { continue }
            let f = text.split(separator: "\t")
            guard f.count >= 2, let len = Int(f[1]), len > 0 else {
                throw GenomeError.malformedLine(path: path, line: n + 1, detail: "a chrom.sizes line needs a name and a positive length")
            }
            chroms.append((String(f[0]), len))
        }
        guard !chroms.isEmpty else { throw GenomeError.malformedLine(path: path, line: 1, detail: "no chromosomes") }
        return TrackGenome(chroms)
    }
}
