import Dataset
import NeuralNet
import Genome
import Pipeline
import Scoring
import Tracks
import Foundation

/// The CLI's messages on stderr.
enum Diagnostics {
    /// True for the errors of a failed run (bad input, I/O), which exit with status 1;
    /// everything else is argument parsing, reported by swift-argument-parser.
    static func isRunError(_ error: Error) -> Bool {
        error is GenomeError || error is DatasetError || error is OutputError || error is NetworkError
            || error is TrackError || error is ScoringError
    }

    /// `crick: error: <what>: <where>`.
    static func error(_ error: Error) {
        write("crick: error: \(error)")
    }

    /// `crick: warning: <what>`.
    static func warning(_ text: String) {
        write("crick: warning: \(text)")
    }

    /// An informational line, shown unless quiet.
    static func info(_ text: String, quiet: Bool) {
        if !quiet { write("crick: \(text)") }
    }

    private static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
