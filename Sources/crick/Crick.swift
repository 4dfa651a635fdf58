import ArgumentParser
import Foundation
import Dataset
import Genome
import Pipeline

/// The `crick` command: subcommands only.
@main
struct Crick: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crick",
        abstract: "Train reverse-complement CNNs on ChIP-seq peaks and write genome-wide score tracks.",
        discussion: """
            Coordinates are 0-based half-open in files (BED, bedGraph) and 1-based inclusive in \
            region strings (chr1:1001-2000), as in samtools. Errors are one line on stderr \
            ('crick: error: <what>: <where>') with exit status 1; usage errors exit with 64.
            """,
        version: CrickVersion.string,
        subcommands: [Fetch.self, DatasetCommand.self, Inspect.self, Simulate.self, Train.self, Evaluate.self, Predict.self, Scan.self, MergeTracks.self, Motifs.self, Attribute.self, ReportCommand.self, ModelCommand.self])

    /// Parses, runs, and reports errors in crick's one-line form.
    static func main() {
        TemporaryFiles.shared.installSignalHandlers()
        let command: ParsableCommand
        do {
            command = try parseAsRoot(normalizedArguments(Array(CommandLine.arguments.dropFirst())))
        } catch {
            exit(withError: error)
        }
        do {
            var command = command
            try command.run()
        } catch where Diagnostics.isRunError(error) {
            Diagnostics.error(error)
            TemporaryFiles.shared.removeAll()
            Foundation.exit(1)
        } catch {
            exit(withError: error)
        }
    }
}

/// Splits samtools-style `-@4` into `-@ 4`, which swift-argument-parser does not accept.
func normalizedArguments(_ args: [String]) -> [String] {
    var out: [String] = []
    var passthrough = false
    for a in args {
        if passthrough || a == "--" {
            passthrough = true
            out.append(a)
        } else if a.hasPrefix("-@"), a.count > 2 {
            out.append("-@")
            out.append(String(a.dropFirst(2)))
        } else {
            out.append(a)
        }
    }
    return out
}

/// The version printed by `crick --version`.
enum CrickVersion {
    static let string = "0.1.0"
}
