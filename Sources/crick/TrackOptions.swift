import ArgumentParser
import Foundation
import Genome
import NeuralNet
import Scoring
import Tracks

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

    @Option(name: .customLong("output-type"), help: "prob (sigmoid of the logit) or logit.")
    var outputType: ScoreType = .prob

    @Option(name: .customLong("strand-mode"), help: "Standard models: forward, average (mean logit of x and rc(x)) or max. rc and conjoined models are RC-invariant and ignore it. (default: forward)")
    var strandMode: StrandCombination?

    @Flag(name: .customLong("no-track-line"), help: "Write bedGraph without its 'track' line.")
    var noTrackLine = false
}

/// The model of a scoring run: loaded once for its metadata, then once per worker.
struct LoadedModel {
    let path: String
    let model: Model
    let taskNames: [String]
    /// Indices of the tasks written.
    let selected: [Int]
    let settings: ScoreSettings

    init(_ options: ScoringOptions, quiet: Bool) throws {
        path = options.model
        let (m, contents) = try ModelFile.read(options.model)
        model = m
        taskNames = modelTaskNames(metadata: contents.metadata, outputs: m.architecture.outputs)
        if let t = options.task {
            guard let i = taskNames.firstIndex(of: t) else {
                throw ScoringError.unknownTask(name: t, model: options.model, tasks: taskNames)
            }
            selected = [i]
        } else {
            selected = Array(taskNames.indices)
        }
        settings = ScoreSettings(modelStrand: m.architecture.strand, requested: options.strandMode, type: options.outputType)
        if options.strandMode != nil && m.architecture.strand != .standard {
            Diagnostics.info("the model is \(m.architecture.strand.rawValue) (RC-invariant): --strand-mode does not apply", quiet: quiet)
        }
    }

    /// A fresh copy of the model for one worker.
    func load() throws -> Model { try ModelFile.read(path).model }

    /// The track line of task `task` for `command`.
    func trackLine(command: String, task: Int, extra: String = "") -> String {
        let name = taskNames[task]
        let model = (path as NSString).lastPathComponent
        return "track type=bedGraph name=\"crick \(name)\" description=\"crick \(command) \(model) task=\(name) output=\(settings.type.rawValue) strand=\(settings.strandLabel)\(extra)\""
    }
}

/// The chromosomes of a FASTA as a track genome.
func trackGenome(_ fasta: FastaFile) -> TrackGenome {
    TrackGenome(fasta.contigs.map { ($0.name, $0.length) })
}
