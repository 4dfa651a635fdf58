import ArgumentParser
import Foundation
import Genome
import NeuralNet
import Scoring
import Tracks
import Runs

extension Scoring.StrandCombination: ExpressibleByArgument {}
extension Scoring.ScoreType: ExpressibleByArgument {}
extension Scoring.TileRule: ExpressibleByArgument {}
extension Tracks.OverlapRule: ExpressibleByArgument {}

/// Options shared by the commands that score sequence with a model (predict, scan).
struct ScoringOptions: ParsableArguments {
    @Option(help: "Model file (model.safetensors), or a crick train run directory.")
    var model: String

    @Option(help: "Indexed FASTA (plain or bgzip).")
    var fasta: String

    @Option(help: "Score only this task (default: every task; several tasks write PREFIX.TASK.EXT).")
    var task: String?

    @Option(name: .customLong("output-type"), help: "prob (sigmoid of the logit) or logit for classifiers; count (the predicted count as trained) or logit for count models. (default: prob, or count for count models)")
    var outputType: ScoreType?

    @Option(name: .customLong("strand-mode"), help: "Standard models: forward, average (mean logit of x and rc(x)) or max. rc and conjoined models are RC-invariant and ignore it. (default: forward)")
    var strandMode: StrandCombination?

    @Flag(name: .customLong("no-track-line"), help: "Write bedGraph without its 'track' line.")
    var noTrackLine = false
}

extension ScoringOptions {
    /// The model request the flags make.
    var request: ModelRequest {
        ModelRequest(path: model, task: task, outputType: outputType, strandMode: strandMode)
    }
}
