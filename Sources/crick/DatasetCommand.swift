import ArgumentParser
import Dataset
import Foundation
import Genome
import Runs

/// `crick dataset`: `build` (the default) from a genome and peaks, or `import` from arrays.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Build a labelled dataset from a genome and peaks (dataset build, the default), or import one (dataset import).",
        subcommands: [DatasetBuild.self, DatasetImportCommand.self],
        defaultSubcommand: DatasetBuild.self)
}

/// `crick dataset [build]`: a labelled training set from a genome and peak files.
struct DatasetBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a labelled dataset (sequences, labels, splits) from a genome and peaks.",
        discussion: """
            Positives: every peak resized to --length around its summit (midpoint when it has \
            none); a window is positive for task t when a summit of a t peak lies in its central \
            --label-core bp. Negatives avoid every peak by --margin bp and the --exclude regions: \
            background (random windows GC-matched to the positives in --gc-bins bins, at most \
            --max-n N), flank (windows shifted by --flank-distance from positives) and shuffle \
            (dinucleotide-shuffled positives). A shortfall of negatives is reported. Peaks on \
            contigs absent from the FASTA (see --chrom-alias), past a contig end, too close to \
            one for a window, or whose window has more N than --max-n are skipped and counted \
            (--strict: an error); no negative is made from them.

            Peak filters: --min-score keeps the peaks scoring at least that in --score-column \
            (score, signalValue, pValue or qValue), then --top N keeps the N best of each task \
            (ties in file order); applied to the peaks as read, before resizing. Dropped peaks \
            make no window and label none, but negatives keep away from them; the counts kept \
            and dropped are reported and recorded (skipped.TASK.filtered).

            Splits: --valid-chroms and --test-chroms; without them crick takes contigs in a \
            seeded random order and gives each to test, then valid, when that brings the split \
            closer to 10% of the windows; the rest train. --split-by region (taken anyway, and \
            said, when fewer than 3 contigs hold windows) does the same with contiguous blocks \
            of --block-size bp (default 1 Mb, or a tenth of the genome when smaller); \
            --valid-regions and --test-regions BED files name the regions instead (a window \
            inside one joins its split, one touching neither trains). Either way a window that \
            would cross from one split's region into another's is dropped and counted, so \
            overlapping windows never land in different splits. dataset.json records the choice.

            Signal (regression targets): --signal NAME=FILE (a bigWig or bedGraph of coverage, \
            such as crick coverage writes; repeatable, one task each) adds targets.npy (float32, \
            N x T): the signal summed over each window's central --target-length bp (default \
            --label-core), stored as log(1 + count) unless --transform none; with --profile \
            also profiles.npy (float32, N x T x P): the signal at every base of that centre \
            (and --jitter bases each side), or summed in --bin bp bins. Windows are drawn from \
            the peaks as above, so the dataset holds bound and unbound regions; shuffled \
            windows get 0. Signal values must be finite and not negative. \
            --stranded-signal NAME=PLUS,MINUS adds the two strands' tracks of one signal as tasks \
            NAME.plus and NAME.minus, recorded as a pair (dataset.json signal.pairs): rc models \
            predict them with the strands swapped for the reverse complement. Without --peaks the \
            windows tile the genome instead (every --stride bp from each contig's start, on \
            --chroms when given; windows touching --exclude or holding more N than --max-n are \
            left out and counted; --strict: an error), kind "tile" in regions.bed, with no labels \
            (labels.npy N x 0) and no negatives (the negative, peak-filter and flank options do \
            not apply).

            Output DIR: sequences.npy (uint8 codes, N x L), labels.npy (uint8, N x T), \
            split.npy (0 train, 1 valid, 2 test), regions.bed, dataset.json; written under a \
            temporary name and renamed when complete. Same seed and inputs give byte-identical \
            files at any thread count.

            Example:
              crick dataset --fasta genome.fa --peaks ctcf=ctcf.narrowPeak --length 1000 -o ds
            """)

    @Option(help: "Indexed FASTA, plain or bgzip.")
    var fasta: String

    @Option(name: .long, help: "Peaks of one task as NAME=PATH (BED or narrowPeak; NAME defaults to the file stem); repeatable.", transform: PeaksArgument.parse)
    var peaks: [PeaksArgument] = []

    @Option(help: "Window length in bp.")
    var length: Int = 1000

    @Option(help: "Centre of positive windows: summit or midpoint.")
    var center: Interval.Center = .summit

    @Option(name: .customLong("label-core"), help: "Central bp in which a summit makes a window positive (default: 200, or the window length when shorter).")
    var labelCore: Int?

    @Option(help: "Negative kinds, comma-separated: background, flank, shuffle.", transform: NegativeKinds.parse)
    var negatives = NegativeKinds(kinds: [.background])

    @Option(name: .customLong("neg-ratio"), help: "Negatives per positive, over all kinds (split evenly between kinds).")
    var negRatio: Double = 1

    @Option(help: "Distance (bp) negatives keep from every peak.")
    var margin: Int = 0

    @Option(name: .customLong("gc-bins"), help: "GC bins for matching background windows to positives.")
    var gcBins: Int = 20

    @Option(name: .customLong("flank-distance"), help: "Shift of flank windows in bp (default: the window length).")
    var flankDistance: Int?

    @Option(help: "BED of regions no window may touch (a blacklist); repeatable.")
    var exclude: [String] = []

    @Option(help: "Contigs to use, comma-separated (default: all).")
    var chroms: String?

    @Option(name: .customLong("valid-chroms"), help: "Contigs of the validation split, comma-separated (default: chosen, see above).")
    var validChroms: String?

    @Option(name: .customLong("test-chroms"), help: "Contigs of the test split, comma-separated (default: chosen, see above).")
    var testChroms: String?

    @Option(name: .customLong("split-by"), help: "chrom or region (default: chrom when at least 3 contigs hold windows, else region).")
    var splitBy: SplitMethod?

    @Option(name: .customLong("block-size"), help: "Block length in bp of region splits (default: 1 Mb, or a tenth of the genome when smaller).")
    var blockSize: Int?

    @Option(name: .customLong("valid-regions"), help: "BED of the validation regions (region split).")
    var validRegions: String?

    @Option(name: .customLong("test-regions"), help: "BED of the test regions (region split).")
    var testRegions: String?

    @Option(name: .customLong("min-score"), help: "Keep the peaks whose --score-column is at least this (default: all).")
    var minScore: Double?

    @Option(name: .customLong("score-column"), help: "Peak column of --min-score and --top: score, signalValue, pValue or qValue.")
    var scoreColumn: ScoreColumn = .score

    @Option(help: "Keep the N best peaks of each task by --score-column (after --min-score).")
    var top: Int?

    @Option(help: "Store N extra bases on each side of every window; training then shifts each window by a random -N..N bases every epoch (evaluation takes the centre). (default: 0)")
    var jitter: Int = 0

    @Option(name: .customLong("signal"), help: "A signal track of one regression task as NAME=PATH (bigWig or bedGraph; NAME defaults to the file stem); repeatable.", transform: PeaksArgument.parse)
    var signals: [PeaksArgument] = []

    @Option(name: .customLong("stranded-signal"), help: "The plus- and minus-strand tracks of one signal as NAME=PLUS,MINUS (tasks NAME.plus and NAME.minus); repeatable.", transform: StrandedSignalArgument.parse)
    var strandedSignals: [StrandedSignalArgument] = []

    /// The signal tasks: each --signal, then each --stranded-signal as NAME.plus and NAME.minus.
    var signalTasks: [TaskSource] {
        signals.map(\.source) + strandedSignals.flatMap {
            [TaskSource(name: $0.name + ".plus", path: $0.plus), TaskSource(name: $0.name + ".minus", path: $0.minus)]
        }
    }

    @Option(help: "Without --peaks: bases between the starts of the windows tiling the genome (default: --length, windows that abut).")
    var stride: Int?

    @Option(name: .customLong("target-length"), help: "Central bp of a window whose signal is its target and profile (default: --label-core).")
    var targetLength: Int?

    @Option(help: "How targets.npy stores counts: log1p or none.")
    var transform: SignalTransform = .log1p

    @Flag(help: "Also store each window's base-resolution signal over --target-length (profiles.npy).")
    var profile = false

    @Option(help: "With --profile: sum the profile in bins of this many bp.")
    var bin: Int = 1

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 1

    @Option(name: .customLong("input-format"), help: "Format of peak files: auto, bed or narrowpeak.")
    var inputFormat: IntervalFormat = .auto

    @OptionGroup var check: RegionOptions

    @Option(name: .shortAndLong, help: "Output dataset directory.")
    var output: String

    @OptionGroup var replace: ForceOption

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if peaks.isEmpty && signalTasks.isEmpty { throw ValidationError("give at least one --peaks NAME=PATH (or --signal to tile the genome)") }
        if peaks.isEmpty && (top != nil || minScore != nil) { throw ValidationError("--top and --min-score filter peaks; without --peaks the windows tile the genome") }
        if stride != nil && !peaks.isEmpty { throw ValidationError("--stride tiles the genome for --signal without --peaks; with --peaks the windows come from the peaks") }
        try FlagBounds.length(stride, "--stride")
        try FlagBounds.length(length, "--length")
        try FlagBounds.length(flankDistance, "--flank-distance")
        try FlagBounds.length(margin, "--margin", minimum: 0)
        try FlagBounds.length(blockSize, "--block-size")
        try FlagBounds.length(jitter, "--jitter", minimum: 0)
        try FlagBounds.length(targetLength, "--target-length")
        try FlagBounds.length(bin, "--bin")
        let signals = signalTasks
        if signals.isEmpty && (targetLength != nil || profile || bin != 1 || transform != .log1p) {
            throw ValidationError("--target-length, --transform, --profile and --bin need --signal")
        }
        if bin != 1 && !profile { throw ValidationError("--bin needs --profile") }
        if jitter > 0 && !signals.isEmpty && (!profile || bin != 1) {
            throw ValidationError("--jitter with --signal needs --profile at base resolution (--bin 1): counts are summed from the shifted profile")
        }
        if let top, top < 1 { throw ValidationError("--top must be at least 1") }
        if let minScore, !minScore.isFinite { throw ValidationError("--min-score must be a finite number") }
    }

    func run() throws {
        var options = DatasetRun.Options(fasta: fasta, output: output)
        options.build.tasks = peaks.map(\.source)
        options.build.length = length
        options.build.center = center
        options.build.negatives = negatives.kinds
        options.build.negativeRatio = negRatio
        options.build.margin = margin
        options.build.gcBins = gcBins
        options.build.flankDistance = flankDistance
        options.build.exclude = exclude
        options.build.chroms = chroms.map(list)
        options.build.validChroms = validChroms.map(list)
        options.build.testChroms = testChroms.map(list)
        options.build.splitBy = splitBy
        options.build.blockSize = blockSize
        options.build.validRegions = validRegions
        options.build.testRegions = testRegions
        options.build.peakFilter = PeakFilter(column: scoreColumn, minScore: minScore, top: top)
        options.build.jitter = jitter
        options.build.tileStride = stride
        let signals = signalTasks
        if !signals.isEmpty {
            var signal = SignalOptions(tasks: signals)
            // The stranded pairs follow the unstranded tracks, plus then minus.
            let first = self.signals.count
            signal.pairs = strandedSignals.indices.map { [first + 2 * $0, first + 2 * $0 + 1] }
            signal.targetLength = targetLength
            signal.log1p = transform == .log1p
            signal.profile = profile
            signal.bin = bin
            options.build.signal = signal
        }
        options.build.seed = seed
        options.build.threads = common.threads
        options.build.inputFormat = inputFormat
        options.build.force = replace.force
        options.labelCore = labelCore
        options.check = check.request
        let info = try DatasetRun(options).run(reporter: ConsoleReporter(quiet: common.quiet))
        let kinds = WindowKind.allCases.compactMap { k in info.counts.kinds[k.name].map { "\($0) \(k.name)" } }.joined(separator: ", ")
        Diagnostics.info("dataset: \(info.counts.windows) windows (\(kinds)); train \(info.counts.splits.train), valid \(info.counts.splits.valid), test \(info.counts.splits.test): \(output)", quiet: common.quiet)
    }

    /// How counts are stored.
    enum SignalTransform: String, ExpressibleByArgument {
        case log1p, none
    }

    private func list(_ s: String) -> [String] {
        s.split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
    }
}
