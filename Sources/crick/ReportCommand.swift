import ArgumentParser
import Runs

/// `crick report`: one self-contained HTML page from a run's outputs.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "One self-contained HTML report (inline SVG and CSS) of training runs, their test curves, filters, an attribution map and tracks.",
        discussion: """
            Each --run NAME=DIR adds the learning curves of a `crick train` output directory and, \
            with --dataset, its ROC and precision-recall curves and its forward-vs-reverse- \
            complement scatter on the test split. --motifs DIR (a `crick motifs` output) adds \
            filter logos beside their best match (logos of the matches need --motif-db). \
            --attribution PREFIX (a `crick attribute` output) adds the first region's map. \
            --track FILE adds a track's coverage, score distribution and top regions.
            """)

    @Option(help: "Report title.")
    var title: String = "crick report"

    @Option(name: .customLong("run"), help: "A training run as NAME=DIR (repeatable).", transform: NamedPath.parse)
    var runs: [NamedPath] = []

    @Option(help: "Dataset for the test-split curves.")
    var dataset: String?

    @Option(help: "Dataset split for the curves.")
    var split: DatasetSplit = .test

    @Option(help: "A crick motifs output directory.")
    var motifs: String?

    @Option(name: .customLong("motif-db"), help: "The motif database the filters were compared with (for the matches' logos).")
    var motifDB: String?

    @Option(help: "TF-MoDISco's patterns as a MEME file (modisco meme -i modisco.h5 -t PFM -o FILE), compared with --motif-db.")
    var modisco: String?

    @Option(help: "A crick attribute output prefix.")
    var attribution: String?

    @Option(name: .customLong("variants"), help: "A crick variants TSV as NAME=PATH (repeatable): the distribution of effects and the top variants.", transform: NamedPath.parse)
    var variants: [NamedPath] = []

    @Option(help: "A bedGraph or bigWig track (repeatable).")
    var track: [String] = []

    @Option(name: [.short, .long], help: "Chromosome sizes for bedGraph tracks: FASTA, .fai or chrom.sizes.")
    var genome: String?

    @Option(name: .shortAndLong, help: "Output HTML file.")
    var output: String

    @OptionGroup var common: CommonOptions

    func run() throws {
        var options = ReportRun.Options(output: output)
        options.title = title
        options.runs = runs.map { ($0.name, $0.path) }
        options.dataset = dataset
        options.split = split
        options.motifs = motifs
        options.motifDB = motifDB
        options.modisco = modisco
        options.attribution = attribution
        options.tracks = track
        options.variants = variants.map { ($0.name, $0.path) }
        options.genome = genome
        options.threads = common.threads
        try ReportRun(options).run()
        Diagnostics.info("report: \(output)", quiet: common.quiet || output == "-")
    }
}
