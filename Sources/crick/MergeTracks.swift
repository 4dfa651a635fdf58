import ArgumentParser
import Foundation
import Runs
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
        var options = TrackMergeRun.Options(inputs: inputs, genome: genome)
        options.format = format
        options.noTrackLine = noTrackLine
        options.output = output
        try TrackMergeRun(options).run()
    }
}
