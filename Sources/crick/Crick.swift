import ArgumentParser
import Foundation
import Dataset
import Genome
import NeuralNet
import Pipeline
import Runs

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
        subcommands: [Fetch.self, DatasetCommand.self, CoverageCommand.self, Inspect.self, Simulate.self, Train.self, Evaluate.self, Predict.self, Scan.self, Variants.self, MergeTracks.self, Motifs.self, Attribute.self, ReportCommand.self, ModelCommand.self])

    /// Parses, runs, and reports errors in crick's one-line form.
    static func main() {
        TemporaryFiles.shared.installSignalHandlers()
        releaseBLASWorkers()
        let command: ParsableCommand
        do {
            command = try parseAsRoot(normalizedArguments(Array(CommandLine.arguments.dropFirst())))
        } catch {
            exit(withError: error)
        }
        do {
            var command = command
            if let files = command as? FileCommand {
                try InputOutputCheck.check(inputs: files.inputFiles, outputs: files.outputFiles,
                                           directories: files.outputDirectories.map(\.path))
                for d in files.outputDirectories {
                    try OutputDirectory.check(d.path, kind: d.kind, force: d.force, legacyFiles: d.legacyFiles)
                }
            }
            try command.run()
        } catch where Diagnostics.isUsageError(error, of: type(of: command)) {
            // A usage error found by the run (a value that only the input can judge): told as
            // swift-argument-parser tells its own, with the subcommand's usage, exit 64.
            TemporaryFiles.shared.removeAll()
            var error = error
            if case RunError.usage(let text) = error { error = ValidationError(text) }
            guard error is ValidationError else { exit(withError: error) }
            let name = type(of: command)._commandName
            let usage = Crick.usageString(for: type(of: command))
            FileHandle.standardError.write(Data("Error: \(Crick.message(for: error))\nUsage: \(usage)\n  See 'crick \(name) --help' for more information.\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            // Every other failure of a run, typed or not (a Foundation error, say), is one line.
            Diagnostics.error(error)
            TemporaryFiles.shared.removeAll()
            Foundation.exit(1)
        }
    }
}

/// Splits samtools-style `-@4` into `-@ 4`, which swift-argument-parser does not accept, and
/// gives a bare `--rc-augment` (crick's earlier flag) its value `random`.
func normalizedArguments(_ args: [String]) -> [String] {
    var out: [String] = []
    var passthrough = false
    for (i, a) in args.enumerated() {
        if passthrough || a == "--" {
            passthrough = true
            out.append(a)
        } else if a.hasPrefix("-@"), a.count > 2 {
            out.append("-@")
            out.append(String(a.dropFirst(2)))
        } else if a == "--rc-augment", i + 1 >= args.count || !["random", "both", "none"].contains(args[i + 1]) {
            out += [a, "random"]
        } else {
            out.append(a)
        }
    }
    return out
}
