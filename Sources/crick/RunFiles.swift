import ArgumentParser
import Dataset
import NeuralNet
import Runs

/// The files a command reads and writes. `Crick.main` refuses, before the command runs, an
/// output that is one of its inputs (or an index of one), and a directory output that may not
/// be written (see `OutputDirectory`).
protocol FileCommand {
    /// Files and directories read.
    var inputFiles: [String] { get }
    /// Files written.
    var outputFiles: [String] { get }
    /// Directories written, with the kind recorded in their manifest and whether `--force` was given.
    var outputDirectories: [OutputDirectoryUse] { get }
}

/// A directory output of a command.
struct OutputDirectoryUse {
    var path: String
    var kind: String
    var force: Bool
    var legacyFiles: Set<String> = []
}

extension FileCommand {
    var outputFiles: [String] { [] }
    var outputDirectories: [OutputDirectoryUse] { [] }
}

/// `--force`, for the commands that write a directory.
struct ForceOption: ParsableArguments {
    @Flag(help: "Replace crick's files in an earlier output directory of the same kind (files crick did not write stay).")
    var force = false
}

extension Fetch: FileCommand {
    var inputFiles: [String] { [fasta] + regions }
    var outputFiles: [String] { [output] }
}

extension DatasetBuild: FileCommand {
    var inputFiles: [String] { [fasta] + peaks.map(\.source.path) + signalTasks.map(\.path) + exclude + [validRegions, testRegions].compactMap { $0 } }
    var outputDirectories: [OutputDirectoryUse] {
        [OutputDirectoryUse(path: output, kind: DatasetInfo.outputKind, force: replace.force, legacyFiles: DatasetInfo.files)]
    }
}

extension Simulate: FileCommand {
    var inputFiles: [String] { motifs.map { [$0] } ?? [] }
    var outputDirectories: [OutputDirectoryUse] {
        [OutputDirectoryUse(path: output, kind: Simulator.outputKind, force: replace.force)]
            + (dataset.map { [OutputDirectoryUse(path: $0, kind: DatasetInfo.outputKind, force: replace.force, legacyFiles: DatasetInfo.files)] } ?? [])
    }
}

extension Train: FileCommand {
    var inputFiles: [String] { [dataset] + (architecture.arch.map { [$0] } ?? []) }
    // The run directory is checked by `RunDirectory` (it also takes --resume).
    var outputDirectories: [OutputDirectoryUse] { [] }
    var outputFiles: [String] { [] }
}

extension Evaluate: FileCommand {
    var inputFiles: [String] { [ModelFile.resolve(model), dataset] }
}

extension Predict: FileCommand {
    var inputFiles: [String] { [ModelFile.resolve(scoring.model), scoring.fasta, regions] + exclude }
    var outputFiles: [String] { [output] }
}

extension Scan: FileCommand {
    var inputFiles: [String] { [ModelFile.resolve(scoring.model), scoring.fasta] + (regions.map { [$0] } ?? []) + exclude }
    var outputFiles: [String] { [output] + (countsOutput.map { [$0] } ?? []) }
}

extension MergeTracks: FileCommand {
    var inputFiles: [String] { inputs + [genome] }
    var outputFiles: [String] { [output] }
}

extension Motifs: FileCommand {
    var inputFiles: [String] { (model.map { [ModelFile.resolve($0)] } ?? []) + [input, queries, compare, truth].compactMap { $0 } }
    var outputDirectories: [OutputDirectoryUse] {
        [OutputDirectoryUse(path: output, kind: MotifRun.outputKind, force: replace.force, legacyFiles: MotifRun.files)]
    }
}

extension Attribute: FileCommand {
    var inputFiles: [String] {
        var files = [ModelFile.resolve(model), fasta, regions]
        if case .file(let path) = references { files.append(path) }
        return files
    }
    var outputFiles: [String] { AttributionRun.outputFiles(prefix: output) }
}

extension ReportCommand: FileCommand {
    var inputFiles: [String] {
        runs.map(\.path) + variants.map(\.path) + track + [dataset, motifs, motifDB, modisco, genome].compactMap { $0 }
            + (attribution.map { [$0 + ".npy", $0 + ".windows.bed"] } ?? [])
    }
    var outputFiles: [String] { [output] }
}

extension ModelCommand.Init: FileCommand {
    var inputFiles: [String] { architecture.arch.map { [$0] } ?? [] }
    var outputFiles: [String] { [output] }
}

extension Variants: FileCommand {
    var inputFiles: [String] { [input, fasta] + model.map(ModelFile.resolve) + (chromAlias.map { [$0] } ?? []) }
    var outputFiles: [String] { [output] }
}
