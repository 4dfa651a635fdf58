import ArgumentParser

/// Options every long-running subcommand takes.
struct CommonOptions: ParsableArguments {
    @Option(name: [.customShort("@"), .long], help: "Total worker threads.")
    var threads: Int = 1

    @Flag(name: .shortAndLong, help: "Report more on stderr.")
    var verbose = false

    @Flag(name: .shortAndLong, help: "Report nothing but warnings and errors on stderr.")
    var quiet = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1 (got \(threads))") }
        guard threads <= 1024 else { throw ValidationError("--threads must be at most 1024 (got \(threads))") }
        if verbose && quiet { throw ValidationError("--verbose and --quiet cannot be combined") }
    }
}

extension Genome.Interval.Center: ExpressibleByArgument {}
extension Genome.IntervalFormat: ExpressibleByArgument {}
extension Dataset.SequenceFormat: ExpressibleByArgument {}
extension Dataset.SplitMethod: ExpressibleByArgument {}
extension Genome.ScoreColumn: ExpressibleByArgument {}

import Dataset
import Genome
