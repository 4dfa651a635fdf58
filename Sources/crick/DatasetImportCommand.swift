import ArgumentParser
import Dataset
import Foundation
import Runs

/// `crick dataset import`: a crick dataset from arrays or sequences that already exist.
struct DatasetImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a dataset from HDF5, NPY arrays, or FASTA with a labels TSV.",
        discussion: """
            Sources:
              --h5 FILE            Koo & Ploenzke's x_train/y_train/x_valid/y_valid/x_test/y_test, \
            or Basset's and DeepSEA's train_in/train_out/valid_in/..., read through the HDF5 C \
            library; splits from the file. --x KEY --y KEY name one X and one Y instead.
              --x FILE --y FILE    NPY arrays (uint8, int8, int32, int64, float32 or float64).
              --fasta FILE --labels FILE   equal-length records and a TSV: a header 'name TASK...' \
            and a row per record with a 0 or 1 per task.
            Sequences may be one-hot (N, 4, L) or (N, L, 4) (a singleton dimension, as Basset's \
            (N, 4, 1, L), is dropped), float or integer, or base codes (N, L) 0-4; the layout \
            found is stated. A position must be one 1 and three 0, or all 0 (or all 0.25) for N; \
            sequences that are not are counted and refused. Labels must be 0 or 1. Without a \
            split in the source, --split FILE.npy (0 train, 1 valid, 2 test) or a seeded 80/10/10.

            Output DIR: as crick dataset writes it (regions.bed names each row; dataset.json \
            records the source and its layout).
            """)

    @Option(help: "HDF5 file.")
    var h5: String?

    @Option(help: "Sequences: an HDF5 key with --h5, else an NPY file.")
    var x: String?

    @Option(help: "Labels: an HDF5 key with --h5, else an NPY file.")
    var y: String?

    @Option(help: "FASTA of equal-length records (with --labels).")
    var fasta: String?

    @Option(help: "Labels TSV for --fasta: header 'name TASK...', then a row per record.")
    var labels: String?

    @Option(help: "NPY of split codes (0 train, 1 valid, 2 test), for sources without splits.")
    var split: String?

    @Option(help: "Task names, comma-separated (default: from the labels TSV, else task0, task1, ...).")
    var tasks: String?

    @Option(help: "Seed of the split made when the source has none.")
    var seed: UInt64 = 1

    @Option(name: .shortAndLong, help: "Output dataset directory.")
    var output: String

    @OptionGroup var replace: ForceOption

    @OptionGroup var common: CommonOptions

    func validate() throws {
        let sources = [h5 != nil, h5 == nil && (x != nil || y != nil), fasta != nil].filter { $0 }.count
        guard sources == 1 else { throw ValidationError("give one source: --h5 FILE, --x FILE --y FILE, or --fasta FILE --labels FILE") }
        if h5 != nil && (x == nil) != (y == nil) { throw ValidationError("--x and --y name HDF5 keys together") }
        if h5 == nil && fasta == nil && (x == nil || y == nil) { throw ValidationError("--x FILE needs --y FILE") }
        if fasta != nil && labels == nil { throw ValidationError("--fasta needs --labels FILE") }
    }

    func run() throws {
        let source: ImportSource
        if let h5 {
            source = .hdf5(path: h5, keys: x.flatMap { x in y.map { (x, $0) } })
        } else if let fasta, let labels {
            source = .fasta(path: fasta, labels: labels)
        } else if let x, let y {
            source = .npy(x: x, y: y)
        } else {
            throw ValidationError("give one source: --h5 FILE, --x FILE --y FILE, or --fasta FILE --labels FILE")
        }
        var options = ImportOptions(source: source)
        options.split = split
        options.tasks = tasks.map { $0.split(separator: ",").map(String.init) }
        options.seed = seed
        options.force = replace.force
        let result = try DatasetImportRun(options).run(into: output)
        for note in result.notes { Diagnostics.info(note, quiet: common.quiet) }
        let c = result.info.counts
        Diagnostics.info("dataset import: \(c.windows) sequences; train \(c.splits.train), valid \(c.splits.valid), test \(c.splits.test): \(output)", quiet: common.quiet)
    }
}

extension DatasetImportCommand: FileCommand {
    var inputFiles: [String] {
        ([h5, fasta, labels, split] + (h5 == nil ? [x, y] : [])).compactMap { $0 }
    }
    var outputDirectories: [OutputDirectoryUse] {
        [OutputDirectoryUse(path: output, kind: DatasetInfo.outputKind, force: replace.force, legacyFiles: DatasetInfo.files)]
    }
}
